import { inspect } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, Secret, validateConfig } from '../../../src/config/index.js';

function problemsOf(input: unknown): string[] {
  try {
    validateConfig(input);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('auth.ldap', () => {
  const complete = { enabled: true, url: 'ldap://ldap.example', userBase: 'ou=people,dc=example' };

  it('needs a URL and a user base once enabled', () => {
    expect(problemsOf({ auth: { ldap: { enabled: true } } }).sort()).toEqual([
      'auth.ldap.url: is required when auth.ldap.enabled is true',
      'auth.ldap.userBase: is required when auth.ldap.enabled is true',
    ]);
    expect(problemsOf({ auth: { ldap: complete } })).toEqual([]);
  });

  it('takes a bind DN and its password together or not at all', () => {
    const problem =
      'auth.ldap.bindDn: auth.ldap.bindDn and auth.ldap.bindPassword must be given together';

    expect(problemsOf({ auth: { ldap: { ...complete, bindDn: 'cn=berth' } } })).toEqual([problem]);
    expect(problemsOf({ auth: { ldap: { ...complete, bindPassword: 'pw' } } })).toEqual([problem]);
  });

  it('refuses StartTLS on an ldaps:// URL, URLs of other schemes and URLs with credentials', () => {
    const ldaps = { ...complete, url: 'ldaps://ldap.example', startTls: true };

    expect(problemsOf({ auth: { ldap: ldaps } })).toEqual([
      'auth.ldap.startTls: StartTLS upgrades a plain ldap:// connection; ldaps:// is already TLS',
    ]);
    for (const url of ['http://ldap.example', 'ldap://user:pw@ldap.example', 'ldap://h/dc=x']) {
      expect(problemsOf({ auth: { ldap: { ...complete, url } } })[0]).toMatch(/^auth\.ldap\.url:/);
    }
  });

  it('refuses a filter that is not one', () => {
    const [problem] = problemsOf({ auth: { ldap: { ...complete, userFilter: 'uid={username}' } } });

    expect(problem).toMatch(/^auth\.ldap\.userFilter: must be an LDAP filter/);
  });
});

describe('auth.oidc', () => {
  it('needs an issuer and a client id once enabled', () => {
    expect(problemsOf({ auth: { oidc: { enabled: true } } }).sort()).toEqual([
      'auth.oidc.clientId: is required when auth.oidc.enabled is true',
      'auth.oidc.issuer: is required when auth.oidc.enabled is true',
    ]);
  });

  it('asks for the openid scope', () => {
    const oidc = { enabled: true, issuer: 'https://sso.example', clientId: 'b', scopes: 'email' };

    expect(problemsOf({ auth: { oidc } })).toEqual(['auth.oidc.scopes: must include openid']);
  });
});

describe('secrets', () => {
  const config = validateConfig({
    auth: {
      oidc: {
        enabled: true,
        issuer: 'https://sso.example',
        clientId: 'berth',
        clientSecret: 'the-client-secret',
      },
    },
  });
  const secret = config.auth.oidc.clientSecret as Secret;

  it('keeps the value for the code that uses it', () => {
    expect(secret).toBeInstanceOf(Secret);
    expect(secret.reveal()).toBe('the-client-secret');
  });

  it('shows [redacted] as JSON, as YAML, when inspected and as a string', () => {
    const inspected = inspect(config, { depth: null });
    for (const shown of [JSON.stringify(config), stringify(config), inspected, `${secret}`]) {
      expect(shown).not.toContain('the-client-secret');
      expect(shown).toContain('[redacted]');
    }
  });
});
