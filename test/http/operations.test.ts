import http from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logging.js';
import {
  pushBlob,
  pushImage,
  randomBlob,
  sleep,
  startUpload,
  uniqueRepo,
  v2,
} from '../support/registry-client.js';
import { finishedScan } from '../support/scans.js';
import { startTestServer, useTestServer, type TestServer } from '../support/server.js';

type LogLine = Record<string, unknown> & { msg?: string; reqId?: string };

/** Berth's own logger, writing JSON lines into memory instead of stdout. */
function capturedLogger(level: string) {
  const lines: LogLine[] = [];
  let raw = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });

  return { logger: createLogger(level, destination), lines, raw: () => raw };
}

/** Sums the samples of a Prometheus metric whose labels include `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }

  return total;
}

async function scrape(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);

  return res.text();
}

describe('health and readiness probes', () => {
  const server = useTestServer();

  it('answers /healthz with 200 ok', async () => {
    const res = await fetch(`${server().url}/healthz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 ready once the database answers', async () => {
    const res = await fetch(`${server().url}/readyz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});

describe('/metrics', () => {
  const server = useTestServer();

  it('serves the Prometheus text format', async () => {
    const res = await fetch(`${server().url}/metrics`);

    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('# TYPE berth_http_requests_total counter');
  });

  it('counts a download the client abandons under status "aborted"', async () => {
    const repo = uniqueRepo('metrics');
    const digest = await pushBlob(server(), repo, randomBlob(32 * 1024 * 1024));
    const before = await scrape(server());

    await new Promise<void>((resolve, reject) => {
      http
        .get(v2(server(), `${repo}/blobs/${digest}`), (res) => {
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        })
        .on('error', reject);
    });
    await sleep(200);

    const after = await scrape(server());
    const labels = { route: 'blob', method: 'GET', status: 'aborted' };
    expect(
      metric(after, 'berth_http_requests_total', labels) -
        metric(before, 'berth_http_requests_total', labels),
    ).toBe(1);
  });

  it('counts requests by route kind and status, never by URL', async () => {
    const repo = uniqueRepo('metrics');
    const before = await scrape(server());
    await pushImage(server(), repo, 'v1');
    await fetch(v2(server(), `${repo}/manifests/v1`));
    await fetch(v2(server(), `${repo}/manifests/missing`));

    const after = await scrape(server());

    const count = (labels: Record<string, string>) =>
      metric(after, 'berth_http_requests_total', labels) -
      metric(before, 'berth_http_requests_total', labels);
    expect(count({ route: 'manifest', method: 'GET', status: '200' })).toBe(1);
    expect(count({ route: 'manifest', method: 'GET', status: '404' })).toBe(1);
    expect(count({ route: 'manifest', method: 'PUT', status: '201' })).toBe(1);
    expect(count({ route: 'uploads', method: 'POST', status: '201' })).toBe(2);
    expect(after).not.toContain(repo);
  });

  it('moves the request and response byte counters by the bytes transferred', async () => {
    const repo = uniqueRepo('metrics');
    const bytes = randomBlob(10_000);
    const before = await scrape(server());

    const digest = await pushBlob(server(), repo, bytes);
    await (await fetch(v2(server(), `${repo}/blobs/${digest}`))).arrayBuffer();
    const after = await scrape(server());

    const delta = (name: string) => metric(after, name) - metric(before, name);
    expect(delta('berth_http_request_bytes_total')).toBe(10_000);
    expect(delta('berth_http_response_bytes_total')).toBeGreaterThanOrEqual(10_000);
  });

  it('reports open upload sessions in berth_uploads_in_progress', async () => {
    const repo = uniqueRepo('metrics');
    const open = () => scrape(server()).then((t) => metric(t, 'berth_uploads_in_progress'));
    const base = await open();

    const first = await startUpload(server(), repo);
    await startUpload(server(), repo);
    const withTwo = await open();
    await fetch(first, { method: 'DELETE' });

    expect(withTwo).toBe(base + 2);
    expect(await open()).toBe(base + 1);
  });

  it('reports image scans by status in berth_scan_jobs', async () => {
    const repo = uniqueRepo('metrics');
    const image = await pushImage(server(), repo, 'v1');
    await finishedScan(server(), repo, image.digest);

    const text = await scrape(server());
    expect(metric(text, 'berth_scan_jobs', { status: 'done' })).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'berth_scan_jobs', { status: 'running' })).toBe(0);
  });
});

describe('X-Request-Id', () => {
  const server = useTestServer();

  it('gives every response a generated id, errors included', async () => {
    const ok = await fetch(`${server().url}/v2/`);
    const refused = await fetch(v2(server(), 'Bad/tags/list'));
    const unknown = await fetch(`${server().url}/nowhere`);

    for (const res of [ok, refused, unknown]) {
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(ok.headers.get('x-request-id')).not.toBe(refused.headers.get('x-request-id'));
  });

  it('keeps an id the client sent', async () => {
    const res = await fetch(`${server().url}/v2/`, {
      headers: { 'x-request-id': 'ci-run-42.step:7' },
    });

    expect(res.headers.get('x-request-id')).toBe('ci-run-42.step:7');
  });

  it('replaces a client id that could forge log fields', async () => {
    for (const given of ['has spaces', 'a'.repeat(200), 'quote"brace}']) {
      const res = await fetch(`${server().url}/v2/`, { headers: { 'x-request-id': given } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('request log', () => {
  const secrets = ['s3cr3t-bearer-value', 'hunter2-query', 'tok-in-query', 'dXNlcjpwYXNz'];

  async function withLoggedServer(level: string, work: (server: TestServer) => Promise<void>) {
    const capture = capturedLogger(level);
    const server = await startTestServer({}, { logger: capture.logger });
    try {
      await work(server);
      // Lines are written when the response finishes, just after the client has it.
      await sleep(50);
    } finally {
      await server.close();
    }

    return capture;
  }

  it('writes exactly one structured line per request, successes and refusals alike', async () => {
    const repo = uniqueRepo('log');
    const { lines } = await withLoggedServer('info', async (server) => {
      await pushBlob(server, repo, randomBlob(10));
      await fetch(`${server.url}/v2/`, { headers: { 'x-request-id': 'req-ok' } });
      await fetch(v2(server, `${repo}/manifests/nope`), { headers: { 'x-request-id': 'req-404' } });
      await fetch(v2(server, 'UPPER/tags/list'), { headers: { 'x-request-id': 'req-400' } });
    });

    for (const id of ['req-ok', 'req-404', 'req-400']) {
      expect(lines.filter((l) => l.reqId === id)).toHaveLength(1);
    }
    expect(lines.find((l) => l.reqId === 'req-404')).toMatchObject({
      level: 'info',
      msg: 'request completed',
      method: 'GET',
      path: `/v2/${repo}/manifests/nope`,
      route: 'manifest',
      status: 404,
      service: 'berth',
    });
    expect(lines.find((l) => l.reqId === 'req-ok')).toMatchObject({ route: 'base', status: 200 });
    expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(4);
  });

  it('masks the credentials of signed URLs and API keys in logged query strings', async () => {
    const params = {
      'X-Amz-Security-Token': 'amz-token-value',
      'X-Amz-Credential': 'amz-credential-value',
      'X-Goog-Signature': 'goog-signature-value',
      sig: 'azure-sas-value',
      api_key: 'api-key-value',
      private_token: 'private-token-value',
      pwd: 'pwd-value',
      bearer: 'bearer-value',
      pat: 'pat-value',
    };
    const { raw } = await withLoggedServer('debug', async (server) => {
      await fetch(`${server.url}/v2/_catalog?${new URLSearchParams(params)}&n=5`);
    });

    for (const value of Object.values(params)) expect(raw()).not.toContain(value);
    expect(raw()).toContain('n=5');
  });

  it('never writes an Authorization value or a secret query value, even at debug', async () => {
    const { lines, raw } = await withLoggedServer('debug', async (server) => {
      const repo = uniqueRepo('log');
      await pushImage(server, repo, 'v1');
      await fetch(v2(server, `${repo}/tags/list?n=1&token=tok-in-query&password=hunter2-query`), {
        headers: { authorization: `Bearer ${secrets[0]}`, 'x-request-id': 'req-secret' },
      });
      await fetch(v2(server, `${repo}/manifests/v1`), {
        headers: { authorization: `Basic ${secrets[3]}` },
      });
      await fetch(v2(server, `Bad/manifests/v1?access_token=tok-in-query`), {
        headers: { authorization: `Bearer ${secrets[0]}` },
      });
    });

    for (const secret of secrets) expect(raw()).not.toContain(secret);
    const line = lines.find((l) => l.reqId === 'req-secret' && l.msg === 'request completed');
    expect(String(line?.path)).toMatch(/^\/v2\/log\/[^?]+\/tags\/list\?n=1&token=.*redacted/);
  });
});

describe('shutdown', () => {
  it('closes promptly right after serving downloads on keep-alive connections', async () => {
    for (let round = 0; round < 10; round++) {
      const server = await startTestServer();
      const repo = uniqueRepo('close');
      const digest = await pushBlob(server, repo, randomBlob(5000));
      await (await fetch(v2(server, `${repo}/blobs/${digest}`))).arrayBuffer();

      const started = Date.now();
      await server.close();

      expect(Date.now() - started, `close in round ${round}`).toBeLessThan(2000);
    }
  });
});
