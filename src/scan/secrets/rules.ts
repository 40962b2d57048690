// The secret rules: one per kind of credential, written from the token formats their issuers
// publish (fixed prefixes, lengths, alphabets). Each rule names lower-case keywords, at least
// one of which must occur in the text before its pattern runs, and a pattern whose `secret`
// group is the credential itself (the part that is masked). Precision matters more than
// recall: a rule that fires on examples and placeholders teaches people to ignore the report.

import type { SeverityLevel } from '../advisories/index.js';

export interface SecretRule {
  /** Stable id: reports, SARIF rules and docs/scanning.md use it. */
  id: string;
  /** Who issues the credential: "AWS", "GitHub", … */
  category: string;
  title: string;
  severity: SeverityLevel;
  /** Lower-case; the pattern runs only on text that holds one of them. */
  keywords: readonly string[];
  /** A global regular expression with a named group `secret`, unless `secretOf` finds it. */
  pattern: RegExp;
  /** The secret of a match, or undefined to reject the match (a placeholder, say). */
  secretOf?: (match: RegExpMatchArray, text: string) => string | undefined;
}

/** Not preceded or followed by a character that could continue a token. */
const START = String.raw`(?<![A-Za-z0-9_])`;
const END = String.raw`(?![A-Za-z0-9_])`;

/** An assignment between a name and its value: `=`, `:`, `:=`, `=>`, with optional quotes. */
const ASSIGN = String.raw`["']?\s*(?::=|=>|:|=)\s*["']?`;

function token(body: string, flags = 'g'): RegExp {
  return new RegExp(`${START}(?<secret>${body})${END}`, flags);
}

