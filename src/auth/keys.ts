import {
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { createHash } from 'node:crypto';
import type { AccountStore, SigningKeyRecord } from '../metadata/index.js';

const algorithm = 'ES256';

interface LoadedKey {
  kid: string;
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
  createdAt: number;
  retiredAt: number | null;
}

export interface KeyRingOptions {
  /** A new signing key is made once the active one is this old. */
  rotationMs: number;
  /** Retired keys are kept this long, so tokens they signed still verify until they expire. */
  retainMs: number;
}

/**
 * The keys that sign registry tokens. They live in the metadata database, so every node signs
 * and verifies with the same keys; a node that meets an unknown `kid` reloads them.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | undefined;

  constructor(
    private readonly accounts: AccountStore,
    private readonly options: KeyRingOptions,
  ) {}

  /** The key to sign with, rotating first when the active one is due. */
  async signingKey(now = Date.now()): Promise<LoadedKey> {
    if (!this.active || now - this.active.createdAt >= this.options.rotationMs) await this.reload();
    if (!this.active || now - this.active.createdAt >= this.options.rotationMs)
      await this.rotate(now);

    return this.active as LoadedKey;
  }

  /** The key a token names, if it is still trusted. */
  async verificationKey(kid: string): Promise<LoadedKey | undefined> {
    if (!this.keys.has(kid)) await this.reload();

    return this.keys.get(kid);
  }

  /** Public keys as a JWK set, for anyone who wants to verify Berth's tokens. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.signingKey();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  /** Makes a new signing key now; the previous one keeps verifying until it is retained out. */
  async rotate(now = Date.now()): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = keyId(publicJwk);
    publicJwk.kid = kid;
    publicJwk.alg = algorithm;
    publicJwk.use = 'sig';

    await this.accounts.rotateSigningKey({
      kid,
      algorithm,
      privatePem: await exportPKCS8(privateKey),
      publicJwk: JSON.stringify(publicJwk),
      createdAt: now,
    });
    await this.accounts.deleteSigningKeysRetiredBefore(now - this.options.retainMs);
    await this.reload();

    return kid;
  }

  private async reload(): Promise<void> {
    const records = await this.accounts.listSigningKeys();
    const keys = new Map<string, LoadedKey>();
    for (const record of records) keys.set(record.kid, await load(record));

    this.keys = keys;
    this.active = [...keys.values()].filter((k) => k.retiredAt === null).at(-1);
  }
}

async function load(record: SigningKeyRecord): Promise<LoadedKey> {
  return {
    kid: record.kid,
    privateKey: await importPKCS8(record.privatePem, record.algorithm),
    publicJwk: JSON.parse(record.publicJwk) as JWK,
    createdAt: record.createdAt,
    retiredAt: record.retiredAt,
  };
}

/** RFC 7638 thumbprint-like id: stable for a key, different between keys. */
function keyId(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
