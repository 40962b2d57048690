import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveCommand } from './serve.js';
import { configCheckCommand } from './config-check.js';
import { advisoriesCommand } from './advisories.js';
import { scanCommand } from './scan.js';
import { sessionCommands } from './login.js';
import { projectCommand } from './projects.js';
import { robotCommand } from './robots.js';
import { userCommand } from './users.js';

/** Builds the `berth` command tree. Each subcommand lives in its own module. */
export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Berth: a container registry and image-management platform')
    .version(packageVersion(), '-v, --version');

  program
    .command('serve')
    .description('run the registry')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-l, --listen <host:port>', 'address to listen on (default 127.0.0.1:5000)')
    .option('-d, --data <dir>', 'data directory for blobs and metadata (default ./data)')
    .option('--tls-cert <file>', 'PEM certificate chain; serve HTTPS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .action(serveCommand);

  const config = program.command('config').description('work with configuration files');
  config
    .command('check')
    .argument('<file>', 'YAML configuration file')
    .description(
      'validate a configuration file, with the environment applied, and print the result',
    )
    .option('--quiet', 'print nothing when the file is valid')
    .action(configCheckCommand);

  program.addCommand(advisoriesCommand());
  program.addCommand(scanCommand());

  // Management of a running server, through its API (docs/cli.md).
  for (const command of sessionCommands()) program.addCommand(command);
  program.addCommand(projectCommand());
  program.addCommand(robotCommand());
  program.addCommand(userCommand());

  oneLineUsageErrors(program);
  return program;
}

/**
 * Commander's own complaints about a command line (an unknown option or command, a missing
 * argument) read like every other error: `berth: …` on one line, pointing at the command's
 * help rather than printing it. Commands added with addCommand() inherit no output settings, so
 * each command of the tree gets its own.
 */
function oneLineUsageErrors(command: Command): void {
  command.configureOutput({
    outputError: (text, write) => write(`berth: ${usageError(text)}; see ${helpFor(command)}\n`),
  });
  for (const sub of command.commands) oneLineUsageErrors(sub);
}

/** Commander's "error: unknown command 'lst'" and its "(Did you mean list?)" line, as one line. */
function usageError(text: string): string {
  return text
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\(Did you mean/g, ' (did you mean')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}

function helpFor(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());

  return `${names.join(' ')} --help`;
}

function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // A command's own exit code for a bad command line (1, 2 for scan); commander printed why.
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode;
  }
}