/**
 * In table order: where matches of two rules overlap, the earlier rule's is kept, so specific
 * rules come before the general ones they overlap with (a service-account key before the
 * private-key rule, an npm token before the .npmrc rule).
 */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'aws-access-key-id',
    category: 'AWS',
    title: 'AWS access key ID',
    severity: 'high',
    keywords: ['akia', 'asia', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'a3t'],
    // A four-character kind prefix, then 16 characters of the base32 alphabet.
    pattern: token('(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z2-7]{16}'),
  },
  {
    id: 'aws-secret-access-key',
    category: 'AWS',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['secret'],
    // 40 characters of base64 after a name that says what they are; alone they are any hash.
    pattern: new RegExp(
      String.raw`(?:secret[_.-]?access[_.-]?key|aws[_.-]?secret[_.-]?key)${ASSIGN}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'gi',
    ),
  },
  {
    id: 'gcp-service-account-key',
    category: 'Google Cloud',
    title: 'Google Cloud service-account private key',
    severity: 'critical',
    keywords: ['"private_key"'],
    // The JSON key file keeps the PEM block in one string, lines joined by "\n" escapes.
    pattern: new RegExp(
      String.raw`"private_key"\s*:\s*"-----BEGIN (?:RSA )?PRIVATE KEY-----\\n(?<secret>[A-Za-z0-9+/=]{32,}(?:\\n[A-Za-z0-9+/=]{16,}){2,})`,
      'g',
    ),
  },
  {
    id: 'private-key',
    category: 'Private key',
    title: 'Private key',
    severity: 'high',
    keywords: ['private key'],
    pattern: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g,
    secretOf: keyBody,
  },
  {
    id: 'azure-storage-account-key',
    category: 'Azure',
    title: 'Azure storage account key',
    severity: 'critical',
    keywords: ['accountkey'],
    // A 64-byte key in base64: 86 characters and "==". Connection strings say AccountKey=.
    pattern: new RegExp(
      String.raw`AccountKey${ASSIGN}(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])`,
      'gi',
    ),
  },
  {
    id: 'azure-shared-access-key',
    category: 'Azure',
    title: 'Azure Service Bus or Event Hubs shared access key',
    severity: 'high',
    keywords: ['sharedaccesskey='],
    // A 32-byte key in base64: 43 characters and "=".
    pattern: /SharedAccessKey=(?<secret>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/g,
  },
  {
    id: 'github-pat',
    category: 'GitHub',
    title: 'GitHub personal access token (classic)',
    severity: 'critical',
    keywords: ['ghp_'],
    pattern: token('ghp_[A-Za-z0-9]{36,251}'),
  },
  {
    id: 'github-fine-grained-pat',
    category: 'GitHub',
    title: 'GitHub fine-grained personal access token',
    severity: 'critical',
    keywords: ['github_pat_'],
    pattern: token('github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}'),
  },
  {
    id: 'github-oauth-token',
    category: 'GitHub',
    title: 'GitHub OAuth access token',
    severity: 'critical',
    keywords: ['gho_'],
    pattern: token('gho_[A-Za-z0-9]{36,251}'),
  },
  {
    id: 'github-app-token',
    category: 'GitHub',
    title: 'GitHub App user-to-server or installation token',
    severity: 'critical',
    keywords: ['ghu_', 'ghs_'],
    pattern: token('gh[us]_[A-Za-z0-9]{36,251}'),
  },
  {
    id: 'github-refresh-token',
    category: 'GitHub',
    title: 'GitHub App refresh token',
    severity: 'critical',
    keywords: ['ghr_'],
    pattern: token('ghr_[A-Za-z0-9]{36,251}'),
  },
  {
    id: 'gitlab-pat',
    category: 'GitLab',
    title: 'GitLab personal access token',
    severity: 'critical',
    keywords: ['glpat-'],
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_-])(?<secret>glpat-[A-Za-z0-9_-]{20,200}(?:\.[A-Za-z0-9_-]+){0,3})(?![A-Za-z0-9_-])`,
      'g',
    ),
  },
  {
    id: 'gitlab-runner-token',
    category: 'GitLab',
    title: 'GitLab runner authentication token',
    severity: 'high',
    keywords: ['glrt-'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>glrt-[A-Za-z0-9_-]{20,200})(?![A-Za-z0-9_-])/g,
  },
  {
    id: 'slack-token',
    category: 'Slack',
    title: 'Slack bot, user or workspace token',
    severity: 'high',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxo-', 'xoxs-', 'xoxr-'],
    // xoxb-<team>-<bot>-<random>, xoxp-<team>-<user>-<id>-<random>, …
    pattern:
      /(?<![A-Za-z0-9-])(?<secret>xox[abposr]-(?:[0-9]+-){1,3}[A-Za-z0-9]{16,64})(?![A-Za-z0-9-])/g,
  },
  {
    id: 'slack-app-token',
    category: 'Slack',
    title: 'Slack app-level token',
    severity: 'high',
    keywords: ['xapp-'],
    pattern:
      /(?<![A-Za-z0-9-])(?<secret>xapp-[0-9]+-[A-Z0-9]+-[0-9]+-[a-z0-9]{32,})(?![A-Za-z0-9-])/g,
  },
  {
    id: 'slack-webhook',
    category: 'Slack',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    keywords: ['hooks.slack.com'],
    pattern: new RegExp(
      String.raw`https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/(?:[0-9]+/)?[A-Za-z0-9]{20,64})(?![A-Za-z0-9])`,
      'g',
    ),
  },
  {
    id: 'stripe-secret-key',
    category: 'Stripe',
    title: 'Stripe live secret or restricted key',
    severity: 'critical',
    keywords: ['sk_live_', 'rk_live_'],
    pattern: token('[sr]k_live_[A-Za-z0-9]{24,247}'),
  },
  {
    id: 'stripe-test-key',
    category: 'Stripe',
    title: 'Stripe test-mode secret or restricted key',
    severity: 'low',
    keywords: ['sk_test_', 'rk_test_'],
    pattern: token('[sr]k_test_[A-Za-z0-9]{24,247}'),
  },
  {
    id: 'npm-access-token',
    category: 'npm',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_'],
    pattern: token('npm_[A-Za-z0-9]{36}'),
  },
  {
    id: 'npmrc-auth-token',
    category: 'npm',
    title: 'Registry auth token in an npm configuration',
    severity: 'high',
    keywords: ['_authtoken'],
    // Older npm tokens are UUIDs; other registries issue their own shapes. `${NPM_TOKEN}`,
    // the usual way to keep the token out of the file, never matches.
    pattern: /_authToken\s*=\s*["']?(?<secret>[A-Za-z0-9_.+/=-]{20,512})/gi,
  },
  {
    id: 'pypi-upload-token',
    category: 'PyPI',
    title: 'PyPI upload token',
    severity: 'critical',
    keywords: ['pypi-'],
    // A macaroon whose base64 starts with its location: pypi.org or test.pypi.org.
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})/g,
  },
  {
    id: 'jwt',
    category: 'JWT',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj'],
    // Header and payload are base64url JSON objects, so both start with "eyJ" ('{"').
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{16,1024})(?![A-Za-z0-9_-])`,
      'g',
    ),
    secretOf: jwtWithHeader,
  },
  {
    id: 'url-credentials',
    category: 'Password',
    title: 'Password in a URL',
    severity: 'medium',
    keywords: ['://'],
    // Starts at "://", which the regex engine finds fast, with a scheme's letter before it.
    pattern: new RegExp(
      String.raw`(?<=[A-Za-z0-9])://[^\s:@/"'<>\\]{1,64}:(?<secret>[^\s:@/"'<>\\]{6,128})@[A-Za-z0-9]`,
      'g',
    ),
    secretOf: (match) => realPassword(match.groups?.secret),
  },
  {
    id: 'generic-password',
    category: 'Password',
    title: 'Password assigned in plain text',
    severity: 'medium',
    keywords: ['passw'],
    // A whole line that assigns a literal to a name ending in "password": .env, YAML, INI,
    // JSON, properties. Expressions, references and placeholders are left alone.
    pattern: new RegExp(
      String.raw`^[ \t]*(?:export[ \t]+)?["']?[A-Za-z0-9_.-]{0,40}(?:password|passwd)["']?[ \t]*[:=][ \t]*(?<quote>["']?)(?<secret>[^\s"'\x60$%{}<>()[\];,#\\]{8,64})\k<quote>[ \t]*[,;]?[ \t]*\r?$`,
      'gim',
    ),
    secretOf: (match) => realPassword(match.groups?.secret),
  },
];

