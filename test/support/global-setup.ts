import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temporary directory per test run, under which tempDir() creates everything; removed when
 * the run ends, so crash tests' data and restarted servers' directories never pile up. Test
 * workers are forked after this runs and inherit BERTH_TEST_TMP.
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-run-'));
  process.env.BERTH_TEST_TMP = root;

  return () => rmSync(root, { recursive: true, force: true });
}
