import { describe, expect, it } from 'vitest';
import { fillFilter, firstRdnValue } from '../../../src/auth/identity/ldap.js';
import { safeReturnPath } from '../../../src/auth/identity/oidc.js';

describe('fillFilter', () => {
  it('escapes the characters that would change an LDAP filter (RFC 4515)', () => {
    expect(fillFilter('(uid={username})', { username: '*)(uid=*' })).toBe(
      '(uid=\\2a\\29\\28uid=\\2a)',
    );
    expect(fillFilter('(uid={username})', { username: 'a\\b\0' })).toBe('(uid=a\\5cb\\00)');
  });

  it('fills every placeholder it knows and leaves others alone', () => {
    const filter = '(|(member={dn})(memberUid={username})(x={other}))';

    expect(fillFilter(filter, { dn: 'uid=a,dc=x', username: 'a' })).toBe(
      '(|(member=uid=a,dc=x)(memberUid=a)(x={other}))',
    );
  });
});

describe('firstRdnValue', () => {
  it.each([
    ['cn=devs,ou=groups,dc=example', 'devs'],
    ['CN=Domain Admins,CN=Users,DC=corp', 'Domain Admins'],
    ['cn=a\\,b,ou=groups', 'a,b'],
    ['cn=caf\\c3\\a9,ou=groups', 'café'],
    ['cn=x+uid=y,dc=example', 'x'],
    ['no-equals-sign', 'no-equals-sign'],
  ])('reads %j as %j', (dn, name) => {
    expect(firstRdnValue(dn)).toBe(name);
  });
});

describe('safeReturnPath', () => {
  it.each(['/', '/projects', '/projects/dev?tab=members', '/a/../b'])('accepts %j', (path) => {
    expect(safeReturnPath(path)).toBeDefined();
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'projects',
    '/x#fragment',
    '',
  ])('refuses %j', (path) => {
    expect(safeReturnPath(path)).toBeUndefined();
  });

  it('normalises the path it returns', () => {
    expect(safeReturnPath('/a/../b?x=1')).toBe('/b?x=1');
  });
});
