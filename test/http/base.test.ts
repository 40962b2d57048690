import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.js';

describe('GET /v2/', () => {
  const server = useTestServer();

  it('answers 200 with the Docker API version header', async () => {
    const res = await fetch(`${server().url}/v2/`);

    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await res.json()).toEqual({});
  });

  it('answers unknown endpoints with a spec error body', async () => {
    const res = await fetch(`${server().url}/v2/foo/unknown/thing`);

    expect(res.status).toBe(404);
    const body = (await res.json()) as { errors: { code: string }[] };
    expect(body.errors[0]?.code).toBe('UNSUPPORTED');
  });
});
