/**
 * Why an account operation failed. The HTTP layers map these onto their own error bodies:
 * the registry's (src/http/errors.ts) and the management API's.
 */
export type AuthErrorKind =
  'unauthenticated' | 'locked' | 'denied' | 'not-found' | 'conflict' | 'invalid';

export class AuthError extends Error {
  constructor(
    readonly kind: AuthErrorKind,
    message: string,
    /** Seconds until a locked account may try again. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export function isAuthError(err: unknown): err is AuthError {
  return err instanceof AuthError;
}

/** OAuth2 errors (RFC 6749 section 5.2) use their own body shape: `error` and a description. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}
