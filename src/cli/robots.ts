import { Command } from 'commander';
import { apiPath, CliError, openSession, type Robot, type RobotCreated } from './client/index.js';
import { formatGrants, grantSyntax, parseExpiry, parseGrant, robotName } from './grants.js';
import { ago, day, minute, printFields, printJson, printTable, say } from './output.js';
import { collect, remote, run, type RemoteFlags } from './remote.js';

interface RobotFlags extends RemoteFlags {
  project?: string;
}

interface RobotChanges extends RobotFlags {
  grant?: string[];
  description?: string;
  expires?: string;
}

const robotNameHelp = 'robot$NAME, robot$PROJECT+NAME, or NAME (with --project for project robots)';

/** `berth robot …`: system robots, or a project's robots with --project. */
export function robotCommand(): Command {
  const robot = new Command('robot').description(
    'manage robot accounts: credentials for CI jobs and other machines',
  );

  robotCommandOf(robot, 'list')
    .description('list system robots, or the robots of --project')
    .action(run(listRobots));
  withChanges(robotCommandOf(robot, 'create').argument('<name>', 'short name, e.g. ci'))
    .description('create a robot and print its secret, once')
    .action(run(createRobot));
  robotCommandOf(robot, 'show')
    .argument('<name>', robotNameHelp)
    .description('show one robot')
    .action(run(showRobot));
  robotCommandOf(robot, 'rotate')
    .argument('<name>', robotNameHelp)
    .description('replace the secret and print the new one, once; the old one stops working')
    .action(run(rotateSecret));
  withChanges(robotCommandOf(robot, 'update').argument('<name>', robotNameHelp))
    .description('change description, permissions (--grant replaces them all) or expiry')
    .action(run(updateRobot));
  robotCommandOf(robot, 'disable')
    .argument('<name>', robotNameHelp)
    .description('refuse the robot until it is enabled again, its unexpired tokens too')
    .action(run((name: string, flags: RobotFlags) => setDisabled(name, flags, true)));
  robotCommandOf(robot, 'enable')
    .argument('<name>', robotNameHelp)
    .description('let a disabled robot sign in again')
    .action(run((name: string, flags: RobotFlags) => setDisabled(name, flags, false)));
  robotCommandOf(robot, 'delete', { json: false })
    .argument('<name>', robotNameHelp)
    .description('delete a robot')
    .action(run(deleteRobot));

  return robot;
}

function robotCommandOf(parent: Command, name: string, options?: { json: boolean }): Command {
  return remote(parent.command(name), options).option(
    '-p, --project <project>',
    "a project's robot rather than a system robot",
  );
}

function withChanges(command: Command): Command {
  return command
    .option('-g, --grant <grant>', `permission, repeatable: ${grantSyntax}`, collect)
    .option('--description <text>', 'what the robot is for ("" to clear)')
    .option('--expires <when>', "never, a lifetime (90d) or a date (default: the server's)");
}

async function listRobots(flags: RobotFlags): Promise<void> {
  const { api } = await openSession(flags);
  const robots = await api.get<Robot[]>(
    flags.project === undefined ? '/robots' : apiPath`/projects/${flags.project}/robots`,
  );

  if (flags.json) return printJson(robots);
  if (robots.length === 0) return say('no robots');
  printTable(
    ['NAME', 'PERMISSIONS', 'STATUS', 'EXPIRES', 'LAST USED'],
    robots.map((r) => [
      r.name,
      formatGrants(r.grants).join('\n'),
      status(r),
      r.expiresAt === null ? 'never' : day(r.expiresAt),
      ago(r.lastUsedAt),
    ]),
  );
}

async function createRobot(name: string, flags: RobotChanges): Promise<void> {
  if (!flags.grant?.length) {
    throw new CliError(`a robot needs at least one --grant ${grantSyntax}`);
  }
  const body = { name, ...changes(flags) };
  const { api } = await openSession(flags);
  const created = await api.post<RobotCreated>(
    flags.project === undefined ? '/robots' : apiPath`/projects/${flags.project}/robots`,
    body,
  );

  if (flags.json) return printJson(created);
  say(`created robot ${created.robot.name}`);
  showSecret(created.secret);
}

async function showRobot(name: string, flags: RobotFlags): Promise<void> {
  const { api } = await openSession(flags);
  const robot = await api.get<Robot>(apiPath`/robots/${robotName(name, flags.project)}`);

  if (flags.json) return printJson(robot);
  printFields([
    ['name', robot.name],
    ['project', robot.project ?? '- (system robot)'],
    ['description', robot.description ?? '-'],
    ['permissions', formatGrants(robot.grants).join('\n')],
    ['status', status(robot)],
    ['expires', robot.expiresAt === null ? 'never' : minute(robot.expiresAt)],
    ['created', `${minute(robot.createdAt)} by ${robot.createdBy}`],
    ['last used', ago(robot.lastUsedAt)],
  ]);
}

async function rotateSecret(name: string, flags: RobotFlags): Promise<void> {
  const { api } = await openSession(flags);
  const full = robotName(name, flags.project);
  const rotated = await api.post<{ secret: string }>(apiPath`/robots/${full}/secret`);

  if (flags.json) return printJson(rotated);
  say(`new secret for ${full}; the old one no longer works`);
  showSecret(rotated.secret);
}

async function updateRobot(name: string, flags: RobotChanges): Promise<void> {
  const body = changes(flags);
  if (Object.keys(body).length === 0) {
    throw new CliError('nothing to change: give --grant, --description or --expires');
  }

  await patchRobot(name, flags, body, 'updated');
}

async function setDisabled(name: string, flags: RobotFlags, disabled: boolean): Promise<void> {
  await patchRobot(name, flags, { disabled }, disabled ? 'disabled' : 'enabled');
}

async function patchRobot(
  name: string,
  flags: RobotFlags,
  body: Record<string, unknown>,
  verb: string,
): Promise<void> {
  const { api } = await openSession(flags);
  const robot = await api.patch<Robot>(apiPath`/robots/${robotName(name, flags.project)}`, body);

  if (flags.json) return printJson(robot);
  say(`${verb} robot ${robot.name}`);
}

async function deleteRobot(name: string, flags: RobotFlags): Promise<void> {
  const { api } = await openSession(flags);
  const full = robotName(name, flags.project);
  await api.delete(apiPath`/robots/${full}`);

  say(`deleted robot ${full}`);
}

/** The fields of a create or update request that the flags set. */
function changes(flags: RobotChanges): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.grant?.length) body.grants = flags.grant.map((g) => parseGrant(g, flags.project));
  if (flags.description !== undefined) body.description = flags.description || null;
  if (flags.expires !== undefined) body.expiresAt = parseExpiry(flags.expires);

  return body;
}

function showSecret(secret: string): void {
  say(`secret: ${secret}`);
  process.stderr.write('berth: the secret is shown only now; Berth keeps only a hash of it\n');
}

function status(robot: Robot, now = Date.now()): string {
  if (robot.disabled) return 'disabled';
  if (robot.expiresAt !== null && Date.parse(robot.expiresAt) <= now) return 'expired';

  return 'active';
}
