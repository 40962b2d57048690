import { CliError, type RobotGrant } from './client/index.js';
import { parseDuration } from '../config/units.js';

// Robot permissions on the command line. The API models a grant as a project, the actions
// allowed there and optional repository patterns below the project; the flag spells one grant
// as PROJECT[/PATTERN]:ACTION[,ACTION…]:
//
//   dev:pull,push            pull and push anywhere in project dev
//   dev/web/*:pull           pull from dev/web/shop, not dev/web/shop/x nor dev/api
//   '*:pull'                 pull in every project (system robots)
//   pull,push                the robot's own project (project robots, with --project)

export const grantSyntax = 'PROJECT[/PATTERN]:ACTION[,ACTION…]';

export function parseGrant(text: string, ownProject: string | undefined): RobotGrant {
  const colon = text.lastIndexOf(':');
  const target = colon < 0 ? ownProject : text.slice(0, colon);
  const actions = text
    .slice(colon + 1)
    .split(',')
    .map((action) => action.trim())
    .filter(Boolean);
  if (target === undefined) {
    throw new CliError(`--grant "${text}" names no project; write it as ${grantSyntax}`);
  }

  const slash = target.indexOf('/');
  const project = slash < 0 ? target : target.slice(0, slash);
  const pattern = slash < 0 ? undefined : target.slice(slash + 1);
  if (project === '' || pattern === '' || actions.length === 0) {
    throw new CliError(`--grant "${text}" is not ${grantSyntax}`);
  }

  return pattern === undefined
    ? { project, actions }
    : { project, repositories: [pattern], actions };
}

/** Each grant in the flag's syntax, one per repository pattern, so that it can be pasted back. */
export function formatGrants(grants: RobotGrant[]): string[] {
  return grants.flatMap((grant) => {
    const actions = grant.actions.join(',');
    if (!grant.repositories?.length) return [`${grant.project}:${actions}`];

    return grant.repositories.map((pattern) => `${grant.project}/${pattern}:${actions}`);
  });
}

/** `never`, a lifetime such as 90d or 12h, or a date or time (ISO 8601); as the API's expiresAt. */
export function parseExpiry(text: string, now = Date.now()): string | null {
  if (text === 'never') return null;

  const lifetime = /[a-z]$/i.test(text) ? parseDuration(text) : undefined;
  if (lifetime !== undefined) {
    // The API takes four-digit years, as RFC 3339 does; Date throws past year 275760.
    const end = new Date(now + lifetime);
    if (Number.isNaN(end.getTime()) || end.getUTCFullYear() > 9999) {
      throw new CliError(`--expires "${text}" lies past the year 9999; give never instead`);
    }
    return end.toISOString();
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new CliError(
      `--expires "${text}": give never, a lifetime (90d, 12h) or a date (2030-01-31)`,
    );
  }

  return new Date(at).toISOString();
}

/**
 * A robot's full name from what the user typed: robot$… as is; otherwise the project robot
 * robot$PROJECT+NAME with --project, or the system robot robot$NAME.
 */
export function robotName(name: string, project: string | undefined): string {
  if (name.startsWith('robot$')) {
    if (project !== undefined && !name.startsWith(`robot$${project}+`)) {
      throw new CliError(`${name} is not a robot of project "${project}"; leave out --project`);
    }
    return name;
  }

  return project === undefined ? `robot$${name}` : `robot$${project}+${name}`;
}
