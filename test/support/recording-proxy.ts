import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy, with the answer the registry gave. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  contentRange?: string;
  status: number;
}

export interface RecordingProxy {
  /** host:port to give clients instead of the registry's. */
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy on loopback that forwards every request to `target` (host:port) unchanged
 * and records what the client asked and what the registry answered. It shows what a client put
 * on the wire, which the registry's own metrics cannot (Content-Range, for example).
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const [hostname, port] = splitHost(target);
  const requests: RecordedRequest[] = [];

  const server = http.createServer((request, response) => {
    const upstream = http.request(
      { hostname, port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        requests.push(record(request, answer.statusCode ?? 0));
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${proxyPort}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function record(request: http.IncomingMessage, status: number): RecordedRequest {
  const contentRange = request.headers['content-range'];

  return {
    method: request.method ?? '',
    path: request.url ?? '',
    ...(contentRange === undefined ? {} : { contentRange }),
    status,
  };
}

function splitHost(host: string): [string, number] {
  const at = host.lastIndexOf(':');

  return [host.slice(0, at), Number(host.slice(at + 1))];
}
