// The parts of an image config (image-spec config.md; Docker's image JSON is the same shape)
// that the configuration checks and the secret scanner read, taken defensively from untrusted
// JSON: a field of the wrong type counts as absent.

export interface HistoryEntry {
  /** The instruction that made the layer, as the builder recorded it. */
  createdBy: string;
  /** The step changed only the config (ENV, USER, …), not the filesystem. */
  emptyLayer: boolean;
}

export interface ImageConfigDocument {
  /** Absent when the image does not say: it then runs as root. */
  user?: string;
  env: string[];
  cmd: string[];
  entrypoint: string[];
  labels: Record<string, string>;
  /** The HEALTHCHECK test, when there is one: ["CMD", …], ["CMD-SHELL", …] or ["NONE"]. */
  healthcheck?: string[];
  /** "8080/tcp", "53/udp", … */
  exposedPorts: string[];
  history: HistoryEntry[];
}

/** Thrown for a config that is not a JSON object. */
export class ImageConfigError extends Error {}

export function parseImageConfig(bytes: Buffer): ImageConfigDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ImageConfigError(`the image config is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new ImageConfigError('the image config is not a JSON object');

  const config = isObject(parsed.config) ? parsed.config : {};
  const healthcheck = isObject(config.Healthcheck) ? strings(config.Healthcheck.Test) : [];
  const user = typeof config.User === 'string' ? config.User : undefined;

  return {
    ...(user !== undefined && { user }),
    env: strings(config.Env),
    cmd: strings(config.Cmd),
    entrypoint: strings(config.Entrypoint),
    labels: isObject(config.Labels) ? stringValues(config.Labels) : {},
    ...(healthcheck.length > 0 && { healthcheck }),
    exposedPorts: isObject(config.ExposedPorts) ? Object.keys(config.ExposedPorts) : [],
    history: Array.isArray(parsed.history) ? parsed.history.map(historyEntry) : [],
  };
}

/** The texts of a config that can hold a secret, each named by its place. */
export function configTexts(config: ImageConfigDocument): { field: string; text: string }[] {
  return [
    ...config.env.map((text, index) => ({ field: `Env[${index}]`, text })),
    ...(config.entrypoint.length > 0
      ? [{ field: 'Entrypoint', text: config.entrypoint.join(' ') }]
      : []),
    ...(config.cmd.length > 0 ? [{ field: 'Cmd', text: config.cmd.join(' ') }] : []),
    ...Object.entries(config.labels).map(([key, value]) => ({
      field: `Labels[${key}]`,
      text: `${key}=${value}`,
    })),
    ...config.history.map(({ createdBy }, index) => ({
      field: `history[${index}].created_by`,
      text: createdBy,
    })),
  ].filter(({ text }) => text !== '');
}

function historyEntry(entry: unknown): HistoryEntry {
  if (!isObject(entry)) return { createdBy: '', emptyLayer: false };

  return {
    createdBy: typeof entry.created_by === 'string' ? entry.created_by : '',
    emptyLayer: entry.empty_layer === true,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

function stringValues(object: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(object).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
