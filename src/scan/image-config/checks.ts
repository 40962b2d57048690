// Checks of an image's configuration and history: how the image will run, and what its build
// left behind. Ids are Berth's own, stable, never reused; docs/scanning.md lists them.

import type { SeverityLevel } from '../advisories/index.js';
import type { ImageConfigDocument } from './document.js';
import { buildStep, type BuildStep } from './history.js';

export interface ConfigCheck {
  id: string;
  title: string;
  severity: SeverityLevel;
  /** What the check looks at and why it matters. */
  description: string;
  run(config: ImageConfigDocument, steps: readonly BuildStep[]): Problem[];
}

/** One thing a check found; never holds a value that may be secret. */
interface Problem {
  /** Where in the config: "User", "Env[3]", "history[4].created_by". */
  field: string;
  message: string;
}

export interface ConfigFinding extends Problem {
  id: string;
  title: string;
  severity: SeverityLevel;
}

export const CONFIG_CHECKS: readonly ConfigCheck[] = [
  {
    id: 'BERTH-CFG-001',
    title: 'Runs as root',
    severity: 'high',
    description:
      'The config sets no User, or sets root (name or uid 0): a process that breaks out of the ' +
      'application is root in the container.',
    run: ({ user }) => {
      if (user !== undefined && user.trim() !== '' && !/^(?:root|0)(?::.*)?$/.test(user.trim())) {
        return [];
      }
      const why = user === undefined || user.trim() === '' ? 'no User is set' : `User is ${user}`;

      return [{ field: 'User', message: `the image runs as root: ${why}` }];
    },
  },
  {
    id: 'BERTH-CFG-002',
    title: 'Credential in an environment variable',
    severity: 'high',
    description:
      'An environment variable whose name says it holds a credential (…_PASSWORD, …_TOKEN, ' +
      '…_SECRET, …_API_KEY, AWS_ACCESS_KEY_ID, …) has a value in the config: everyone who can ' +
      'pull the image can read it.',
    run: ({ env }) =>
      env.flatMap((entry, index) => {
        const [name = '', ...rest] = entry.split('=');
        if (!sensitiveName(name) || !literalValue(rest.join('='))) return [];

        return [{ field: `Env[${index}]`, message: `ENV ${name} holds a value in the config` }];
      }),
  },
  {
    id: 'BERTH-CFG-003',
    title: 'Credential used in a build step',
    severity: 'high',
    description:
      'A RUN step was given a credential as a build argument, or passed one to a login command ' +
      'on its command line, without a secret mount: the history keeps it in every copy of the ' +
      'image.',
    run: (_config, steps) =>
      steps.flatMap((step, index) => {
        if (step.instruction !== 'RUN') return [];

        const field = `history[${index}].created_by`;
        const args = step.buildArgs
          .filter(({ name, value }) => sensitiveName(name) && literalValue(value))
          .map(({ name }) => ({ field, message: `build argument ${name} has a value in history` }));
        const login = LOGINS.find(({ pattern }) => pattern.test(step.body));
        const mounted = step.flags.some((flag) => flag.startsWith('--mount=type=secret'));
        if (!login || mounted) return args;

        return [...args, { field, message: `a RUN step ${login.what} on its command line` }];
      }),
  },
  {
    id: 'BERTH-CFG-004',
    title: 'No HEALTHCHECK',
    severity: 'low',
    description:
      'The config has no health check (or disables it with NONE): orchestrators that read it ' +
      'cannot tell a hung container from a working one.',
    run: ({ healthcheck }) =>
      healthcheck && healthcheck[0] !== 'NONE'
        ? []
        : [{ field: 'Healthcheck', message: 'the image has no HEALTHCHECK' }],
  },
  {
    id: 'BERTH-CFG-005',
    title: 'ADD from a remote URL',
    severity: 'medium',
    description:
      'An ADD step fetched a URL without --checksum: the build took whatever the server ' +
      'returned, and a rebuild may take something else.',
    run: (_config, steps) =>
      steps.flatMap((step, index) => {
        if (step.instruction !== 'ADD') return [];
        if (step.flags.some((flag) => flag.startsWith('--checksum='))) return [];

        const url = step.body.split(/\s+/).find((word) => /^(?:https?|ftp):\/\//i.test(word));
        if (!url) return [];

        const field = `history[${index}].created_by`;
        return [{ field, message: `ADD fetches ${withoutCredentials(url)} without --checksum` }];
      }),
  },
  {
    id: 'BERTH-CFG-006',
    title: 'SSH port exposed',
    severity: 'medium',
    description:
      'The config exposes port 22: containers are reached with exec, not with an SSH server ' +
      'that needs keys or passwords of its own.',
    run: ({ exposedPorts }) =>
      exposedPorts
        .filter((port) => /^22(?:\/(?:tcp|udp))?$/.test(port))
        .map((port) => ({ field: 'ExposedPorts', message: `the image exposes ${port}` })),
  },
  {
    id: 'BERTH-CFG-007',
    title: 'Package manager cache left in a layer',
    severity: 'low',
    description:
      'A RUN step installed packages without removing the package lists or cache in the same ' +
      'step (apt-get without rm -rf /var/lib/apt/lists/*, apk add without --no-cache, yum or ' +
      'dnf without clean all): the layer carries megabytes of stale metadata.',
    run: (_config, steps) =>
      steps.flatMap((step, index) => {
        if (step.instruction !== 'RUN') return [];
        if (step.flags.some((flag) => flag.startsWith('--mount=type=cache'))) return [];

        const left = CACHES.find(({ install, cleanup }) => {
          return install.test(step.body) && !cleanup.test(step.body);
        });
        if (!left) return [];

        return [{ field: `history[${index}].created_by`, message: left.message }];
      }),
  },
];

/** Name endings that mean a credential; GPG_KEY, a public key fingerprint, is not one. */
const SENSITIVE = new RegExp(
  '(?:^|_)(?:PASSWORD|PASSWD|PASS|SECRET|TOKEN|CREDENTIALS?|' +
    '(?:API|ACCESS|PRIVATE|SECRET|SIGNING|ENCRYPTION|MASTER|AUTH)_?KEY)$',
);

/** Whether an environment variable or build argument name says it holds a credential. */
export function sensitiveName(name: string): boolean {
  const upper = name.toUpperCase().replace(/[-.]/g, '_');

  return upper === 'AWS_ACCESS_KEY_ID' || SENSITIVE.test(upper);
}

/** A value that is set to something: not empty, not a reference to another variable, not a flag. */
function literalValue(value: string): boolean {
  const trimmed = value.trim();
  const flag = /^(?:none|null|false|true|no|yes|0|1|-|\*|disabled|unset)$/i.test(trimmed);

  return trimmed !== '' && !trimmed.startsWith('$') && !flag;
}

const LOGINS: { what: string; pattern: RegExp }[] = [
  {
    what: 'sets an AWS secret with aws configure',
    pattern: /\baws\s+configure\s+set\s+(?:\S+\.)?aws_(?:secret_access_key|session_token)\b/,
  },
  {
    what: 'passes a password to docker login',
    pattern: /\b(?:docker|podman|buildah)\s+login\b[^;&|]*\s(?:-p|--password)(?:=|\s)/,
  },
  {
    what: 'passes a password to az login',
    pattern: /\baz\s+login\b[^;&|]*\s(?:-p|--password)(?:=|\s)/,
  },
  {
    what: 'activates a Google Cloud service-account key',
    pattern: /\bgcloud\s+auth\s+activate-service-account\b/,
  },
  { what: 'sets an npm auth token', pattern: /\bnpm\s+config\s+set\s+\S*_auth(?:Token)?\b/ },
];

const CACHES: { install: RegExp; cleanup: RegExp; message: string }[] = [
  {
    install: /\bapt(?:-get)?\s+(?:-\S+\s+)*install\b/,
    cleanup: /\brm\s+-(?:rf|fr|r)\s+\S*\/var\/lib\/apt\/lists/,
    message:
      'apt-get install leaves the package lists in the layer (no rm -rf /var/lib/apt/lists/*)',
  },
  {
    install: /\bapk\s+(?:-\S+\s+)*add\b/,
    cleanup: /--no-cache\b|\brm\s+-(?:rf|fr|r)\s+\S*\/var\/cache\/apk/,
    message: 'apk add leaves its cache in the layer (no --no-cache)',
  },
  {
    install: /\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*install\b/,
    cleanup:
      /\b(?:yum|dnf|microdnf)\s+clean\s+all\b|\brm\s+-(?:rf|fr|r)\s+\S*\/var\/cache\/(?:yum|dnf)/,
    message: 'yum or dnf install leaves its cache in the layer (no clean all)',
  },
];

/** A URL to show: scheme, host and path, without user information or query. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);

    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/** Runs every check over a config. */
export function checkConfig(config: ImageConfigDocument): ConfigFinding[] {
  const steps = config.history.map(({ createdBy }) => buildStep(createdBy));

  return CONFIG_CHECKS.flatMap((check) =>
    check.run(config, steps).map((problem) => ({
      id: check.id,
      title: check.title,
      severity: check.severity,
      ...problem,
    })),
  );
}
