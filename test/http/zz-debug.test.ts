import { it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startTestServer } from '../support/server.js';
it('raw', async () => {
  const s = await startTestServer();
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((res) => execFile('node', ['/tmp/dbg/raw.mjs', new URL(s.url).port], (_e, o, er) => res(o + er)));
  console.log(out);
  await s.close();
  void execFileSync;
});
