import { Command } from 'commander';
import {
  apiPath,
  CliError,
  openSession,
  type ApiClient,
  type Page,
  type Project,
  type ProjectDetail,
  type Quota,
} from './client/index.js';
import { parseSize } from '../config/units.js';
import { confirm, interactive } from './input.js';
import { memberCommand } from './members.js';
import { bytes, day, minute, printFields, printJson, printTable, say } from './output.js';
import { collect, nextPageHint, paged, remote, run, type RemoteFlags } from './remote.js';

interface ListFlags extends RemoteFlags {
  search?: string;
  page: number;
  pageSize: number;
}

interface ProjectFlags extends RemoteFlags {
  public?: boolean;
  private?: boolean;
  label?: string[];
  removeLabel?: string[];
  quota?: string;
  quotaWarning?: string;
}

/** `berth project …` and `berth project member …`. */
export function projectCommand(): Command {
  const project = new Command('project').description('manage projects and their members');

  const list = remote(project.command('list'))
    .description('list the projects you can see')
    .option('--search <text>', 'only projects whose name contains the text');
  paged(list, 'projects').action(run(listProjects));
  remote(project.command('create'))
    .argument('<name>', 'project name: lowercase letters, digits and . _ -')
    .description('create a project; you become its project admin')
    .option('--public', 'anyone may pull, without signing in (default: private)')
    .option('-l, --label <key=value>', 'label, repeatable', collect)
    .option('--quota <size>', 'storage limit, e.g. 20GiB (system administrators)')
    .action(run(createProject));
  remote(project.command('show'))
    .argument('<name>', 'project name')
    .description('show a project with its storage use')
    .action(run(showProject));
  remote(project.command('update'))
    .argument('<name>', 'project name')
    .description('change visibility, labels or quota')
    .option('--public', 'make the project public')
    .option('--private', 'make the project private')
    .option('-l, --label <key=value>', 'add or replace a label, repeatable', collect)
    .option('--remove-label <key>', 'remove a label, repeatable', collect)
    .option('--quota <size>', 'storage limit, e.g. 20GiB, or "none" (system administrators)')
    .option('--quota-warning <percent>', 'record a warning when usage passes this share')
    .action(run(updateProject));
  remote(project.command('delete'), { json: false })
    .argument('<name>', 'project name')
    .description('delete a project with all its repositories, members and robots')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(deleteProject));
  project.addCommand(memberCommand());

  return project;
}

async function listProjects(flags: ListFlags): Promise<void> {
  const { api } = await openSession(flags);
  const query = new URLSearchParams({ page: String(flags.page), pageSize: String(flags.pageSize) });
  if (flags.search) query.set('search', flags.search);
  const page = await api.get<Page<Project>>(`/projects?${query}`);

  if (flags.json) return printJson(page);
  if (page.total === 0) return say('no projects');
  printTable(
    ['NAME', 'ACCESS', 'QUOTA', 'LABELS', 'CREATED'],
    page.items.map((p) => [
      p.name,
      access(p),
      p.quotaBytes === null ? '-' : bytes(p.quotaBytes),
      labelList(p.labels),
      day(p.createdAt),
    ]),
  );
  const hint = nextPageHint(page);
  if (hint) say(hint);
}

async function createProject(name: string, flags: ProjectFlags): Promise<void> {
  const body = {
    name,
    public: flags.public ?? false,
    labels: parseLabels(flags.label),
    ...(flags.quota === undefined ? {} : { quotaBytes: parseQuota(flags.quota) }),
  };
  const { api } = await openSession(flags);
  const created = await api.post<Project>('/projects', body);

  if (flags.json) return printJson(created);
  say(`created ${access(created)} project ${created.name}`);
}

async function showProject(name: string, flags: RemoteFlags): Promise<void> {
  const { api } = await openSession(flags);
  const described = await describeProject(api, name);
  const { project, quota } = described;

  if (flags.json) return printJson(projectJson(described));
  printFields([
    ['name', project.name],
    ['access', access(project)],
    ['labels', labelList(project.labels)],
    ['storage', quota ? usage(quota) : '-'],
    ['created', `${minute(project.createdAt)} by ${project.createdBy ?? '-'}`],
    ['updated', minute(project.updatedAt)],
  ]);
}

async function updateProject(name: string, flags: ProjectFlags): Promise<void> {
  const change = projectChange(flags);
  const { api } = await openSession(flags);
  if (change.public !== undefined || change.labels) await patchProject(api, name, change);
  if (change.quota) await putQuota(api, name, change.quota);

  if (!flags.json) return say(`updated project ${name}`);
  printJson(projectJson(await describeProject(api, name)));
}

interface ProjectChange {
  public?: boolean;
  labels?: { add: Record<string, string>; remove: string[] };
  quota?: { limitBytes?: number | null; warning?: number };
}

