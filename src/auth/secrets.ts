import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors.js';

export const passwordMinLength = 8;
export const passwordMaxLength = 256;

/**
 * argon2id with the library's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum
 * recommendation). The PHC string carries its own parameters, so stronger settings later still
 * verify old hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  return argon2Hash(password);
}

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  // An account without a local password still costs one hash, so that timing does not reveal
  // which names exist or sign in elsewhere.
  const target = hash ?? (await dummyHash());
  try {
    const ok = await argon2Verify(target, password);
    return ok && hash !== null;
  } catch {
    return false;
  }
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < passwordMinLength || password.length > passwordMaxLength) {
    throw new AuthError(
      'invalid',
      `a password must be ${passwordMinLength} to ${passwordMaxLength} characters long`,
    );
  }
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= argon2Hash(randomBytes(16).toString('hex'));
  return dummy;
}

/** A robot secret or generated password: 256 random bits, URL-safe. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Robot secrets are random, not chosen by people: a plain sha256 resists guessing. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(hash: string, secret: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
