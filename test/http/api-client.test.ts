// ApiClient's contract checks can fail: a stand-in server serves Berth's own OpenAPI document
// and answers that break it, and each such exchange must throw ContractError. The real server's
// conformance is checked by every other api-*.test.ts file, through the same client.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiRoutes, openApiDocument } from '../../src/api/index.js';
import { ApiClient, ContractError } from '../support/api-client.js';

interface Canned {
  status: number;
  contentType?: string;
  body?: unknown;
}

const document = openApiDocument(apiRoutes({}, 'test'), 'test');
const user = { kind: 'user', name: 'ann', admin: false, groups: [] };
const project = {
  name: 'p',
  public: false,
  labels: {},
  quotaBytes: null,
  createdBy: 'ann',
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-02T03:04:05.000Z',
};

let server: http.Server;
let client: ApiClient;
/** What the stand-in answers next, and the requests it received. */
let canned: Canned;
let received: string[];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/api/v1/openapi.json')
      return answer(response, { status: 200, body: document });

    received.push(`${request.method} ${request.url}`);
    request.resume().on('end', () => answer(response, canned));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received = [];
});

function answer(response: http.ServerResponse, reply: Canned): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? '');
  response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
  response.end(reply.body === undefined ? '' : text);
}

describe('answers that match the document pass', () => {
  it('a documented status with a body of the documented shape', async () => {
    canned = { status: 200, body: user };

    const res = await client.get('/whoami');

    expect(res.body).toEqual(user);
  });

  it('a documented error in the error shape', async () => {
    canned = { status: 404, body: { errors: [{ code: 'NOT_FOUND', message: 'no such project' }] } };

    expect((await client.get('/projects/p')).status).toBe(404);
  });

  it('a 204 without a body', async () => {
    canned = { status: 204 };

    expect((await client.delete('/projects/p')).status).toBe(204);
  });
});

describe('answers that break the document throw', () => {
  it('a body of the wrong shape', async () => {
    canned = { status: 200, body: { ...user, name: 42 } };

    await expect(client.get('/whoami')).rejects.toThrow(/200 body does not match.*\/name/s);
  });

  it('a body missing a required field', async () => {
    const incomplete: Partial<typeof project> = { ...project };
    delete incomplete.createdAt;
    canned = { status: 201, body: incomplete };

    await expect(client.post('/projects', { body: { name: 'p' } })).rejects.toThrow(
      /must have required property 'createdAt'/,
    );
  });

  it('a status the operation does not list', async () => {
    canned = { status: 200, body: user };

    await expect(client.delete('/projects/p')).rejects.toThrow(/answered 200, which deleteProject/);
  });

  it('an error body outside the error shape', async () => {
    canned = { status: 404, body: { message: 'no such project' } };

    await expect(client.get('/projects/p')).rejects.toThrow(ContractError);
  });

  it('a media type the document does not give', async () => {
    canned = { status: 200, contentType: 'text/plain', body: 'ann' };

    await expect(client.get('/whoami')).rejects.toThrow(/as "text\/plain"/);
  });

  it('a token endpoint answer without the token fields', async () => {
    canned = { status: 200, body: { token: 'abc' } };

    await expect(client.login('ann', 'secret')).rejects.toThrow(/access_token/);
  });
});

describe('requests that break the document throw before they are sent', () => {
  it('a body of the wrong shape', async () => {
    await expect(client.post('/projects', { body: { name: 42 } })).rejects.toThrow(
      /request body does not match/,
    );
    expect(received).toEqual([]);
  });

  it('an undocumented query parameter', async () => {
    await expect(client.get('/projects?pagesize=5')).rejects.toThrow(/query parameters/);
    expect(received).toEqual([]);
  });

  it('an operation the document does not have', async () => {
    await expect(client.get('/nothing-here')).rejects.toThrow(/no such operation/);
    expect(received).toEqual([]);
  });
});

describe('requests malformed on purpose', () => {
  it('are sent as they are, and their answer is still checked', async () => {
    canned = { status: 400, body: { errors: [{ code: 'INVALID_REQUEST', message: 'body.name' }] } };

    const res = await client.post('/projects', { body: { name: 42 }, invalid: true });

    expect(res.status).toBe(400);
    expect(received).toEqual(['POST /api/v1/projects']);
  });

  it('must be refused in the error shape, even on an unknown route', async () => {
    canned = { status: 404, body: { error: 'not found' } };

    await expect(client.get('/nothing-here', { invalid: true })).rejects.toThrow(/error body/);
  });

  it('count as such when sent as a raw body', async () => {
    canned = { status: 200, body: project };

    await expect(client.post('/projects', { rawBody: '{"name":' })).rejects.toThrow(
      /answered 200, which createProject/,
    );
  });
});
