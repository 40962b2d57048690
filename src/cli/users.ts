import { Command } from 'commander';
import {
  apiPath,
  CliError,
  openSession,
  passwordLogin,
  updateCredentials,
  type Page,
  type Session,
  type User,
  type Whoami,
} from './client/index.js';
import { interactive, newPassword, promptSecret } from './input.js';
import { ago, minute, printFields, printJson, printTable, say, yesNo } from './output.js';
import { nextPageHint, paged, remote, run, type RemoteFlags } from './remote.js';

interface ListFlags extends RemoteFlags {
  search?: string;
  page: number;
  pageSize: number;
}

interface UserFlags extends RemoteFlags {
  email?: string;
  displayName?: string;
  admin?: boolean;
  disable?: boolean;
  enable?: boolean;
  passwordStdin?: boolean;
}

/** `berth user …`: accounts (system administrators; anyone for their own). */
export function userCommand(): Command {
  const user = new Command('user').description('manage user accounts');

  const list = remote(user.command('list'))
    .description('list accounts (system administrators)')
    .option('--search <text>', 'only accounts whose name contains the text');
  paged(list, 'accounts').action(run(listUsers));
  remote(user.command('create'))
    .argument('<username>', 'user name')
    .description('create a local account (system administrators)')
    .option('--email <address>', 'e-mail address')
    .option('--display-name <name>', 'full name')
    .option('--admin', 'make the account a system administrator')
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText('after', passwordHelp)
    .action(run(createUser));
  remote(user.command('show'))
    .argument('[username]', 'user name (default: yourself)')
    .description('show an account')
    .action(run(showUser));
  remote(user.command('update'))
    .argument('<username>', 'user name')
    .description('change e-mail and display name; administrator and disabled flags (admins)')
    .option('--email <address>', 'e-mail address ("" to clear)')
    .option('--display-name <name>', 'full name ("" to clear)')
    .option('--admin', 'make the account a system administrator')
    .option('--no-admin', 'make the account an ordinary user')
    .option('--disable', 'refuse sign-ins and revoke its sessions')
    .option('--enable', 'allow sign-ins again')
    .action(run(updateUser));
  remote(user.command('delete'), { json: false })
    .argument('<username>', 'user name')
    .description('delete an account and its memberships (system administrators)')
    .action(run(deleteUser));
  remote(user.command('set-password'), { json: false })
    .argument('[username]', 'user name (default: yourself)')
    .description('set a password: admins for anyone, users for themselves')
    .option('--password-stdin', 'read the new password from standard input')
    .addHelpText(
      'after',
      `${passwordHelp}\nChanging your own password without being an administrator needs the current\n` +
        'one: from a prompt, else from $BERTH_PASSWORD. Other sessions of the account end.',
    )
    .action(run(setPassword));

  return user;
}

const passwordHelp =
  '\nWithout --password-stdin the password comes from $BERTH_NEW_PASSWORD, else from a prompt.';

async function listUsers(flags: ListFlags): Promise<void> {
  const { api } = await openSession(flags);
  const query = new URLSearchParams({ page: String(flags.page), pageSize: String(flags.pageSize) });
  if (flags.search) query.set('search', flags.search);
  const page = await api.get<Page<User>>(`/users?${query}`);

  if (flags.json) return printJson(page);
  printTable(
    ['USERNAME', 'NAME', 'EMAIL', 'SOURCE', 'ADMIN', 'STATUS', 'LAST LOGIN'],
    page.items.map((u) => [
      u.username,
      u.displayName ?? '-',
      u.email ?? '-',
      u.source,
      yesNo(u.admin),
      u.disabled ? 'disabled' : 'active',
      ago(u.lastLoginAt),
    ]),
  );
  const hint = nextPageHint(page);
  if (hint) say(hint);
}

async function createUser(username: string, flags: UserFlags): Promise<void> {
  const password = await newPassword(flags);
  const { api } = await openSession(flags);
  const user = await api.post<User>('/users', {
    username,
    password,
    email: flags.email,
    displayName: flags.displayName,
    admin: flags.admin,
  });

  if (flags.json) return printJson(user);
  say(`created ${user.admin ? 'administrator' : 'user'} ${user.username}`);
}

async function showUser(username: string | undefined, flags: RemoteFlags): Promise<void> {
  const session = await openSession(flags);
  const user = await session.api.get<User>(apiPath`/users/${target(session, username)}`);

  if (flags.json) return printJson(user);
  printFields([
    ['username', user.username],
    ['name', user.displayName ?? '-'],
    ['email', user.email ?? '-'],
    ['source', user.source],
    ['administrator', yesNo(user.admin)],
    ['status', user.disabled ? 'disabled' : 'active'],
    ['groups', user.groups.join(', ') || '-'],
    ['created', minute(user.createdAt)],
    ['last login', ago(user.lastLoginAt)],
  ]);
}

async function updateUser(username: string, flags: UserFlags): Promise<void> {
  if (flags.disable && flags.enable) throw new CliError('give --disable or --enable, not both');
  const body = {
    email: flags.email === undefined ? undefined : flags.email || null,
    displayName: flags.displayName === undefined ? undefined : flags.displayName || null,
    admin: flags.admin,
    disabled: flags.disable ? true : flags.enable ? false : undefined,
  };
  if (Object.values(body).every((value) => value === undefined)) {
    throw new CliError(
      'nothing to change: give --email, --display-name, --admin, --no-admin, --disable or --enable',
    );
  }

  const { api } = await openSession(flags);
  const user = await api.patch<User>(apiPath`/users/${username}`, body);
  if (flags.json) return printJson(user);
  say(`updated user ${user.username}`);
}

async function deleteUser(username: string, flags: RemoteFlags): Promise<void> {
  const { api } = await openSession(flags);
  await api.delete(apiPath`/users/${username}`);

  say(`deleted user ${username}`);
}

/**
 * A password change ends the account's sessions, this one too when it is your own: the CLI
 * then logs in again with the new password, so that you stay logged in.
 */
async function setPassword(username: string | undefined, flags: UserFlags): Promise<void> {
  const session = await openSession(flags);
  const name = target(session, username);
  const me = await session.api.get<Whoami>('/whoami');
  const currentPassword = me.admin ? undefined : await currentPasswordOf(name);
  const password = await newPassword(flags);

  await session.api.put(apiPath`/users/${name}/password`, { password, currentPassword });
  if (name !== session.username) return say(`set the password of ${name}`);

  const refreshToken = await passwordLogin(session.server, name, password);
  updateCredentials((c) => {
    c.servers[session.server] = { username: name, refreshToken };
  });
  say(`changed your password; you are still logged in to ${session.server}`);
}

async function currentPasswordOf(username: string): Promise<string> {
  if (interactive()) return promptSecret(`Current password of ${username}: `);
  if (process.env.BERTH_PASSWORD) return process.env.BERTH_PASSWORD;

  throw new CliError('changing your own password needs the current one: set BERTH_PASSWORD');
}

function target(session: Session, username: string | undefined): string {
  const name = username ?? session.username;
  if (!name) throw new CliError(`name the user, or log in first: berth login ${session.server}`);

  return name;
}
