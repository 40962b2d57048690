/**
 * Helpers for tests with authentication on: accounts made through the management API, and
 * registry requests sent with a user's or robot's credentials.
 */
import { expect } from 'vitest';
import { ApiClient } from './api-client.js';
import {
  descriptorOf,
  imageManifest,
  layerMediaType,
  manifestBytes,
  MediaType,
  randomBlob,
  sha256,
} from './registry-client.js';
import { testAdminPassword, type TestServer } from './server.js';

export interface Credentials {
  username: string;
  password: string;
}

export const adminCredentials: Credentials = { username: 'admin', password: testAdminPassword };

export function basicHeader({ username, password }: Credentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The management API as the admin, with helpers that must succeed. */
export class AdminApi {
  readonly api: ApiClient;

  constructor(server: Pick<TestServer, 'url'>) {
    this.api = new ApiClient(server.url);
  }

  async createUser(username: string, password = `${username}-password-1`): Promise<Credentials> {
    const res = await this.api.post('/users', {
      basic: adminCredentials,
      body: { username, password, email: `${username}@example.test` },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    return { username, password };
  }

  async createProject(
    name: string,
    settings: { public?: boolean; labels?: Record<string, string> } = {},
  ) {
    const res = await this.api.post('/projects', {
      basic: adminCredentials,
      body: { name, public: settings.public ?? false, labels: settings.labels ?? {} },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  async addMember(project: string, kind: 'user' | 'group', name: string, role: string) {
    const res = await this.api.put(`/projects/${project}/members/${kind}/${name}`, {
      basic: adminCredentials,
      body: { role },
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }

  /** A robot with the given grants; returns its login (name and secret). */
  async createRobot(
    name: string,
    grants: { project: string; repositories?: string[]; actions: string[] }[],
    options: { project?: string; expiresAt?: string | null } = {},
  ): Promise<Credentials> {
    const path = options.project ? `/projects/${options.project}/robots` : '/robots';
    const res = await this.api.post<{ robot: { name: string }; secret: string }>(path, {
      basic: adminCredentials,
      body: { name, grants, expiresAt: options.expiresAt },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    return { username: res.body.robot.name, password: res.body.secret };
  }
}

/** Registry requests (the /v2/ API) sent with Basic credentials, or none. */
export class RegistryAs {
  constructor(
    private readonly server: Pick<TestServer, 'url'>,
    private readonly credentials?: Credentials,
  ) {}

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.credentials) headers.set('authorization', basicHeader(this.credentials));

    return fetch(`${this.server.url}/v2/${path}`, { ...init, headers });
  }

  /** Pushes one small image; returns the manifest response (201 when allowed). */
  async pushImage(repo: string, tag: string): Promise<Response> {
    const config = Buffer.from(
      JSON.stringify({ os: 'linux', salt: randomBlob(8).toString('hex') }),
    );
    const layer = randomBlob(200);
    for (const blob of [config, layer]) {
      const res = await this.fetch(`${repo}/blobs/uploads/?digest=${sha256(blob)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: blob,
      });
      if (res.status !== 201) return res;
    }

    const manifest = imageManifest({
      config: descriptorOf(config, MediaType.ociConfig),
      layers: [descriptorOf(layer, layerMediaType)],
    });
    return this.fetch(`${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': MediaType.ociManifest },
      body: manifestBytes(manifest),
    });
  }

  /** Pushes an image that must be accepted; returns its digest. */
  async pushed(repo: string, tag: string): Promise<string> {
    const res = await this.pushImage(repo, tag);
    expect(res.status, await res.clone().text()).toBe(201);

    return res.headers.get('docker-content-digest')!;
  }

  pull(repo: string, reference: string): Promise<Response> {
    return this.fetch(`${repo}/manifests/${reference}`, {
      headers: { accept: MediaType.ociManifest },
    });
  }

  deleteManifest(repo: string, reference: string): Promise<Response> {
    return this.fetch(`${repo}/manifests/${reference}`, { method: 'DELETE' });
  }
}
