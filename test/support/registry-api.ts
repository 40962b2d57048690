import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '../../src/oci/manifest.js';
import { manifestMediaTypes } from '../../src/oci/mediatypes.js';
import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../src/config/index.js';
import { AdminApi, basicHeader, type Credentials } from './accounts.js';
import { startTestServer, tempDir, type TestServer } from './server.js';

/** Every manifest type a client of these tests may have pushed. */
const manifestTypes = [...manifestMediaTypes].join(', ');

/** A manifest or an index, with only the fields the tests read. */
export interface Manifest {
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
}

export interface ImageConfig {
  config?: { Labels?: Record<string, string> };
  rootfs: { diff_ids: string[] };
}

/**
 * The registry's own view, read over plain HTTP: what a client claims to have done is checked
 * here, never through the same client.
 */
export class RegistryApi {
  constructor(
    readonly url: string,
    /** Sent as Basic credentials with every request when the server has authentication on. */
    private readonly credentials?: Credentials,
  ) {}

  /** Status of GET /v2/<name>/manifests/<reference>. */
  async manifestStatus(name: string, reference: string): Promise<number> {
    const response = await this.get(`/v2/${name}/manifests/${reference}`, manifestTypes);
    await response.arrayBuffer();

    return response.status;
  }

  /** The manifest and the digest the registry answers with; throws unless it answers 200. */
  async manifest(name: string, reference: string): Promise<{ digest: string; body: Manifest }> {
    const response = await this.ok(`/v2/${name}/manifests/${reference}`, manifestTypes);
    const digest = response.headers.get('docker-content-digest') ?? '';

    return { digest, body: (await response.json()) as Manifest };
  }

  async blobStatus(name: string, digest: string): Promise<number> {
    const response = await fetch(`${this.url}/v2/${name}/blobs/${digest}`, {
      method: 'HEAD',
      headers: this.authorization(),
    });

    return response.status;
  }

  async blobJson<T>(name: string, digest: string): Promise<T> {
    const response = await this.ok(`/v2/${name}/blobs/${digest}`);

    return (await response.json()) as T;
  }

  /** Downloads a blob and hashes what arrived. */
  async blobSha256(name: string, digest: string): Promise<string> {
    const response = await this.ok(`/v2/${name}/blobs/${digest}`);
    const hash = createHash('sha256');
    for await (const chunk of response.body!) hash.update(chunk);

    return `sha256:${hash.digest('hex')}`;
  }

  /** The tag list, or undefined when the repository is unknown. */
  async tags(name: string): Promise<string[] | undefined> {
    const response = await this.get(`/v2/${name}/tags/list`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`tags/list of ${name}: ${response.status}`);

    return ((await response.json()) as { tags: string[] }).tags;
  }

  async referrers(name: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const filter = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
    const response = await this.ok(`/v2/${name}/referrers/${digest}${filter}`);

    return ((await response.json()) as { manifests: Descriptor[] }).manifests;
  }

  /** The value of one Prometheus counter series on /metrics, 0 when absent. */
  async counter(series: string): Promise<number> {
    const text = await (await this.ok('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));

    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  }

  private get(path: string, accept = '*/*'): Promise<Response> {
    return fetch(`${this.url}${path}`, { headers: { accept, ...this.authorization() } });
  }

  private authorization(): Record<string, string> {
    return this.credentials ? { authorization: basicHeader(this.credentials) } : {};
  }

  private async ok(path: string, accept?: string): Promise<Response> {
    const response = await this.get(path, accept);
    if (response.status !== 200) {
      throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    }

    return response;
  }
}

/** What an end-to-end test file shares: a server, its API checker, a scratch dir, references. */
export interface E2eRegistry {
  server: TestServer;
  api: RegistryApi;
  scratch: string;
  /** The signed-in user the clients act as. */
  user: Credentials;
  /** `host/name:tag` on the server under test. */
  ref(name: string, tag: string): string;
}

/**
 * Starts one Berth for the calling test file (in its beforeAll) and stops it afterwards. The
 * fields are filled in before the file's own beforeAll hooks run.
 *
 * Authentication is on, as in production: the clients act as an ordinary user (not an admin)
 * whose first push into a project creates it. Their credentials reach every client the way a
 * `login` would leave them: a Docker config.json named by DOCKER_CONFIG (crane, oras, regctl)
 * and REGISTRY_AUTH_FILE (skopeo, podman, buildah), both set for this test file's process.
 * `settings` adds to the server's configuration (authentication stays on).
 */
export function useE2eRegistry(name: string, settings: ConfigInput = {}): E2eRegistry {
  const e2e = {
    ref: (repository: string, tag: string) => `${e2e.server.host}/${repository}:${tag}`,
  } as E2eRegistry;

  beforeAll(async () => {
    e2e.server = await startTestServer({ ...settings, auth: { enabled: true } });
    e2e.scratch = tempDir(`berth-e2e-${name}-`);
    e2e.user = await new AdminApi(e2e.server).createUser(`e2e-${name}`);
    e2e.api = new RegistryApi(e2e.server.url, e2e.user);
    useClientCredentials(e2e.scratch, e2e.server.host, e2e.user);
  });
  afterAll(async () => {
    await e2e.server?.close();
  });

  return e2e;
}

/** Writes a Docker config.json holding `credentials` for `host` and points the clients at it. */
export function useClientCredentials(dir: string, host: string, credentials: Credentials): void {
  const configDir = path.join(dir, 'docker-config');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const file = path.join(configDir, 'config.json');
  const auth = basicHeader(credentials).slice('Basic '.length);
  writeFileSync(file, JSON.stringify({ auths: { [host]: { auth } } }), { mode: 0o600 });

  process.env.DOCKER_CONFIG = configDir;
  process.env.REGISTRY_AUTH_FILE = file;
}
