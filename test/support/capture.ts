import { vi } from 'vitest';

/** What an in-process command printed while `work` ran. */
export interface Captured {
  stdout: string;
  stderr: string;
}

/**
 * Runs `work` with process.stdout and process.stderr captured, for testing CLI commands
 * in-process; the streams are restored even when `work` throws. `output` is filled as the
 * command writes, so a caller that catches the error still sees what was printed.
 */
export async function captureOutput(
  work: () => Promise<unknown>,
  output: Captured = { stdout: '', stderr: '' },
): Promise<Captured> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output.stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    output.stderr += String(chunk);
    return true;
  });

  try {
    await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }

  return output;
}
