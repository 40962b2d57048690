import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the portal (vite.config.ts in portal/): the same place seen from
 * src/http under vitest and from dist/http once compiled.
 */
export const defaultPortalRoot = fileURLToPath(new URL('../../portal/dist/', import.meta.url));

/**
 * Paths that belong to the server, never to the portal: an unknown URL below them stays a JSON
 * 404 instead of becoming the portal's page.
 */
const serverPaths = /^\/(?:v2(?:\/|$)|api(?:\/|$)|auth(?:\/|$)|metrics$|healthz$|readyz$|health)/;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The portal loads nothing from elsewhere. Mantine and the charts set styles at run time, hence
 * inline styles; scripts come only from this origin.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface PortalFile {
  file: string;
  size: number;
  etag: string;
  type: string;
  /** Vite names built assets after their content: they never change under the same name. */
  immutable: boolean;
}

/**
 * Serves the built portal at `/`: its files by path, and its index page for every other GET
 * outside the server's own paths, so that a reload on /projects/dev opens that page (the
 * single-page app routes in the browser). Nothing is served when the portal was not built.
 */
export async function portalPages(app: FastifyInstance, options: { root: string }): Promise<void> {
  const files = indexFiles(options.root);
  const page = files.get('/index.html');
  if (!page) {
    app.log.debug({ root: options.root }, 'portal not built; serving no pages');
    return;
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodedPath(request.url);
    if (pathname === undefined || serverPaths.test(pathname)) return reply.callNotFound();
    request.routeKind = 'portal';

    const file = files.get(pathname);
    if (file) return send(request, reply, file);
    // A missing script or image must not turn into an HTML page the browser then misreads.
    if (path.posix.extname(pathname) !== '') return reply.callNotFound();

    return send(request, reply, page);
  };
  app.get('/', handler);
  app.get('/*', handler);
  app.head('/', handler);
  app.head('/*', handler);
}

/** Every file below `root`, by URL path. The build is small and fixed until the next start. */
function indexFiles(root: string): Map<string, PortalFile> {
  const files = new Map<string, PortalFile>();
  if (!existsSync(root)) return files;

  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.startsWith('.'))
        files.set(urlPath(root, full), describe(root, full));
    }
  };
  walk(root);

  return files;
}

function describe(root: string, file: string): PortalFile {
  const stat = statSync(file);
  const relative = path.relative(root, file);

  return {
    file,
    size: stat.size,
    etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
    type: contentTypes[path.extname(file)] ?? 'application/octet-stream',
    immutable: relative.startsWith(`assets${path.sep}`),
  };
}

function urlPath(root: string, file: string): string {
  return `/${path.relative(root, file).split(path.sep).join('/')}`;
}

/** The request's path, percent-decoded; undefined when it cannot be decoded. */
function decodedPath(url: string): string | undefined {
  const q = url.indexOf('?');
  try {
    return decodeURIComponent(q < 0 ? url : url.slice(0, q));
  } catch {
    return undefined;
  }
}

function send(request: FastifyRequest, reply: FastifyReply, file: PortalFile): FastifyReply {
  reply
    .header('content-type', file.type)
    .header('etag', file.etag)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (file.type.startsWith('text/html')) {
    reply
      .header('content-security-policy', contentSecurityPolicy)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
  }
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();

  reply.header('content-length', String(file.size));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file.file));
}
