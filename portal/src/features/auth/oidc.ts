import { get } from '../../api/client';

/** How people may sign in, as GET /api/v1/sign-in-methods tells anyone who asks. */
export interface SignInMethods {
  password: boolean;
  ldap: boolean;
  oidc: { label: string; loginUrl: string } | null;
}

/** A server that does not say is one with password sign-in only. */
export async function signInMethods(): Promise<SignInMethods> {
  try {
    return await get<SignInMethods>('/sign-in-methods');
  } catch {
    return { password: true, ldap: false, oidc: null };
  }
}

/**
 * Where the SSO button goes: the server sends the browser to the OpenID Connect provider and
 * back to `returnTo` with the tokens in the URL fragment, which main.tsx takes.
 */
export function oidcLoginUrl(loginUrl: string, returnTo: string): string {
  return `${loginUrl}?return_to=${encodeURIComponent(returnTo)}`;
}
