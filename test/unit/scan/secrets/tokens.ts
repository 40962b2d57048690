// Credentials for the secret tests, made up at run time from each format's published shape:
// no test file holds anything that looks like a token, so the repository itself stays clean
// for secret scanners (ours included).

import { generateKeyPairSync } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
const BASE32 = `${UPPER}234567`;
const BASE64 = `${ALNUM}+/`;
const BASE64URL = `${ALNUM}-_`;

/** Deterministic text over an alphabet: the same seed gives the same text on every run. */
export function randomText(length: number, alphabet: string, seed = 7): string {
  let state = seed >>> 0;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    text += alphabet[(state >>> 8) % alphabet.length];
  }

  return text;
}

function base64Bytes(count: number, seed: number): string {
  return Buffer.from(randomText(count, ALNUM, seed)).toString('base64');
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** One valid-looking credential per rule, by rule id. */
export const TOKENS = {
  'aws-access-key-id': `AKIA${randomText(16, BASE32, 1)}`,
  'aws-secret-access-key': randomText(40, BASE64, 2),
  'azure-storage-account-key': base64Bytes(64, 3),
  'azure-shared-access-key': base64Bytes(32, 4),
  'github-pat': `ghp_${randomText(36, ALNUM, 5)}`,
  'github-fine-grained-pat': `github_pat_${randomText(22, ALNUM, 6)}_${randomText(59, ALNUM, 7)}`,
  'github-oauth-token': `gho_${randomText(36, ALNUM, 8)}`,
  'github-app-token': `ghs_${randomText(36, ALNUM, 9)}`,
  'github-refresh-token': `ghr_${randomText(76, ALNUM, 10)}`,
  'gitlab-pat': `glpat-${randomText(20, `${ALNUM}_-`, 11)}`,
  'gitlab-runner-token': `glrt-${randomText(20, `${ALNUM}_-`, 12)}`,
  'slack-token': `xoxb-${randomText(11, DIGITS, 13)}-${randomText(13, DIGITS, 14)}-${randomText(24, ALNUM, 15)}`,
  'slack-app-token': `xapp-1-A${randomText(10, UPPER + DIGITS, 16)}-${randomText(13, DIGITS, 17)}-${randomText(64, LOWER.slice(0, 6) + DIGITS, 18)}`,
  'slack-webhook': `T${randomText(8, UPPER, 19)}/B${randomText(8, UPPER, 20)}/${randomText(24, ALNUM, 21)}`,
  'stripe-secret-key': `sk_live_${randomText(24, ALNUM, 22)}`,
  'stripe-test-key': `sk_test_${randomText(24, ALNUM, 23)}`,
  'npm-access-token': `npm_${randomText(36, ALNUM, 24)}`,
  'npmrc-auth-token': [8, 4, 4, 4, 12]
    .map((n, i) => randomText(n, '0123456789abcdef', 25 + i))
    .join('-'),
  'pypi-upload-token': `pypi-AgEIcHlwaS5vcmc${randomText(70, BASE64URL, 30)}`,
  jwt: [
    base64url({ alg: 'HS256', typ: 'JWT' }),
    base64url({ sub: 'user-1', name: 'Berth Test', iat: 1700000000 }),
    randomText(43, BASE64URL, 31),
  ].join('.'),
  password: `Tr0ub4dor&${randomText(4, ALNUM, 32)}`,
  'rsa-pkcs1': rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  'rsa-pkcs8': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  'ec-sec1': ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  openssh: [
    `-----BEGIN OPENSSH ${'PRIVATE KEY'}-----`,
    ...randomText(280, BASE64, 33).match(/.{1,70}/g)!,
    `-----END OPENSSH ${'PRIVATE KEY'}-----`,
    '',
  ].join('\n'),
};

/** The text a rule is expected to see in each sample, and the sample itself, by rule id. */
export function samples(): Record<string, { text: string; secret: string }> {
  const t = TOKENS;
  const gcp = JSON.stringify(
    {
      type: 'service_account',
      project_id: 'berth-test',
      private_key_id: randomText(40, '0123456789abcdef', 40),
      private_key: t['rsa-pkcs8'],
      client_email: 'scanner@berth-test.iam.gserviceaccount.com',
    },
    null,
    2,
  );

  return {
    'aws-access-key-id': {
      text: `aws_access_key_id = ${t['aws-access-key-id']}\n`,
      secret: t['aws-access-key-id'],
    },
    'aws-secret-access-key': {
      text: `[default]\naws_secret_access_key = ${t['aws-secret-access-key']}\n`,
      secret: t['aws-secret-access-key'],
    },
    'gcp-service-account-key': { text: gcp, secret: t['rsa-pkcs8'] },
    'private-key': { text: t['rsa-pkcs1'], secret: t['rsa-pkcs1'] },
    'azure-storage-account-key': {
      text: `STORAGE=DefaultEndpointsProtocol=https;AccountName=berthtest;AccountKey=${t['azure-storage-account-key']};EndpointSuffix=core.windows.net\n`,
      secret: t['azure-storage-account-key'],
    },
    'azure-shared-access-key': {
      text: `Endpoint=sb://berth.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${t['azure-shared-access-key']}\n`,
      secret: t['azure-shared-access-key'],
    },
    'github-pat': { text: `GITHUB_TOKEN=${t['github-pat']}\n`, secret: t['github-pat'] },
    'github-fine-grained-pat': {
      text: `token: "${t['github-fine-grained-pat']}"\n`,
      secret: t['github-fine-grained-pat'],
    },
    'github-oauth-token': {
      text: `oauth=${t['github-oauth-token']}\n`,
      secret: t['github-oauth-token'],
    },
    'github-app-token': {
      text: `{"token": "${t['github-app-token']}"}\n`,
      secret: t['github-app-token'],
    },
    'github-refresh-token': {
      text: `refresh ${t['github-refresh-token']}\n`,
      secret: t['github-refresh-token'],
    },
    'gitlab-pat': { text: `GITLAB_TOKEN=${t['gitlab-pat']}\n`, secret: t['gitlab-pat'] },
    'gitlab-runner-token': {
      text: `  token = "${t['gitlab-runner-token']}"\n`,
      secret: t['gitlab-runner-token'],
    },
    'slack-token': { text: `SLACK_BOT_TOKEN=${t['slack-token']}\n`, secret: t['slack-token'] },
    'slack-app-token': {
      text: `SLACK_APP_TOKEN=${t['slack-app-token']}\n`,
      secret: t['slack-app-token'],
    },
    'slack-webhook': {
      text: `webhook: https://hooks.slack.com/services/${t['slack-webhook']}\n`,
      secret: t['slack-webhook'],
    },
    'stripe-secret-key': {
      text: `stripe.api_key = '${t['stripe-secret-key']}'\n`,
      secret: t['stripe-secret-key'],
    },
    'stripe-test-key': {
      text: `STRIPE_KEY=${t['stripe-test-key']}\n`,
      secret: t['stripe-test-key'],
    },
    'npm-access-token': {
      text: `//registry.npmjs.org/:_authToken=${t['npm-access-token']}\n`,
      secret: t['npm-access-token'],
    },
    'npmrc-auth-token': {
      text: `//npm.example.com/:_authToken=${t['npmrc-auth-token']}\n`,
      secret: t['npmrc-auth-token'],
    },
    'pypi-upload-token': {
      text: `[pypi]\n  password = ${t['pypi-upload-token']}\n`,
      secret: t['pypi-upload-token'],
    },
    jwt: { text: `Authorization: Bearer ${t.jwt}\n`, secret: t.jwt },
    'url-credentials': {
      text: `DATABASE_URL=postgres://app:${t.password}@db.internal:5432/app\n`,
      secret: t.password,
    },
    'generic-password': { text: `db:\n  password: "${t.password}"\n`, secret: t.password },
  };
}
