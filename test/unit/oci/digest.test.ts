import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digestOf,
  isDigest,
  parseDigest,
  truncate,
  tryParseDigest,
} from '../../../src/oci/digest.js';
import { RegistryError } from '../../../src/oci/errors.js';

const sha256 = `sha256:${'a'.repeat(64)}`;
const sha512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

describe('tryParseDigest', () => {
  it('parses a sha256 digest into algorithm and hex', () => {
    expect(tryParseDigest(sha256)).toEqual({
      algorithm: 'sha256',
      hex: 'a'.repeat(64),
      digest: sha256,
    });
  });

  it('parses a sha512 digest', () => {
    expect(tryParseDigest(sha512)).toMatchObject({ algorithm: 'sha512', hex: sha512.slice(7) });
  });

  it.each([
    ['a sha256 hex one short', `sha256:${'a'.repeat(63)}`],
    ['a sha256 hex one long', `sha256:${'a'.repeat(65)}`],
    ['a sha256-length hex for sha512', `sha512:${'a'.repeat(64)}`],
    ['a sha512-length hex for sha256', `sha256:${'a'.repeat(128)}`],
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['mixed-case hex', `sha256:${'a'.repeat(63)}B`],
    ['non-hex characters', `sha256:${'g'.repeat(64)}`],
    ['an unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['a well-formed but unregistered algorithm', `sha384:${'a'.repeat(96)}`],
    ['an inherited property name as algorithm', `constructor:${'a'.repeat(64)}`],
    ['an uppercase algorithm', `SHA256:${'a'.repeat(64)}`],
    ['no algorithm', `:${'a'.repeat(64)}`],
    ['no separator', 'a'.repeat(64)],
    ['an empty string', ''],
    ['surrounding whitespace', ` ${sha256}`],
    ['a path', `sha256:../${'a'.repeat(61)}`],
  ])('refuses %s', (_, value) => {
    expect(tryParseDigest(value)).toBeUndefined();
    expect(isDigest(value)).toBe(false);
  });
});

describe('parseDigest', () => {
  it('returns the parsed digest when valid', () => {
    expect(parseDigest(sha256).digest).toBe(sha256);
  });

  it('throws DIGEST_INVALID for a malformed digest', () => {
    expect(() => parseDigest('sha256:nope')).toThrow(
      expect.objectContaining({ code: 'DIGEST_INVALID', status: 400 }),
    );
    expect(() => parseDigest('sha256:nope')).toThrow(RegistryError);
  });

  it('truncates a long malformed digest in its message', () => {
    const error = catchError(() => parseDigest(`sha256:${'z'.repeat(500)}`));

    expect(error.message.length).toBeLessThan(120);
    expect(error.message).toContain('…');
  });
});

describe('digestOf', () => {
  it('computes sha256 by default and sha512 on request', () => {
    const data = Buffer.from('hello');

    expect(digestOf(data)).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    expect(digestOf(data, 'sha512')).toBe(
      `sha512:${createHash('sha512').update(data).digest('hex')}`,
    );
    expect(isDigest(digestOf(data, 'sha512'))).toBe(true);
  });
});

describe('truncate', () => {
  it('keeps short values and shortens long ones with an ellipsis', () => {
    expect(truncate('short')).toBe('short');
    expect(truncate('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
