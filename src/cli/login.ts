import { Command } from 'commander';
import {
  chooseServer,
  CliError,
  openSession,
  passwordLogin,
  readCredentials,
  updateCredentials,
  type Whoami,
} from './client/index.js';
import { interactive, promptLine, promptSecret, readStdinSecret } from './input.js';
import { printFields, printJson, say, yesNo } from './output.js';
import { remote, run, type RemoteFlags } from './remote.js';

interface LoginFlags {
  server?: string;
  username?: string;
  passwordStdin?: boolean;
}

/** `berth login`, `berth logout` and `berth whoami`. */
export function sessionCommands(): Command[] {
  const login = new Command('login')
    .argument('[server]', 'server URL, e.g. https://registry.example.com (default: --server)')
    .description('log in to a server; later commands use the session it stores')
    .option('-u, --username <name>', 'user name, or robot$NAME for a robot account')
    .option('--password-stdin', 'read the password (or robot secret) from standard input')
    .option('--server <url>', 'the server, when not given as an argument')
    .addHelpText(
      'after',
      '\nWithout --password-stdin the password comes from $BERTH_PASSWORD, else from a prompt.\n' +
        'Only a refresh token is stored, never the password.',
    )
    .action(run(loginCommand));

  const logout = remote(new Command('logout'), { json: false })
    .argument('[server]', 'server to log out of (default: --server, else the last login)')
    .description('forget the session stored for a server')
    .action(run(logoutCommand));

  const whoami = remote(new Command('whoami'))
    .description('show who you are logged in as')
    .action(run(whoamiCommand));

  return [login, logout, whoami];
}

async function loginCommand(serverArgument: string | undefined, flags: LoginFlags): Promise<void> {
  const credentials = readCredentials();
  const server = chooseServer(serverArgument ?? flags.server, credentials);
  const username = flags.username ?? (await askUsername(credentials.servers[server]?.username));
  const password = await loginPassword(flags);

  const refreshToken = await passwordLogin(server, username, password);
  updateCredentials((c) => {
    c.servers[server] = { username, refreshToken };
    c.current = server;
  });
  say(`logged in to ${server} as ${username}`);
}

async function askUsername(previous: string | undefined): Promise<string> {
  if (!interactive()) {
    if (previous) return previous;
    throw new CliError('name the account with -u USER');
  }

  const answer = await promptLine(previous ? `Username [${previous}]: ` : 'Username: ');
  if (answer || previous) return answer || (previous as string);
  throw new CliError('no username given');
}

async function loginPassword(flags: LoginFlags): Promise<string> {
  if (flags.passwordStdin) return readStdinSecret('password');
  if (process.env.BERTH_PASSWORD) return process.env.BERTH_PASSWORD;
  if (!interactive()) {
    throw new CliError('no password: pipe it with --password-stdin or set BERTH_PASSWORD');
  }

  return promptSecret('Password: ');
}

async function logoutCommand(
  serverArgument: string | undefined,
  flags: RemoteFlags,
): Promise<void> {
  const credentials = readCredentials();
  const server = chooseServer(serverArgument ?? flags.server, credentials);
  if (!credentials.servers[server]) {
    say(`not logged in to ${server}`);
    return;
  }

  // Refresh tokens are stateless JWTs: forgetting ours is all a client can do.
  updateCredentials((c) => {
    delete c.servers[server];
    if (c.current === server) delete c.current;
  });
  say(`logged out of ${server}`);
}

async function whoamiCommand(flags: RemoteFlags): Promise<void> {
  const session = await openSession(flags);
  if (!session.username) {
    throw new CliError(`not logged in to ${session.server}; run berth login ${session.server}`);
  }
  const me = await session.api.get<Whoami>('/whoami');

  if (flags.json) return printJson(me);
  printFields([
    ['server', session.server],
    ['name', me.name],
    ['kind', me.kind],
    ['administrator', yesNo(me.admin)],
    ['groups', me.groups.join(', ') || '-'],
  ]);
}
