import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, tempDir, type ServerProcess } from '../support/server.js';
import { run, tool } from '../support/tools.js';

describe('berth serve process', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
    const server = await spawnServer(
      ['--listen', '127.0.0.1:0', '--log-level', 'info', ...args],
      env,
    );
    servers.push(server);
    return server;
  }

  it('finishes an in-flight upload after SIGTERM, then exits 0', async () => {
    const server = await serve(['--data', tempDir()]);
    const blob = randomBytes(8 * 1024 * 1024);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const post = await fetch(`${server.url}/v2/shutdown/test/blobs/uploads/`, { method: 'POST' });
    const location = post.headers.get('location')!;

    // Send half the body, signal the server, then send the rest on the same request.
    const request = http.request(`${server.url}${location}?digest=${digest}`, {
      method: 'PUT',
      headers: {
        'content-length': String(blob.length),
        'content-type': 'application/octet-stream',
      },
    });
    const response = new Promise<number>((resolve, reject) => {
      request.on('response', (res) => resolve(res.statusCode ?? 0));
      request.on('error', reject);
    });
    request.write(blob.subarray(0, blob.length / 2));
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    request.end(blob.subarray(blob.length / 2));

    expect(await response).toBe(201);
    expect(await server.exited).toBe(0);
    expect(server.logs.some((line) => line.includes('shutting down'))).toBe(true);
  });

  it('serves HTTPS with --tls-cert and --tls-key, to Node and to crane', async () => {
    const dir = tempDir();
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const server = await serve([
      '--data',
      path.join(dir, 'data'),
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    expect(server.url).toMatch(/^https:\/\//);

    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${server.url}/v2/`, { ca: readFileSync(cert) }, (res) => resolve(res.statusCode ?? 0))
        .on('error', reject);
    });
    expect(status).toBe(200);

    const layer = path.join(dir, 'layer.tar');
    writeFileSync(path.join(dir, 'hello.txt'), 'hello over tls\n');
    await run('tar', ['-C', dir, '-cf', layer, 'hello.txt']);
    const ref = `${server.host}/tls/hello:v1`;
    await run(tool('crane'), ['append', '--insecure', '-f', layer, '-t', ref], {
      env: { SSL_CERT_FILE: cert },
    });
    const tags = await run(tool('crane'), ['ls', ref.replace(':v1', '')], {
      env: { SSL_CERT_FILE: cert },
    });
    expect(tags.stdout.trim()).toBe('v1');
  });

  it('refuses an invalid configuration with a clear message and exit code 2', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'berth.yaml');
    writeFileSync(file, 'listen: nowhere\nuploads:\n  expiry: soon\n  colour: blue\n');

    const check = await run(process.execPath, ['bin/berth', 'config', 'check', file], {
      allowFailure: true,
    });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('listen: must be HOST:PORT');
    expect(check.stderr).toContain('uploads.expiry: "soon" is not a duration');
    expect(check.stderr).toContain('unknown setting(s) colour');

    writeFileSync(file, 'listen: 127.0.0.1:5999\nuploads:\n  expiry: 2h\n');
    const ok = await run(process.execPath, ['bin/berth', 'config', 'check', file]);
    expect(ok.stdout).toContain('expiry: 7200000');
  });
});
