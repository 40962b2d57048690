import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { MediaType } from '../../oci/index.js';
import type { Credentials } from './credentials.js';
import { ImageSourceError } from './errors.js';
import type { ImageSource, ResolvedImage } from './image.js';
import { MAX_MANIFEST_BYTES, resolveManifest, type ManifestReader } from './manifests.js';
import type { Platform } from './platform.js';
import { readAll, verifiedStream } from './verify.js';

export interface RegistryOptions {
  /** Talk HTTP instead of HTTPS: registries on loopback or in a lab. */
  plainHttp?: boolean;
  credentials?: Credentials;
}

const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

/**
 * An image in a registry, read through the OCI distribution API. A 401 is answered once per
 * challenge: a Bearer challenge by asking its realm for a pull token (with the credentials,
 * when there are any), a Basic challenge by sending the credentials.
 */
export class RegistrySource implements ImageSource {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(
    private readonly registry: string,
    private readonly repository: string,
    private readonly ref: { tag?: string; digest?: string },
    private readonly reference: string,
    private readonly options: RegistryOptions = {},
  ) {
    this.base = `${options.plainHttp ? 'http' : 'https'}://${registry}`;
  }

  async resolve(platform: Platform): Promise<ResolvedImage> {
    const reader: ManifestReader = {
      manifest: (reference) => this.manifest(reference),
      blob: async (digest) =>
        readAll(await this.openBlob(digest), `blob ${digest}`, MAX_MANIFEST_BYTES),
    };
    const image = await resolveManifest(reader, this.ref.digest ?? this.ref.tag!, platform);

    return {
      reference: this.reference,
      name: `${this.registry}/${this.repository}`,
      ...(this.ref.tag && { tag: this.ref.tag }),
      ...image,
    };
  }

  async openBlob(digest: string): Promise<Readable> {
    const response = await this.get(`/v2/${this.repository}/blobs/${digest}`);
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ImageSourceError('not-found', `${this.name()} has no blob ${digest}`);
    }
    await expectOk(response, `blob ${digest}`);

    return verifiedStream(digest, Readable.fromWeb(response.body as WebReadableStream<Uint8Array>));
  }

  async close(): Promise<void> {}

  private async manifest(reference: string): Promise<{ bytes: Buffer; mediaType?: string }> {
    const response = await this.get(`/v2/${this.repository}/manifests/${reference}`, {
      accept: MANIFEST_ACCEPT,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ImageSourceError('not-found', `${this.name()}: manifest ${reference} not found`);
    }
    await expectOk(response, `manifest ${reference}`);

    const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    const bytes = await readAll(stream, `manifest ${reference}`, MAX_MANIFEST_BYTES);

    return { bytes, mediaType: response.headers.get('content-type') ?? undefined };
  }

  private async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    let response = await this.send(path, headers);
    if (response.status !== 401) return response;

    await response.body?.cancel();
    this.authorization = await this.authorize(response.headers.get('www-authenticate'));
    response = await this.send(path, headers);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      // Registries hand anonymous callers a token that admits nothing; with no credentials
      // sent, the refusal asks for some rather than refusing any.
      if (!this.options.credentials) throw this.needsCredentials();
      throw new ImageSourceError(
        'unauthorized',
        `${this.registry} refused the credentials for ${this.repository}`,
      );
    }

    return response;
  }

  private async send(path: string, headers: Record<string, string>): Promise<Response> {
    const url = `${this.base}${path}`;
    const all = this.authorization ? { ...headers, authorization: this.authorization } : headers;

    return request(url, { headers: all }, this.options.plainHttp);
  }

  private async authorize(challenge: string | null): Promise<string> {
    const parsed = parseChallenge(challenge ?? '');
    const credentials = this.options.credentials;

    if (parsed?.scheme === 'basic') {
      if (!credentials) throw this.needsCredentials();
      return basic(credentials);
    }
    if (parsed?.scheme !== 'bearer' || !parsed.params.realm) {
      throw new ImageSourceError(
        'unauthorized',
        `${this.registry} asked for authentication it does not describe`,
      );
    }

    return `Bearer ${await this.token(parsed.params, credentials)}`;
  }

  /** The token flow of the distribution spec's token authentication (docker/distribution docs). */
  private async token(params: Record<string, string>, credentials: Credentials | undefined) {
    const url = new URL(params.realm!);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.repository}:pull`);
    const headers: Record<string, string> = credentials
      ? { authorization: basic(credentials) }
      : {};

    const response = await request(url.toString(), { headers }, this.options.plainHttp);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw credentials
        ? new ImageSourceError(
            'unauthorized',
            `${url.host} refused the credentials for ${this.repository}`,
          )
        : this.needsCredentials();
    }
    await expectOk(response, 'token');

    const body = (await response.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new ImageSourceError('network', `${url.host} answered no token`);

    return token;
  }

  private needsCredentials(): ImageSourceError {
    return new ImageSourceError(
      'unauthorized',
      `${this.registry} needs credentials for ${this.repository}: use --username with --password-stdin, or log in with docker or podman`,
    );
  }

  private name(): string {
    return `${this.registry}/${this.repository}`;
  }
}

async function request(url: string, init: RequestInit, plainHttp = false): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.message ?? (error as Error).message;
    const host = new URL(url).host;
    const tls = /SSL|TLS|EPROTO|certificate/i.test(`${cause?.code ?? ''} ${detail}`);
    if (tls && !plainHttp) {
      // OpenSSL's messages run long ("…:SSL routines:ssl3_get_record:wrong version number:…").
      const reason = /wrong version number|certificate[^:]*|handshake[^:]*/i.exec(detail)?.[0];
      throw new ImageSourceError(
        'network',
        `cannot reach ${host} over HTTPS (${reason ?? 'TLS failed'}); for a registry that speaks plain HTTP, use --plain-http`,
        { cause: error },
      );
    }

    throw new ImageSourceError('network', `cannot reach ${host}: ${detail}`, { cause: error });
  }
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;

  const text = await response.text().catch(() => '');
  throw new ImageSourceError(
    'network',
    `${what}: the registry answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
  );
}

function basic(credentials: Credentials): string {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');

  return `Basic ${token}`;
}

/** `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted values). */
export function parseChallenge(
  header: string,
): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;

  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[2]!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[key!.toLowerCase()] = quoted ?? bare ?? '';
  }

  return { scheme: match[1]!.toLowerCase(), params };
}
