// Registry token scopes (Docker "Token Scope Documentation"): `type:name:action,action`.
// Repository names never contain `:`, so the last colon separates the actions.

export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** Scope strings longer than this are refused before any parsing work. */
const maxScopeLength = 1024;

/**
 * Parses every `scope` parameter of a token request. Clients send one parameter per scope, but
 * some join several with spaces in one parameter (RFC 6749 section 3.3): both are accepted.
 * Unparseable scopes are dropped, as an authorization server grants nothing for them.
 */
export function parseScopes(values: string[]): Scope[] {
  const scopes: Scope[] = [];
  for (const value of values) {
    for (const item of value.split(' ')) {
      const scope = parseScope(item);
      if (scope) scopes.push(scope);
    }
  }

  return mergeScopes(scopes);
}

export function parseScope(value: string): Scope | undefined {
  if (value.length === 0 || value.length > maxScopeLength) return undefined;
  const last = value.lastIndexOf(':');
  const first = value.indexOf(':');
  if (first <= 0 || last === first) return undefined;

  // `repository(plugin):name` carries a resource class; the class changes nothing here.
  const type = value.slice(0, first).replace(/\([a-z0-9]+\)$/, '');
  const name = value.slice(first + 1, last);
  const actions = value
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (name.length === 0 || actions.length === 0) return undefined;

  return { type, name, actions };
}

export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/** One entry per resource, actions merged and de-duplicated in their first order. */
export function mergeScopes(scopes: Scope[]): Scope[] {
  const merged = new Map<string, Scope>();
  for (const scope of scopes) {
    const key = `${scope.type}:${scope.name}`;
    const existing = merged.get(key);
    if (!existing) merged.set(key, { ...scope, actions: [...new Set(scope.actions)] });
    else existing.actions = [...new Set([...existing.actions, ...scope.actions])];
  }

  return [...merged.values()];
}