/** What the flags of `project update` ask for, checked before anything is sent. */
function projectChange(flags: ProjectFlags): ProjectChange {
  if (flags.public && flags.private) throw new CliError('give --public or --private, not both');
  const change: ProjectChange = {};

  if (flags.public || flags.private) change.public = Boolean(flags.public);
  if (flags.label?.length || flags.removeLabel?.length) {
    change.labels = { add: parseLabels(flags.label), remove: flags.removeLabel ?? [] };
  }
  if (flags.quota !== undefined || flags.quotaWarning !== undefined) {
    change.quota = {
      limitBytes: flags.quota === undefined ? undefined : parseQuota(flags.quota),
      warning: flags.quotaWarning === undefined ? undefined : parsePercent(flags.quotaWarning),
    };
  }
  if (Object.keys(change).length === 0) {
    throw new CliError(
      'nothing to change: give --public, --private, --label, --remove-label, --quota or --quota-warning',
    );
  }

  return change;
}

/** The API replaces labels whole, so the ones added and removed are applied to the current set. */
async function patchProject(api: ApiClient, name: string, change: ProjectChange): Promise<void> {
  let labels: Record<string, string> | undefined;
  if (change.labels) {
    const current = await api.get<Project>(apiPath`/projects/${name}`);
    labels = { ...current.labels };
    for (const key of change.labels.remove) delete labels[key];
    Object.assign(labels, change.labels.add);
  }

  await api.patch(apiPath`/projects/${name}`, { public: change.public, labels });
}

/** The quota is a resource of its own, whose PUT needs the limit even when only the warning changes. */
async function putQuota(
  api: ApiClient,
  name: string,
  change: { limitBytes?: number | null; warning?: number },
): Promise<void> {
  const limitBytes =
    change.limitBytes !== undefined
      ? change.limitBytes
      : (await api.get<Quota>(apiPath`/projects/${name}/quota`)).limitBytes;

  await api.put(apiPath`/projects/${name}/quota`, { limitBytes, warning: change.warning });
}

async function deleteProject(name: string, flags: RemoteFlags & { yes?: boolean }): Promise<void> {
  const { api } = await openSession(flags);
  if (!flags.yes) {
    await expectDeletable(api, name);
    if (!interactive()) {
      throw new CliError(`deleting project ${name} deletes all its images; add --yes to confirm`);
    }
    if (!(await confirm(`Delete project ${name} with all its repositories and images?`))) {
      throw new CliError('nothing deleted');
    }
  }
  await api.delete(apiPath`/projects/${name}`);

  say(`deleted project ${name}`);
}

/**
 * Before asking "are you sure?": a project that is missing, or that the caller may not delete,
 * is reported at once, in the server's words where it has them. The DELETE is still the
 * server's to refuse.
 */
async function expectDeletable(api: ApiClient, name: string): Promise<void> {
  const project = await api.get<ProjectDetail>(apiPath`/projects/${name}`);
  if (project.permissions.includes('delete-project')) return;

  throw new CliError(`delete-project is not allowed in project "${name}"`);
}

/** The project and, when the caller may read it, its quota and usage. */
async function describeProject(
  api: ApiClient,
  name: string,
): Promise<{ project: Project; quota?: Quota }> {
  const project = await api.get<Project>(apiPath`/projects/${name}`);
  const quota = await api.get<Quota>(apiPath`/projects/${name}/quota`).catch((err: unknown) => {
    if (err instanceof CliError) return undefined;
    throw err;
  });

  return { project, quota };
}

/** `show --json`: the project as the API returns it, with its quota when the caller may read it. */
function projectJson({ project, quota }: { project: Project; quota?: Quota }): unknown {
  return quota ? { ...project, quota } : project;
}

function parseLabels(pairs: string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new CliError(`--label "${pair}" is not KEY=VALUE`);
    labels[pair.slice(0, equals)] = pair.slice(equals + 1);
  }

  return labels;
}

function parseQuota(text: string): number | null {
  if (text === 'none') return null;
  const size = parseSize(text);
  if (size === undefined) throw new CliError(`--quota "${text}" is not a size such as 20GiB`);

  return size;
}

/** 80, 80% or 0.8 are all 80%; the API takes the fraction. */
function parsePercent(text: string): number {
  const number = Number(text.replace(/%$/, ''));
  const fraction = text.endsWith('%') || number > 1 ? number / 100 : number;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new CliError(`--quota-warning "${text}" is not a percentage between 1 and 100`);
  }

  return fraction;
}

function access(project: Project): string {
  return project.public ? 'public' : 'private';
}

function labelList(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '-' : pairs.join(', ');
}

function usage(quota: Quota): string {
  const used = bytes(quota.usedBytes);
  if (quota.limitBytes === null) return `${used} used, no limit`;

  const share = quota.limitBytes === 0 ? 100 : (quota.usedBytes / quota.limitBytes) * 100;
  return (
    `${used} of ${bytes(quota.limitBytes)} used (${Math.round(share)}%), ` +
    `warning at ${Math.round(quota.warning * 100)}%`
  );
}
