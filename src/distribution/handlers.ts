import { Transform, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../oci/errors.js';
import { MediaType } from '../oci/mediatypes.js';
import { parseChunkRange } from '../oci/range.js';
import { uploadLocation, uploadRange, type ListPage, type Registry } from '../registry/index.js';
import { hasBody, readLimitedBody } from './body.js';
import type { Visitor } from './access.js';
import type { MatchedRoute } from './routes.js';

export interface Exchange {
  registry: Registry;
  request: FastifyRequest;
  reply: FastifyReply;
  route: MatchedRoute;
  query: URLSearchParams;
  /** Counts request body bytes for metrics. */
  countIn: (bytes: number) => void;
  visitor: Visitor;
}

/** Handlers return the reply: Fastify needs it back from an async handler that sends a stream. */
type Handler = (x: Exchange) => Promise<FastifyReply>;

export const handlers: Record<string, Handler> = {
  'GET base': async ({ reply }) =>
    reply.header('content-type', 'application/json').send(Buffer.from('{}')),
  'HEAD base': async ({ reply }) =>
    reply.header('content-type', 'application/json').header('content-length', '2').send(),
  'GET catalog': getCatalog,
  'HEAD catalog': getCatalog,
  'GET manifest': getManifest,
  'HEAD manifest': getManifest,
  'PUT manifest': putManifest,
  'DELETE manifest': deleteManifest,
  'GET blob': getBlob,
  'HEAD blob': headBlob,
  'DELETE blob': deleteBlob,
  'POST uploads': startUpload,
  'PATCH upload': patchUpload,
  'PUT upload': finishUpload,
  'GET upload': uploadStatus,
  'DELETE upload': cancelUpload,
  'GET tags': getTags,
  'HEAD tags': getTags,
  'GET referrers': getReferrers,
  'HEAD referrers': getReferrers,
};

async function getManifest({ registry, request, reply, route }: Exchange): Promise<FastifyReply> {
  const head = request.method === 'HEAD';
  const accept = headerList(request.headers.accept);
  const manifest = await registry.manifests.get(route.name!, route.reference!, accept, !head);

  reply
    .header('content-type', manifest.mediaType)
    .header('content-length', String(manifest.size))
    .header('docker-content-digest', manifest.digest)
    .header('etag', `"${manifest.digest}"`);
  if (notModified(request, manifest.digest))
    return reply.code(304).removeHeader('content-length').send();
  if (head) return reply.send();

  return reply.send(manifest.body);
}

async function putManifest({
  registry,
  request,
  reply,
  route,
  query,
  countIn,
}: Exchange): Promise<FastifyReply> {
  const body = await readLimitedBody(request.raw, registry.manifests.options.maxBytes);
  countIn(body.length);
  const result = await registry.manifests.put(
    route.name!,
    route.reference!,
    body,
    request.headers['content-type'],
    query.getAll('tag'),
  );

  reply
    .code(201)
    .header('location', `/v2/${route.name}/manifests/${result.digest}`)
    .header('docker-content-digest', result.digest)
    .header('content-length', '0');
  // v1.1 "Pushing Manifests with Subject": tells clients not to maintain the tag fallback.
  if (result.subject) reply.header('oci-subject', result.subject);
  if (query.has('tag')) reply.header('oci-tag', result.tags);
  return reply.send();
}

async function deleteManifest({ registry, reply, route }: Exchange): Promise<FastifyReply> {
  await registry.manifests.delete(route.name!, route.reference!);
  return reply.code(202).header('content-length', '0').send();
}

async function headBlob({ registry, request, reply, route }: Exchange): Promise<FastifyReply> {
  const blob = await registry.blobs.stat(route.name!, route.reference!);

  return blobMetadata(request, reply, blob.digest, blob.size);
}

async function getBlob({ registry, request, reply, route }: Exchange): Promise<FastifyReply> {
  if (request.headers['if-none-match']) {
    const known = await registry.blobs.stat(route.name!, route.reference!);
    if (notModified(request, known.digest))
      return blobMetadata(request, reply, known.digest, known.size);
  }
  const blob = await registry.blobs.open(route.name!, route.reference!, request.headers.range);

  reply
    .header('content-type', 'application/octet-stream')
    .header('docker-content-digest', blob.digest)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${blob.digest}"`);
  if (blob.range) {
    const { start, end } = blob.range;
    reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${blob.size}`)
      .header('content-length', String(end - start + 1));
  } else {
    reply.header('content-length', String(blob.size));
  }

  return reply.send(blob.stream);
}

/** A blob's headers without its body: HEAD, or 304 to a client that already holds it. */
function blobMetadata(
  request: FastifyRequest,
  reply: FastifyReply,
  digest: string,
  size: number,
): FastifyReply {
  reply
    .header('content-type', 'application/octet-stream')
    .header('docker-content-digest', digest)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${digest}"`);
  if (notModified(request, digest)) return reply.code(304).send();

  // Node sends no Content-Length on a bodiless HEAD unless it is set explicitly, and the
  // distribution client refuses a blob HEAD without one.
  return reply.header('content-length', String(size)).send();
}

async function deleteBlob({ registry, reply, route }: Exchange): Promise<FastifyReply> {
  await registry.blobs.delete(route.name!, route.reference!);
  return reply.code(202).header('content-length', '0').send();
}

async function startUpload({
  registry,
  request,
  reply,
  route,
  query,
  countIn,
  visitor,
}: Exchange): Promise<FastifyReply> {
  const digest = query.get('digest') ?? undefined;
  const body = digest !== undefined && hasBody(request.raw) ? counted(request, countIn) : undefined;
  // A mount from a repository the caller cannot read falls back to a normal upload (v1.1
  // "Mounting a blob from another repository": the registry may answer 202 instead of 201).
  const result = await registry.uploads.start(
    route.name!,
    {
      mount: query.get('mount') ?? undefined,
      from: query.get('from') ?? undefined,
      digest,
      body,
      length: body ? declaredLength(request) : undefined,
    },
    { canMount: (source) => visitor.canPull(source) },
  );

  if (result.kind === 'session') {
    return reply
      .code(202)
      .header('location', uploadLocation(route.name!, result.id))
      .header('range', uploadRange(result.size))
      .header('docker-upload-uuid', result.id)
      .header('content-length', '0')
      .send();
  }
  return blobCreated(reply, route.name!, result.digest);
}

async function patchUpload({
  registry,
  request,
  reply,
  route,
  countIn,
}: Exchange): Promise<FastifyReply> {
  const id = route.reference!;
  const size = await registry.uploads.append(route.name!, id, {
    body: counted(request, countIn),
    range: chunkRange(request),
    length: declaredLength(request),
  });

  return reply
    .code(202)
    .header('location', uploadLocation(route.name!, id))
    .header('range', uploadRange(size))
    .header('docker-upload-uuid', id)
    .header('content-length', '0')
    .send();
}

async function finishUpload({
  registry,
  request,
  reply,
  route,
  query,
  countIn,
}: Exchange): Promise<FastifyReply> {
  const digest = query.get('digest');
  if (!digest) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required');

  const last = hasBody(request.raw)
    ? {
        body: counted(request, countIn),
        range: chunkRange(request),
        length: declaredLength(request),
      }
    : undefined;
  const committed = await registry.uploads.finish(route.name!, route.reference!, digest, last);
  return blobCreated(reply, route.name!, committed);
}

async function uploadStatus({ registry, reply, route }: Exchange): Promise<FastifyReply> {
  const id = route.reference!;
  const size = await registry.uploads.status(route.name!, id);

  return reply
    .code(204)
    .header('location', uploadLocation(route.name!, id))
    .header('range', uploadRange(size))
    .header('docker-upload-uuid', id)
    .send();
}

async function cancelUpload({ registry, reply, route }: Exchange): Promise<FastifyReply> {
  await registry.uploads.cancel(route.name!, route.reference!);
  return reply.code(204).send();
}

async function getTags({ registry, reply, route, query }: Exchange): Promise<FastifyReply> {
  const page = await registry.listings.tags(
    route.name!,
    pageSize(query),
    query.get('last') ?? undefined,
  );

  linkNext(reply, `/v2/${route.name}/tags/list`, page, query);
  return reply
    .header('content-type', 'application/json')
    .send({ name: route.name, tags: page.items });
}

async function getCatalog({ registry, reply, query, visitor }: Exchange): Promise<FastifyReply> {
  const page = await registry.listings.catalog(
    pageSize(query),
    query.get('last') ?? undefined,
    await visitor.catalogProjects(),
  );

  linkNext(reply, '/v2/_catalog', page, query);
  return reply.header('content-type', 'application/json').send({ repositories: page.items });
}

async function getReferrers({ registry, reply, route, query }: Exchange): Promise<FastifyReply> {
  const artifactType = query.get('artifactType') ?? undefined;
  const index = await registry.listings.referrers(route.name!, route.reference!, artifactType);

  if (artifactType !== undefined) reply.header('oci-filters-applied', 'artifactType');
  return reply.header('content-type', MediaType.ociIndex).send(Buffer.from(JSON.stringify(index)));
}

function blobCreated(reply: FastifyReply, name: string, digest: string): FastifyReply {
  return reply
    .code(201)
    .header('location', `/v2/${name}/blobs/${digest}`)
    .header('docker-content-digest', digest)
    .header('content-length', '0')
    .send();
}

function chunkRange(request: FastifyRequest) {
  const header = request.headers['content-range'];
  if (header === undefined) return undefined;

  const range = parseChunkRange(header);
  if (!range) {
    throw new RegistryError(
      'BLOB_UPLOAD_INVALID',
      `malformed Content-Range "${header.slice(0, 60)}"`,
      {
        status: 416,
      },
    );
  }
  return range;
}

/**
 * The request body, counted for metrics as it flows. A client that hangs up errors the stream,
 * so the store rolls the append back. The link is one-way on purpose: when storing fails (a
 * full disk, a chunk longer than its Content-Range) the request must stay open to carry the
 * error response, which pipeline() would prevent by destroying the socket with everything else.
 */
/** The body's Content-Length, when declared (absent for chunked transfer encoding). */
function declaredLength(request: FastifyRequest): number | undefined {
  const value = request.headers['content-length'];
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function counted(request: FastifyRequest, countIn: (bytes: number) => void): Readable {
  const body = request.raw;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      countIn(chunk.length);
      callback(null, chunk);
    },
  });

  body.on('error', (err) => counter.destroy(err));
  body.on('close', () => {
    if (!body.complete) counter.destroy(new Error('client closed the connection mid-body'));
  });
  return body.pipe(counter);
}

