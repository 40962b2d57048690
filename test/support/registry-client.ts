import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { expect } from 'vitest';
import { digestOf, type DigestAlgorithm } from '../../src/oci/digest.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatypes.js';
import type { TestServer } from './server.js';

/**
 * Builders for the HTTP contract tests: push blobs and images, build manifests and read error
 * bodies over plain fetch, so that each test states only what it checks.
 */

export { MediaType };
export type { Descriptor };

/** The empty JSON blob `{}` that artifacts use as config (image-spec "Guidance for an Empty Descriptor"). */
export const emptyConfig = {
  mediaType: MediaType.ociEmpty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  bytes: Buffer.from('{}'),
} as const;

export const layerMediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface OciErrorBody {
  errors: { code: string; message: string; detail?: unknown }[];
}

let repoCounter = 0;

/** A repository name no other test in this process uses. */
export function uniqueRepo(prefix = 'test'): string {
  repoCounter += 1;

  return `${prefix}/r${process.pid}-${repoCounter}`;
}

export function randomBlob(size = 256): Buffer {
  return randomBytes(size);
}

export function sha256(bytes: Uint8Array): string {
  return digestOf(bytes, 'sha256');
}

export function descriptorOf(
  bytes: Uint8Array,
  mediaType = layerMediaType,
  algorithm: DigestAlgorithm = 'sha256',
): Descriptor {
  return { mediaType, digest: digestOf(bytes, algorithm), size: bytes.length };
}

/** An absolute `/v2/` URL on `server`; anything with a base URL will do. */
export function v2(server: Pick<TestServer, 'url'>, path: string): string {
  return `${server.url}/v2/${path}`;
}

/** Pushes a blob with a monolithic `POST ?digest=` and returns its digest. */
export async function pushBlob(
  server: TestServer,
  repo: string,
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<string> {
  const digest = digestOf(bytes, algorithm);
  const res = await fetch(v2(server, `${repo}/blobs/uploads/?digest=${digest}`), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(res.status, `push blob to ${repo}`).toBe(201);

  return digest;
}

/** Opens an upload session and returns its absolute upload URL. */
export async function startUpload(server: TestServer, repo: string): Promise<string> {
  const res = await fetch(v2(server, `${repo}/blobs/uploads/`), { method: 'POST' });
  expect(res.status, `start upload in ${repo}`).toBe(202);

  return new URL(res.headers.get('location')!, server.url).toString();
}

/** Adds `?digest=` (and any other parameters) to an upload URL that may already carry a query. */
export function withQuery(uploadUrl: string, params: Record<string, string>): string {
  const url = new URL(uploadUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);

  return url.toString();
}

export async function patchChunk(
  uploadUrl: string,
  chunk: Uint8Array,
  start?: number,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (start !== undefined) headers['content-range'] = `${start}-${start + chunk.length - 1}`;

  return fetch(uploadUrl, { method: 'PATCH', headers, body: chunk });
}

export interface ImageManifestParts {
  config: Descriptor;
  layers?: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  mediaType?: string;
}

export function imageManifest(parts: ImageManifestParts): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: parts.mediaType ?? MediaType.ociManifest,
    ...(parts.artifactType ? { artifactType: parts.artifactType } : {}),
    config: parts.config,
    layers: parts.layers ?? [],
    ...(parts.subject ? { subject: parts.subject } : {}),
    ...(parts.annotations ? { annotations: parts.annotations } : {}),
  };
}

export function imageIndex(
  manifests: Descriptor[],
  mediaType: string = MediaType.ociIndex,
): Record<string, unknown> {
  return { schemaVersion: 2, mediaType, manifests };
}

export function manifestBytes(manifest: Record<string, unknown> | string | Buffer): Buffer {
  if (Buffer.isBuffer(manifest)) return manifest;

  return Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
}

/** PUTs a manifest as-is and returns the raw response, for tests that check refusals too. */
export async function putManifest(
  server: TestServer,
  repo: string,
  reference: string,
  manifest: Record<string, unknown> | string | Buffer,
  contentType: string = MediaType.ociManifest,
): Promise<Response> {
  return fetch(v2(server, `${repo}/manifests/${reference}`), {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: manifestBytes(manifest),
  });
}

