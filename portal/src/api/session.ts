/**
 * The signed-in session: an API token (scope berth:api:*) from the token endpoint and the
 * refresh token that renews it. Kept in sessionStorage, so it lives as long as the browser tab
 * and is never written where another site or a later visitor could read it.
 */
export interface Session {
  username: string;
  accessToken: string;
  refreshToken: string | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

const storageKey = 'berth.session';
/** Renew this long before the token expires, so that no request leaves with a stale one. */
const renewMarginMs = 30_000;

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = load();
let renewing: Promise<Session | null> | null = null;

export function currentSession(): Session | null {
  return current;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Signs in with a local account (or a directory account) through the password grant. */
export async function signIn(username: string, password: string): Promise<Session> {
  const answer = await requestToken({ grant_type: 'password', username, password });
  const session = sessionOf(username, answer);

  store(session);
  return session;
}

/**
 * Takes the tokens an OIDC sign-in left in the URL fragment (#access_token=…&refresh_token=…),
 * then removes them from the address bar and the history.
 */
export function adoptFragmentTokens(location: Location, history: History): Session | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const accessToken = fragment.get('access_token');
  if (!accessToken) return null;

  history.replaceState(history.state, '', location.pathname + location.search);
  const expiresIn = Number(fragment.get('expires_in') ?? '300');
  return store({
    username: subjectOf(accessToken),
    accessToken,
    refreshToken: fragment.get('refresh_token'),
    expiresAt: Date.now() + expiresIn * 1000,
  });
}

export function signOut(): void {
  store(null);
}

/** A token good for the next request: renewed first when it is about to expire. */
export async function freshToken(): Promise<string | null> {
  if (!current) return null;
  if (current.expiresAt - renewMarginMs > Date.now()) return current.accessToken;

  return (await renew())?.accessToken ?? null;
}

/** Renews the token with the refresh token; signs out when that is refused. */
export function renew(): Promise<Session | null> {
  const session = current;
  if (!session?.refreshToken) {
    store(null);
    return Promise.resolve(null);
  }

  renewing ??= requestToken({ grant_type: 'refresh_token', refresh_token: session.refreshToken })
    .then((answer) => store(sessionOf(session.username, answer)))
    .catch(() => store(null))
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

async function requestToken(form: Record<string, string>): Promise<TokenAnswer> {
  const body = new URLSearchParams({
    ...form,
    client_id: 'berth-portal',
    scope: 'berth:api:*',
    access_type: 'offline',
  });
  const response = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const answer = (await response.json().catch(() => ({}))) as Partial<TokenAnswer> & {
    error_description?: string;
  };
  if (!response.ok || !answer.access_token) {
    throw new Error(answer.error_description ?? `sign-in failed (${response.status})`);
  }

  return answer as TokenAnswer;
}

function sessionOf(username: string, answer: TokenAnswer): Session {
  return {
    username,
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? current?.refreshToken ?? null,
    expiresAt: Date.now() + answer.expires_in * 1000,
  };
}

function store(session: Session | null): Session | null {
  current = session;
  if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
  else sessionStorage.removeItem(storageKey);
  for (const listener of listeners) listener(session);

  return session;
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** The token's subject, read without verifying: only to show who is signed in. */
function subjectOf(token: string): string {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return (JSON.parse(json) as { sub?: string }).sub ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
