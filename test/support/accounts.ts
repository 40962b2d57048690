/**
 * Helpers for tests with authentication on: accounts made through the management API, and
 * registry requests sent with a user's or robot's credentials.
 */
import { gzipSync } from 'node:zlib';
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

  /**
   * Pushes one small image that container engines can unpack too (a real gzipped tar layer and
   * a config naming its diff ID); returns the manifest response (201 when allowed).
   */
  async pushImage(repo: string, tag: string): Promise<Response> {
    const tar = tarOf('hello.txt', `hello from ${repo}:${tag} ${randomBlob(8).toString('hex')}\n`);
    const layer = gzipSync(tar);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      }),
    );
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

/** A one-file POSIX tar archive (ustar header, data, two zero blocks). */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) =>
    header.write(value.padEnd(length, '\0').slice(0, length), offset, 'latin1');
  field(name, 0, 100);
  field('0000644', 100, 8);
  field('0000000', 108, 8);
  field('0000000', 116, 8);
  field(data.length.toString(8).padStart(11, '0'), 124, 12);
  field('00000000000', 136, 12);
  field('0', 156, 1);
  field('ustar', 257, 6);
  field('00', 263, 2);

  // The checksum is computed with its own field read as eight spaces.
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);

  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}