/** PUTs a manifest that must be accepted and returns its digest. */
export async function pushManifest(
  server: TestServer,
  repo: string,
  reference: string,
  manifest: Record<string, unknown> | string | Buffer,
  contentType: string = MediaType.ociManifest,
): Promise<string> {
  const res = await putManifest(server, repo, reference, manifest, contentType);
  expect(res.status, `push manifest ${repo}:${reference}`).toBe(201);

  return res.headers.get('docker-content-digest')!;
}

export interface PushedImage {
  digest: string;
  /** The manifest exactly as pushed. */
  bytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
  descriptor: Descriptor;
}

export interface ImageOptions {
  layers?: number;
  mediaType?: string;
  configMediaType?: string;
  layerMediaType?: string;
}

/** Pushes a config, `layers` random layers and an image manifest under `reference`. */
export async function pushImage(
  server: TestServer,
  repo: string,
  reference: string,
  options: ImageOptions = {},
): Promise<PushedImage> {
  const configBytes = Buffer.from(
    JSON.stringify({ os: 'linux', salt: randomBlob(8).toString('hex') }),
  );
  const config = descriptorOf(configBytes, options.configMediaType ?? MediaType.ociConfig);
  await pushBlob(server, repo, configBytes);

  const layers: Descriptor[] = [];
  for (let i = 0; i < (options.layers ?? 1); i++) {
    const bytes = randomBlob(128 + i);
    await pushBlob(server, repo, bytes);
    layers.push(descriptorOf(bytes, options.layerMediaType ?? layerMediaType));
  }

  const mediaType = options.mediaType ?? MediaType.ociManifest;
  const bytes = manifestBytes(imageManifest({ config, layers, mediaType }));
  const digest = await pushManifest(server, repo, reference, bytes, mediaType);

  return { digest, bytes, config, layers, descriptor: { mediaType, digest, size: bytes.length } };
}

/** Pushes an artifact (empty config, one small layer) that refers to `subject`. */
export async function pushReferrer(
  server: TestServer,
  repo: string,
  subject: Descriptor,
  artifactType: string,
  annotations?: Record<string, string>,
): Promise<{ digest: string; response: Response; size: number }> {
  await pushBlob(server, repo, emptyConfig.bytes);
  const payload = randomBlob(32);
  await pushBlob(server, repo, payload);

  const bytes = manifestBytes(
    imageManifest({
      artifactType,
      config: emptyConfig,
      layers: [descriptorOf(payload, 'application/octet-stream')],
      subject,
      annotations,
    }),
  );
  const digest = sha256(bytes);
  const response = await putManifest(server, repo, digest, bytes);
  expect(response.status, `push referrer ${artifactType}`).toBe(201);

  return { digest, response, size: bytes.length };
}

/** Checks the status and the spec error body `{"errors":[{code, message, detail?}]}`. */
export async function expectOciError(
  res: Response,
  status: number,
  code: string,
): Promise<OciErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);

  const body = JSON.parse(text) as OciErrorBody;
  expectErrorShape(body);
  expect(body.errors[0]?.code).toBe(code);

  return body;
}

export function expectErrorShape(body: unknown): void {
  expect(body).toEqual({ errors: expect.any(Array) });
  const { errors } = body as OciErrorBody;
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(Object.keys(error).every((k) => ['code', 'message', 'detail'].includes(k))).toBe(true);
    expect(error.code).toMatch(/^[A-Z_]+$/);
    expect(typeof error.message).toBe('string');
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request with the path exactly as given. fetch normalises `..` and `%2e%2e` away, so
 * path-traversal tests need node:http, which sends the path verbatim.
 */
export function rawRequest(
  server: TestServer,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
  body?: Buffer,
): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);

  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `Range` a session reports on `GET <upload url>`: `0-<last byte>`, or `0-0` when empty. */
export async function uploadRange(uploadUrl: string): Promise<string | null> {
  const res = await fetch(uploadUrl);
  expect(res.status, `upload status of ${uploadUrl}`).toBe(204);

  return res.headers.get('range');
}

/** Status of `HEAD /v2/<repo>/blobs/<digest>`. */
export async function blobStatus(
  server: Pick<TestServer, 'url'>,
  repo: string,
  digest: string,
): Promise<number> {
  const res = await fetch(v2(server, `${repo}/blobs/${digest}`), { method: 'HEAD' });

  return res.status;
}

export async function blobExists(
  server: TestServer,
  repo: string,
  digest: string,
): Promise<boolean> {
  return (await blobStatus(server, repo, digest)) === 200;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
