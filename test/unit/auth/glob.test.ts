// Robot grant patterns: `*` within a segment, `**` for one or more segments, and a matcher whose
// work stays bounded whatever the pattern.
import { describe, expect, it } from 'vitest';
import { globMatches } from '../../../src/auth/glob.js';

describe('globMatches', () => {
  it.each([
    ['web/*', 'web/shop', true],
    ['web/*', 'web/shop/x', false],
    ['web/*', 'api', false],
    ['web*', 'webshop', true],
    ['web*', 'web', true],
    ['*-svc', 'pay-svc', true],
    ['*-svc', 'pay-svc/x', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['**', '', true],
    ['**', 'a/b/c', true],
    ['web/**', 'web/a/b', true],
    ['web/**', 'web', false],
    ['**/app', 'x/y/app', true],
    ['**/app', 'app', false],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/b', false],
    ['app', 'app', true],
    ['app', 'apps', false],
    ['team.a/x_*', 'team.a/x_1', true],
    ['**/**', 'a', false],
    ['**/**', 'a/b', true],
    ['a/**/b/**/c', 'a/x/b/y/c', true],
    ['a/**/b/**/c', 'a/b/c', false],
    ['a/**/b*/**/c', 'a/x/b1/b2/y/c', true],
    ['*a*b*', 'xaybz', true],
    ['*a*b*', 'xbya', false],
  ])('%s against "%s" is %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  it('answers at once for patterns that make a backtracking regex take exponential time', () => {
    const pattern = `${'a*'.repeat(40)}b`;
    const name = 'a'.repeat(250);

    expect(globMatches(pattern, name)).toBe(false);
    expect(globMatches(`${'**/'.repeat(40)}b`, `${'a/'.repeat(120)}c`)).toBe(false);
    expect(globMatches(`**/${'a*/'.repeat(14)}b/**`, 'a/'.repeat(126) + 'a')).toBe(false);
  });
});
