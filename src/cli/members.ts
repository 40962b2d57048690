import { Command, Option } from 'commander';
import { projectRoles } from '../auth/permissions.js';
import {
  apiPath,
  CliError,
  openSession,
  type ApiClient,
  type Member,
  type MemberKind,
} from './client/index.js';
import { day, printJson, printTable, say } from './output.js';
import { remote, run, type RemoteFlags } from './remote.js';

interface MemberFlags extends RemoteFlags {
  group?: boolean;
  role?: string;
}

/** `berth project member list|add|update|remove`: who holds which role in a project. */
export function memberCommand(): Command {
  const member = new Command('member').description("manage a project's members and their roles");

  remote(member.command('list'))
    .argument('<project>', 'project name')
    .description('list the users and groups with a role in the project')
    .action(run(listMembers));
  withMember(member.command('add'), { role: true })
    .description('give a user or group a role in the project')
    .action(run(addMember));
  withMember(member.command('update'), { role: true })
    .description("change a member's role")
    .action(run(updateMember));
  withMember(member.command('remove'), { role: false })
    .description("remove a user's or group's role in the project")
    .action(run(removeMember));

  return member;
}

function withMember(command: Command, { role }: { role: boolean }): Command {
  remote(command, { json: role })
    .argument('<project>', 'project name')
    .argument('<name>', 'user name, or group name with --group')
    .option('--group', 'NAME is a group (from LDAP or OIDC), not a user');
  if (role) {
    command.addOption(
      new Option('-r, --role <role>', 'project role').choices(projectRoles).makeOptionMandatory(),
    );
  }

  return command;
}

async function listMembers(project: string, flags: RemoteFlags): Promise<void> {
  const { api } = await openSession(flags);
  const members = await api.get<Member[]>(apiPath`/projects/${project}/members`);

  if (flags.json) return printJson(members);
  if (members.length === 0) return say('no members');
  printTable(
    ['KIND', 'NAME', 'ROLE', 'SINCE'],
    members.map((m) => [m.kind, m.name, m.role, day(m.createdAt)]),
  );
}

// The API's PUT both adds and changes a role; `add` refuses an existing member and `update` a
// missing one, so that a typo in a name does not quietly do the other thing.

async function addMember(project: string, name: string, flags: MemberFlags): Promise<void> {
  const kind: MemberKind = flags.group ? 'group' : 'user';
  const { api } = await openSession(flags);
  const current = await findMember(api, project, kind, name);
  if (current) {
    throw new CliError(
      `${kind} ${name} is already a ${current.role} of ${project}; ` +
        'change the role with berth project member update',
    );
  }

  await putMember(api, project, { kind, name }, flags);
}

async function updateMember(project: string, name: string, flags: MemberFlags): Promise<void> {
  const kind: MemberKind = flags.group ? 'group' : 'user';
  const { api } = await openSession(flags);
  if (!(await findMember(api, project, kind, name))) {
    throw new CliError(
      `${kind} ${name} is not a member of ${project}; add it with berth project member add`,
    );
  }

  await putMember(api, project, { kind, name }, flags);
}

async function putMember(
  api: ApiClient,
  project: string,
  { kind, name }: { kind: MemberKind; name: string },
  flags: MemberFlags,
): Promise<void> {
  const member = await api.put<Member>(apiPath`/projects/${project}/members/${kind}/${name}`, {
    role: flags.role,
  });

  if (flags.json) return printJson(member);
  say(`${kind} ${name} is now a ${member.role} of ${project}`);
}

async function removeMember(project: string, name: string, flags: MemberFlags): Promise<void> {
  const kind: MemberKind = flags.group ? 'group' : 'user';
  const { api } = await openSession(flags);
  await api.delete(apiPath`/projects/${project}/members/${kind}/${name}`);

  say(`removed ${kind} ${name} from ${project}`);
}

async function findMember(
  api: ApiClient,
  project: string,
  kind: MemberKind,
  name: string,
): Promise<Member | undefined> {
  const members = await api.get<Member[]>(apiPath`/projects/${project}/members`);
  return members.find((m) => m.kind === kind && m.name === name);
}
