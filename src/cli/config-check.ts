import { stringify } from 'yaml';
import { loadConfig, unknownEnvironment } from '../config/index.js';
import { exitOnConfigError } from './serve.js';

/** `berth config check FILE`: validates and prints the effective configuration. */
export async function configCheckCommand(file: string, flags: { quiet?: boolean }): Promise<void> {
  const config = await loadConfig({ file }).catch(exitOnConfigError);
  for (const name of unknownEnvironment(process.env)) {
    process.stderr.write(`berth: warning: ${name} names no setting and is ignored\n`);
  }
  if (flags.quiet) return;

  process.stdout.write(
    `# ${file} is valid; effective configuration (durations in ms, sizes in bytes):\n`,
  );
  process.stdout.write(stringify(config));
}
