import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from './errors.js';

/** Digest algorithms Berth accepts (image-spec descriptor.md "Registered algorithms"). */
export const digestAlgorithms = {
  sha256: { hash: 'sha256', hexLength: 64 },
  sha512: { hash: 'sha512', hexLength: 128 },
} as const;

export type DigestAlgorithm = keyof typeof digestAlgorithms;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** The canonical `algorithm:hex` string. */
  digest: string;
}

const digestPattern = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** Parses `algorithm:hex`, or returns undefined when it is not a digest Berth can verify. */
export function tryParseDigest(value: string): ParsedDigest | undefined {
  const match = digestPattern.exec(value);
  if (!match) return undefined;

  const algorithm = match[1] as DigestAlgorithm;
  const hex = match[2] as string;
  const spec = digestAlgorithms[algorithm];
  if (!Object.hasOwn(digestAlgorithms, algorithm) || !spec) return undefined;
  if (hex.length !== spec.hexLength || !/^[a-f0-9]+$/.test(hex)) return undefined;

  return { algorithm, hex, digest: value };
}

/** Parses a digest or throws DIGEST_INVALID, the spec's answer to a malformed digest. */
export function parseDigest(value: string): ParsedDigest {
  const parsed = tryParseDigest(value);
  if (!parsed) throw new RegistryError('DIGEST_INVALID', `invalid digest "${truncate(value)}"`);

  return parsed;
}

export function isDigest(value: string): boolean {
  return tryParseDigest(value) !== undefined;
}

export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Hash {
  return createHash(digestAlgorithms[algorithm].hash);
}

export function digestOf(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createDigester(algorithm).update(data).digest('hex')}`;
}

export function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
