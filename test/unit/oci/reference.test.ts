import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/oci/errors.js';
import {
  assertValidName,
  isValidName,
  isValidTag,
  maxNameLength,
  parseManifestReference,
} from '../../../src/oci/reference.js';

const digest = `sha256:${'b'.repeat(64)}`;

describe('repository names', () => {
  it.each([
    'alpine',
    'library/alpine',
    'ghcr.io/org/team/app',
    'a/b/c/d/e/f',
    'my-app',
    'my--app',
    'my_app',
    'my__app',
    'my.app',
    'app2/v1.0',
    '0',
    'a'.repeat(maxNameLength),
  ])('accepts %s', (name) => {
    expect(isValidName(name)).toBe(true);
    expect(() => assertValidName(name)).not.toThrow();
  });

  it.each([
    ['uppercase letters', 'Library/alpine'],
    ['a `..` separator', 'a..b'],
    ['a `..` component', 'library/../etc'],
    ['a leading dash', '-app'],
    ['a trailing dash', 'app-'],
    ['a component with a leading dash', 'library/-app'],
    ['a leading period', '.app'],
    ['three underscores', 'a___b'],
    ['a double slash', 'library//alpine'],
    ['a leading slash', '/alpine'],
    ['a trailing slash', 'alpine/'],
    ['a colon', 'alpine:latest'],
    ['a space', 'my app'],
    ['an empty name', ''],
    ['256 characters', 'a'.repeat(256)],
    ['256 characters over components', `${'a/'.repeat(127)}ab`],
  ])('refuses a name with %s', (_, name) => {
    expect(isValidName(name)).toBe(false);
    expect(() => assertValidName(name)).toThrow(expect.objectContaining({ code: 'NAME_INVALID' }));
  });
});

describe('tags', () => {
  it.each(['latest', 'v1.2.3', 'V1', '_internal', '1', 'a-b_c.d', 'x'.repeat(128)])(
    'accepts %s',
    (tag) => {
      expect(isValidTag(tag)).toBe(true);
    },
  );

  it.each([
    ['129 characters', 'x'.repeat(129)],
    ['a leading period', '.hidden'],
    ['a leading dash', '-rc1'],
    ['a colon', 'v1:2'],
    ['a slash', 'v1/2'],
    ['a plus sign', 'v1+build'],
    ['an empty string', ''],
  ])('refuses a tag with %s', (_, tag) => {
    expect(isValidTag(tag)).toBe(false);
  });
});

describe('parseManifestReference', () => {
  it('reads a valid tag as a tag', () => {
    expect(parseManifestReference('v1.0')).toEqual({ kind: 'tag', tag: 'v1.0' });
  });

  it('reads a valid digest as a digest', () => {
    expect(parseManifestReference(digest)).toEqual({
      kind: 'digest',
      algorithm: 'sha256',
      hex: 'b'.repeat(64),
      digest,
    });
  });

  it.each([`sha256:${'b'.repeat(10)}`, `md5:${'b'.repeat(32)}`, `sha256:${'B'.repeat(64)}`])(
    'refuses the malformed digest %s with DIGEST_INVALID when reading and writing',
    (reference) => {
      expect(codeOf(() => parseManifestReference(reference))).toBe('DIGEST_INVALID');
      expect(codeOf(() => parseManifestReference(reference, true))).toBe('DIGEST_INVALID');
    },
  );

  it.each(['.hidden', '-rc1', 'x'.repeat(129), 'a/b'])(
    'answers the malformed tag %s with MANIFEST_UNKNOWN when reading',
    (reference) => {
      expect(codeOf(() => parseManifestReference(reference))).toBe('MANIFEST_UNKNOWN');
    },
  );

  it.each(['.hidden', '-rc1', 'x'.repeat(129), 'a/b'])(
    'refuses the malformed tag %s with MANIFEST_INVALID when writing',
    (reference) => {
      expect(codeOf(() => parseManifestReference(reference, true))).toBe('MANIFEST_INVALID');
    },
  );
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return err.code;
    throw err;
  }
  throw new Error('expected a RegistryError');
}
