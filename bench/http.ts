// A minimal HTTP/1.1 client over node:http with keep-alive, for pushes and setup. The benchmark
// uses it instead of fetch, which costs several times more CPU per request; GET-heavy workloads
// use the leaner wire.ts.
import http from 'node:http';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  /** The body, possibly in parts that are sent one after the other. */
  body?: Buffer | Buffer[];
  /** Count the body's bytes instead of keeping them (for large blob pulls). */
  discardBody?: boolean;
}

const REQUEST_TIMEOUT_MS = 120_000;

export class Client {
  private readonly agent: http.Agent;

  constructor(
    readonly base: string,
    maxSockets = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Sends one request; `path` may be absolute (a Location header) or relative to the base. */
  request(path: string, options: RequestOptions = {}): Promise<Response & { bytes: number }> {
    const url = new URL(path, this.base);
    const headers = { ...options.headers };
    const parts = options.body === undefined ? [] : [options.body].flat();
    if (options.body) headers['content-length'] = parts.reduce((n, part) => n + part.length, 0);

    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method: options.method ?? 'GET', headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (!options.discardBody) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              bytes,
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${req.method} ${url.pathname}: no answer`)),
      );
      req.on('error', reject);
      for (const part of parts) req.write(part);
      req.end();
    });
  }

  /** Like `request`, but throws unless the status is the expected one. */
  async expect(
    status: number,
    path: string,
    options: RequestOptions = {},
  ): Promise<Response & { bytes: number }> {
    const res = await this.request(path, options);
    if (res.status !== status) {
      const method = options.method ?? 'GET';
      const detail = res.body.toString('utf8').slice(0, 300);
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${detail}`);
    }

    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
