import { AuthError } from './errors.js';

// The patterns are exported for the management API's schemas (src/api/schemas.ts), so that its
// OpenAPI document states the same rules these checks apply.

/**
 * A project name is one component of a repository name (distribution spec v1.1 "Pulling
 * manifests": `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`), so that every repository below it is valid.
 */
export const projectNamePattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const userNamePattern = /^[A-Za-z0-9](?:[A-Za-z0-9._@-]{0,126}[A-Za-z0-9])?$/;
export const robotNamePattern = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
export const labelKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
/**
 * A robot grant's repository pattern, below its project: path segments of the characters of
 * repository names, where `*` stands within a segment and a whole segment `**` across segments
 * (see glob.ts). A segment needs a letter, a digit or a star: segments such as `.`, `..`, `-`
 * or empty ones, and `***`, match no repository a client can name, so they are refused rather
 * than kept as dead grants.
 */
const patternSegment = String.raw`(?:\*\*|(?=[^/]*[a-z0-9*])(?:[a-z0-9._-]|\*(?!\*))+)`;
export const repositoryPatternPattern = new RegExp(`^${patternSegment}(?:/${patternSegment})*$`);
export const maxLabels = 64;
export const maxLabelValue = 256;

export function checkProjectName(name: string): void {
  if (name.length < 1 || name.length > 128 || !projectNamePattern.test(name)) {
    throw new AuthError(
      'invalid',
      'a project name is 1 to 128 lowercase letters and digits, separated by ".", "_", "__" or "-"',
    );
  }
}

export function checkUserName(name: string): void {
  if (!userNamePattern.test(name)) {
    throw new AuthError(
      'invalid',
      'a username is 1 to 128 letters, digits, ".", "_", "@" or "-", starting and ending with a letter or digit',
    );
  }
}

export function checkRobotName(name: string): void {
  if (!robotNamePattern.test(name)) {
    throw new AuthError(
      'invalid',
      'a robot name is 1 to 64 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
    );
  }
}

/**
 * Every registry request of a robot is matched against all its patterns, so their number and
 * size are bounded (with 64 scopes a token request matches 64 names against each of them).
 */
export const maxPatternsPerRobot = 32;
const maxPatternSegments = 16;

export function checkRepositoryPattern(pattern: unknown): void {
  const ok =
    typeof pattern === 'string' &&
    pattern.length <= 256 &&
    pattern.split('/').length <= maxPatternSegments &&
    repositoryPatternPattern.test(pattern);
  if (!ok) {
    throw new AuthError(
      'invalid',
      `a repository pattern is 1 to 256 characters in at most ${maxPatternSegments} "/"-separated segments of lowercase letters, digits, ".", "_", "-" and "*", or "**" alone`,
    );
  }
}

export function checkLabels(labels: Record<string, string>): void {
  const entries = Object.entries(labels);
  if (entries.length > maxLabels) throw new AuthError('invalid', `at most ${maxLabels} labels`);

  for (const [key, value] of entries) {
    if (!labelKeyPattern.test(key))
      throw new AuthError('invalid', `invalid label key "${key.slice(0, 64)}"`);
    if (typeof value !== 'string' || value.length > maxLabelValue) {
      throw new AuthError(
        'invalid',
        `label "${key}" must be a string of at most ${maxLabelValue} characters`,
      );
    }
  }
}