function pageSize(query: URLSearchParams): number | undefined {
  const n = query.get('n');
  if (n === null || n === '') return undefined;
  if (!/^\d+$/.test(n)) {
    throw new RegistryError(
      'UNSUPPORTED',
      `page size n="${n.slice(0, 20)}" is not a non-negative integer`,
      { status: 400 },
    );
  }

  // Any size is fine: the listing caps it at listing.maxPageSize and links to the rest.
  return Math.min(Number(n), Number.MAX_SAFE_INTEGER);
}

/** RFC 8288 Link to the next page, which the spec lets registries send with `n` (v1.1 "Listing Tags"). */
function linkNext(reply: FastifyReply, path: string, page: ListPage, query: URLSearchParams): void {
  if (page.next === undefined) return;

  // The client's own n is kept: the cap applies to every page alike.
  const params = new URLSearchParams({
    n: query.get('n') || String(page.items.length),
    last: page.next,
  });
  reply.header('link', `<${path}?${params.toString()}>; rel="next"`);
}

/**
 * Content named by digest never changes, so a client holding the ETag (the digest) needs no body
 * (RFC 9110 §13.1.2). Weak validators compare equal for If-None-Match.
 */
function notModified(request: FastifyRequest, digest: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;

  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === `"${digest}"`);
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];

  return Array.isArray(value) ? value : [value];
}