/** Words that make a value a placeholder rather than a password someone uses. */
const PLACEHOLDERS = [
  'passw',
  'secret',
  'changeme',
  'change_me',
  'example',
  'sample',
  'dummy',
  'placeholder',
  'xxxx',
  '****',
  '....',
  'your',
  'null',
  'none',
  'undefined',
  'redacted',
  'foobar',
  'required',
  'insert',
  'replace',
  'test',
];

/**
 * A literal that reads like a password: letters and a digit or symbol, no placeholder words,
 * not a path, a variable or a dotted name (`settings.db.password`).
 */
function realPassword(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;

  const lower = value.toLowerCase();
  if (PLACEHOLDERS.some((word) => lower.includes(word))) return undefined;
  if (/^[/.~$%{<]/.test(value)) return undefined;
  if (/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(value)) return undefined;
  if (!/[A-Za-z]/.test(value) || !/[^A-Za-z]/.test(value)) return undefined;

  return value;
}

/**
 * A PEM or OpenSSH key block needs a body: some base64 after the header (PEM headers such as
 * Proc-Type may come first). A header alone is a parser or a document talking about keys.
 * JSON and environment values carry the line breaks as "\n" escapes.
 */
function keyBody(match: RegExpMatchArray, text: string): string | undefined {
  const from = (match.index ?? 0) + match[0].length;
  const lines = text
    .slice(from, from + 600)
    .replace(/\\[rn]/g, '\n')
    .split('\n');

  let body = '';
  for (const [index, raw] of lines.entries()) {
    // An END marker may share the line when spaces replaced the line breaks.
    const [content = '', ...after] = raw.split('-----');
    const ended = after.length > 0;
    const line = content.replace(/[\s"',]+/g, '');
    if (line === '') {
      if (body !== '' || ended) break;
      continue;
    }
    if (body === '' && /^[A-Za-z-]+:/.test(content.trim())) continue;
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) break;
    // Text right after the header, with no break or space between, is not a key body.
    if (index === 0 && !/^\s/.test(raw)) break;
    body += line;
    if (body.length >= 64) return body;
    if (ended) break;
  }

  return undefined;
}

/** A JWT whose header decodes to a JSON object naming its algorithm. */
function jwtWithHeader(match: RegExpMatchArray): string | undefined {
  const jwt = match.groups?.secret;
  if (jwt === undefined) return undefined;

  try {
    const header: unknown = JSON.parse(
      Buffer.from(jwt.slice(0, jwt.indexOf('.')), 'base64url').toString('utf8'),
    );
    const named = typeof header === 'object' && header !== null && 'alg' in header;

    return named ? jwt : undefined;
  } catch {
    return undefined;
  }
}

export function ruleById(id: string): SecretRule | undefined {
  return SECRET_RULES.find((rule) => rule.id === id);
}
