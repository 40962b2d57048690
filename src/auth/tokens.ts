import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { AuthError } from './errors.js';
import type { KeyRing } from './keys.js';
import type { Scope } from './scopes.js';

export interface TokenOptions {
  /** `iss` of every token and the `service` clients name in token requests. */
  issuer: string;
  service: string;
  accessTtlMs: number;
  refreshTtlMs: number;
}

export type SubjectKind = 'user' | 'robot' | 'anonymous';

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
}

/** Whom a token speaks for, and since when. */
export interface TokenClaims {
  subject: string;
  subjectKind: SubjectKind;
  /** The account's row id when issued (absent for anonymous tokens). */
  accountId?: number;
  /** When the token was issued, in milliseconds (`iat` has whole seconds only). */
  issuedAtMs: number;
}

export interface AccessClaims extends TokenClaims {
  access: Scope[];
}

/** The account a token is issued to. */
export interface TokenSubject {
  kind: SubjectKind;
  name: string;
  id?: number;
}

type TokenType = 'access' | 'refresh' | 'login';

interface BerthClaims extends JWTPayload {
  access?: { type: string; name: string; actions: string[] }[];
  /** Berth's own: what kind of account `sub` names, and which kind of token this is. */
  bk?: SubjectKind;
  bt?: TokenType;
  /** Of a login token: the sign-in in progress it carries. */
  ls?: Record<string, string>;
  /** The account's row id, and the issue time in milliseconds (see TokenClaims). */
  bid?: number;
  bms?: number;
}

/** Oversized tokens are refused before any parsing. */
const maxTokenLength = 16 * 1024;

/**
 * Registry tokens (Docker "Token Authentication Specification" and its JWT implementation):
 * short-lived ES256 JWTs whose `access` claim lists what the bearer may do. Refresh tokens are
 * JWTs of the same keys, valid longer, that only the token endpoint accepts.
 */
export class TokenService {
  constructor(
    private readonly keys: KeyRing,
    readonly options: TokenOptions,
  ) {}

  async issueAccess(subject: TokenSubject, access: Scope[]): Promise<IssuedToken> {
    const claims: BerthClaims = { ...accountClaims(subject), access, bt: 'access' };
    return this.sign(subject.name, claims, this.options.accessTtlMs, this.options.service);
  }

  async issueRefresh(subject: TokenSubject): Promise<IssuedToken> {
    const claims: BerthClaims = { ...accountClaims(subject), bt: 'refresh' };
    return this.sign(subject.name, claims, this.options.refreshTtlMs, this.options.issuer);
  }

  /**
   * A sign-in in progress (an OIDC state, nonce and PKCE verifier), signed so that the browser
   * can carry it to the callback and any node can check it there. It grants nothing: only
   * verifyLogin accepts it.
   */
  async issueLogin(state: Record<string, string>, ttlMs: number): Promise<string> {
    const claims: BerthClaims = { bk: 'anonymous', bt: 'login', ls: state };
    return (await this.sign('login', claims, ttlMs, this.options.issuer)).token;
  }

  async verifyLogin(token: string): Promise<Record<string, string>> {
    const payload = await this.verify(token, this.options.issuer, 'login');
    const state = payload.ls;
    if (typeof state !== 'object' || state === null) throw invalidToken('the token is invalid');

    return state;
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, this.options.service, 'access');
    const access = Array.isArray(payload.access) ? payload.access.filter(isScope) : [];

    return { ...claimsOf(payload), access };
  }

  async verifyRefresh(token: string): Promise<TokenClaims> {
    return claimsOf(await this.verify(token, this.options.issuer, 'refresh'));
  }

  private async sign(
    subject: string,
    claims: BerthClaims,
    ttlMs: number,
    audience: string,
  ): Promise<IssuedToken> {
    const key = await this.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const ttl = Math.max(1, Math.floor(ttlMs / 1000));

    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(now)
      // Clocks of clients and nodes differ a little; a token must not be born in the future.
      .setNotBefore(now - 10)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);

    return { token, expiresIn: ttl, issuedAt: new Date(now * 1000).toISOString() };
  }

  private async verify(token: string, audience: string, type: TokenType): Promise<BerthClaims> {
    if (token.length > maxTokenLength) throw invalidToken('the token is too long');

    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'ES256') throw invalidToken('the token is not signed with ES256');
      kid = header.kid;
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw invalidToken('the token is malformed');
    }
    const key = kid === undefined ? undefined : await this.keys.verificationKey(kid);
    if (!key) throw invalidToken('the token is signed by an unknown key');

    let payload: BerthClaims;
    try {
      ({ payload } = await jwtVerify<BerthClaims>(token, key.publicJwk, {
        algorithms: ['ES256'],
        issuer: this.options.issuer,
        audience,
        clockTolerance: 10,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw invalidToken(
        code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is invalid',
      );
    }
    if (payload.bt !== type || !isSubjectKind(payload.bk))
      throw invalidToken('the token is invalid');

    return payload;
  }
}

function invalidToken(message: string): AuthError {
  return new AuthError('unauthenticated', message);
}

function accountClaims(subject: TokenSubject): BerthClaims {
  return { bk: subject.kind, bid: subject.id, bms: Date.now() };
}

function claimsOf(payload: BerthClaims): TokenClaims {
  return {
    subject: payload.sub as string,
    subjectKind: payload.bk as SubjectKind,
    accountId: typeof payload.bid === 'number' ? payload.bid : undefined,
    issuedAtMs: typeof payload.bms === 'number' ? payload.bms : (payload.iat ?? 0) * 1000,
  };
}

function isSubjectKind(value: unknown): value is SubjectKind {
  return value === 'user' || value === 'robot' || value === 'anonymous';
}

function isScope(value: unknown): value is Scope {
  const scope = value as Scope | null;
  return (
    typeof scope === 'object' &&
    scope !== null &&
    typeof scope.type === 'string' &&
    typeof scope.name === 'string' &&
    Array.isArray(scope.actions) &&
    scope.actions.every((a) => typeof a === 'string')
  );
}
