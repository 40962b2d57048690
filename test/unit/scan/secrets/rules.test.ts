import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextScanner } from '../../../../src/scan/secrets/engine.js';
import { SECRET_RULES } from '../../../../src/scan/secrets/index.js';
import { ALNUM, randomText, samples, TOKENS } from './tokens.js';

function scan(text: string) {
  const scanner = new TextScanner(SECRET_RULES, 100);
  scanner.write(Buffer.from(text));

  return scanner.end();
}

function ruleIds(text: string): string[] {
  return scan(text).map((hit) => hit.ruleId);
}

describe('each secret rule', () => {
  const cases = Object.entries(samples());

  it('has a sample here', () => {
    expect(cases.map(([id]) => id).sort()).toEqual(SECRET_RULES.map((rule) => rule.id).sort());
  });

  it.each(cases)('%s finds its credential, masked to four characters', (id, { text, secret }) => {
    const hits = scan(text);

    expect(hits.map((hit) => hit.ruleId)).toEqual([id]);
    expect(hits[0]!.match).toMatch(/^.{4}\*\*\*\*$/);
    expect(secret).toContain(hits[0]!.match.slice(0, 4));
    expect(JSON.stringify(hits)).not.toContain(secret.slice(0, 12));
  });
});

describe('near misses', () => {
  const t = TOKENS;

  it.each([
    [
      'a lower-case or short AWS key id',
      `id=${t['aws-access-key-id'].toLowerCase()} AKIA${'Q'.repeat(3)}ABCDEFGH`,
    ],
    ['an AWS key id inside a longer word', `X${t['aws-access-key-id']}Z`],
    ["AWS's documentation key", ['AKIAIOSFODNN7', 'EXAMPLE'].join('')],
    [
      '40 characters without a name that says what they are',
      `sha1 = ${randomText(40, '0123456789abcdef', 3)}`,
    ],
    [
      'an AWS secret one character short',
      `aws_secret_access_key = ${t['aws-secret-access-key'].slice(1)}`,
    ],
    ['a GitHub token one character short', t['github-pat'].slice(0, -1)],
    ['a GitHub-like prefix that is not one', `ghx_${randomText(36, ALNUM, 50)}`],
    ['a placeholder token', `ghp_${'x'.repeat(36)}`],
    ['a short GitLab token', 'glpat-abc123def4'],
    ['a Slack prefix without a token', 'xoxb-not-a-real-token'],
    ['a Slack webhook without its path', 'https://hooks.slack.com/services/XXXX'],
    ['a Stripe publishable key', `pk_live_${randomText(24, ALNUM, 51)}`],
    ['npm environment variables', 'npm_config_cache=/root/.npm npm_package_version=1.0.0'],
    ['an npm token reference in .npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'],
    ['a short PyPI token', 'pypi-AgEIcHlwaS5vcmcAAAA'],
    ['a JWT-shaped string whose header names no algorithm', jwtWithout()],
    ['a public key block', publicKey()],
    [
      'a key header in code',
      `if line.strip() == "-----BEGIN RSA ${'PRIVATE KEY'}-----":\n    found = True\n`,
    ],
    [
      'a key header with a placeholder body',
      `-----BEGIN ${'PRIVATE KEY'}-----\n...\n-----END ${'PRIVATE KEY'}-----\n`,
    ],
    ['an empty service-account key', '{"private_key": "", "private_key_id": "abc"}'],
    ['a short Azure account key', 'AccountKey=abc123=='],
    ['a password read from the environment', 'password = os.environ["DB_PASSWORD"]\n'],
    ['a password that is a reference', 'password: ${DB_PASSWORD}\n'],
    ['a placeholder password', 'PASSWORD=changeme123\npassword: "<your-password>"\n'],
    ['a word where a password would be', 'password: Passwort\n'],
    ['a password file, not a password', 'password_file=/run/secrets/db\n'],
    ['a dotted name', 'password = settings.database.pw1\n'],
    ['a URL whose password is a variable', 'https://bot:${TOKEN}@git.example.com/repo.git'],
    ['a URL with a port and no user', 'https://example.com:8443/path?q=1'],
    ['a URL with a placeholder password', 'postgres://user:password@localhost/db'],
    ['a URL in escaped test data', 'uri: "http://user:pa\\u00f1ss99@example.com"'],
  ])('%s: nothing', (_name, text) => {
    expect(ruleIds(text)).toEqual([]);
  });

  function jwtWithout(): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    return [
      part({ typ: 'JWT', kid: 'k1' }),
      part({ sub: 'someone' }),
      randomText(43, ALNUM, 52),
    ].join('.');
  }

  function publicKey(): string {
    const body = randomText(200, ALNUM, 53)
      .match(/.{1,64}/g)!
      .join('\n');

    return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
  }
});

describe('private keys', () => {
  it.each([
    ['PKCS#1 RSA', TOKENS['rsa-pkcs1']],
    ['PKCS#8', TOKENS['rsa-pkcs8']],
    ['SEC1 EC', TOKENS['ec-sec1']],
    ['OpenSSH', TOKENS.openssh],
  ])('finds a %s key block', (_name, pem) => {
    expect(ruleIds(`# key\n${pem}`)).toEqual(['private-key']);
  });

  it('finds a key kept in one line with \\n escapes, or with spaces for line breaks', () => {
    const pem = TOKENS['rsa-pkcs8'];

    expect(ruleIds(`KEY="${pem.replace(/\n/g, '\\n')}"`)).toEqual(['private-key']);
    expect(ruleIds(`KEY=${pem.replace(/\n/g, ' ')}`)).toEqual(['private-key']);
  });

  it('reports the line of the header', () => {
    const hits = scan(`one\ntwo\n${TOKENS['rsa-pkcs1']}`);

    expect(hits).toMatchObject([{ ruleId: 'private-key', line: 3 }]);
  });
});

describe('streamed text', () => {
  it('finds secrets split across chunks and windows, with their line numbers', () => {
    const filler = `${'lorem ipsum dolor sit amet '.repeat(3)}\n`.repeat(5000);
    const text = `${filler}GITHUB_TOKEN=${TOKENS['github-pat']}\n${filler}${TOKENS['rsa-pkcs1']}`;
    const scanner = new TextScanner(SECRET_RULES, 100);
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 777) scanner.write(bytes.subarray(at, at + 777));

    expect(scanner.end()).toEqual([
      { ruleId: 'github-pat', line: 5001, match: 'ghp_****' },
      { ruleId: 'private-key', line: 10002, match: 'MIIC****' },
    ]);
  });

  it('finds a secret on a line longer than a window', () => {
    const line = `${'a'.repeat(200_000)} ${TOKENS['npm-access-token']} ${'b'.repeat(200_000)}`;

    expect(ruleIds(line)).toEqual(['npm-access-token']);
  });

  it('keeps at most the number of hits asked for', () => {
    const scanner = new TextScanner(SECRET_RULES, 3);
    scanner.write(Buffer.from(`${TOKENS['github-pat']}\n`.repeat(10)));

    expect(scanner.end()).toHaveLength(3);
  });
});

describe('docs/scanning.md', () => {
  it('lists every secret rule', () => {
    const docs = readFileSync(
      path.resolve(import.meta.dirname, '../../../../docs/scanning.md'),
      'utf8',
    );

    for (const rule of SECRET_RULES) expect(docs).toContain(`\`${rule.id}\``);
  });
});
