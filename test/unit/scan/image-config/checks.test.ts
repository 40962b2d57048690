import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildStep,
  checkConfig,
  CONFIG_CHECKS,
  ImageConfigError,
  parseImageConfig,
} from '../../../../src/scan/image-config/index.js';

/** A config that passes every check; each test changes one thing. */
const CLEAN = {
  config: {
    User: 'app',
    Env: ['PATH=/usr/local/bin:/usr/bin', 'APP_HOME=/srv/app'],
    Cmd: ['serve'],
    Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost/health'] },
    ExposedPorts: { '8080/tcp': {} },
  },
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:3b1c1f in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    {
      created_by:
        'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* # buildkit',
    },
  ],
};

function ids(change: { config?: Record<string, unknown>; history?: object[] }) {
  const document = {
    config: { ...CLEAN.config, ...change.config },
    history: [...CLEAN.history, ...(change.history ?? [])],
  };

  return checkConfig(parseImageConfig(Buffer.from(JSON.stringify(document))));
}

function fired(change: Parameters<typeof ids>[0]): string[] {
  return ids(change).map((finding) => finding.id);
}

describe('image-config checks', () => {
  it('find nothing in a clean config', () => {
    expect(fired({})).toEqual([]);
  });

  it.each([
    ['no User', { User: undefined }],
    ['an empty User', { User: '' }],
    ['User root', { User: 'root' }],
    ['User 0', { User: '0' }],
    ['User root:root', { User: 'root:root' }],
    ['User 0:0', { User: '0:0' }],
  ])('BERTH-CFG-001: runs as root with %s', (_name, config) => {
    expect(fired({ config })).toEqual(['BERTH-CFG-001']);
  });

  it.each([['app'], ['1000'], ['1000:1000'], ['nobody'], ['rooty']])(
    'BERTH-CFG-001: User %s is not root',
    (User) => {
      expect(fired({ config: { User } })).toEqual([]);
    },
  );

  it('BERTH-CFG-002: credentials in ENV, by name, never with their value', () => {
    const env = [
      'AWS_SECRET_ACCESS_KEY=abc123def456',
      'AWS_ACCESS_KEY_ID=AKIA0000',
      'DB_PASSWORD=hunter2hunter2',
      'VITE_API_KEY=k-123',
      'GITHUB_TOKEN=t-123',
      'client.secret=s-1',
    ];
    const found = ids({ config: { Env: env } });

    expect(found.map((f) => [f.id, f.field])).toEqual(
      env.map((_, index) => ['BERTH-CFG-002', `Env[${index}]`]),
    );
    expect(found[0]!.message).toBe('ENV AWS_SECRET_ACCESS_KEY holds a value in the config');
    expect(JSON.stringify(found)).not.toContain('abc123');
  });

  it.each([
    ['GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D'],
    ['PYTHON_SHA256=0123abcd'],
    ['DB_PASSWORD='],
    ['DB_PASSWORD=$DB_PASSWORD_FROM_SECRET'],
    ['DB_PASSWORD_FILE=/run/secrets/db'],
    ['TOKEN_URL=https://auth.example.com/token'],
    ['AUTH_TOKEN=none'],
  ])('BERTH-CFG-002: %s is no credential', (entry) => {
    expect(fired({ config: { Env: [entry] } })).toEqual([]);
  });

  it('BERTH-CFG-003: build arguments and command-line logins in RUN steps', () => {
    const found = ids({
      history: [
        { created_by: '|2 NPM_TOKEN=abcdef VERSION=1.2 /bin/sh -c npm ci' },
        { created_by: 'RUN |1 GH_TOKEN=xyz123 /bin/sh -c make # buildkit' },
        { created_by: '/bin/sh -c docker login -u bot -p hunter2 registry.example.com' },
        { created_by: 'RUN /bin/sh -c aws configure set aws_secret_access_key abc # buildkit' },
        { created_by: 'RUN /bin/sh -c gcloud auth activate-service-account --key-file k.json' },
      ],
    });

    expect(found.map((f) => [f.id, f.field, f.message])).toEqual([
      ['BERTH-CFG-003', 'history[3].created_by', 'build argument NPM_TOKEN has a value in history'],
      ['BERTH-CFG-003', 'history[4].created_by', 'build argument GH_TOKEN has a value in history'],
      [
        'BERTH-CFG-003',
        'history[5].created_by',
        'a RUN step passes a password to docker login on its command line',
      ],
      [
        'BERTH-CFG-003',
        'history[6].created_by',
        'a RUN step sets an AWS secret with aws configure on its command line',
      ],
      [
        'BERTH-CFG-003',
        'history[7].created_by',
        'a RUN step activates a Google Cloud service-account key on its command line',
      ],
    ]);
  });

  it.each([
    ['a build argument that is not a credential', '|1 VERSION=1.2 /bin/sh -c make'],
    ['an empty credential argument', '|1 NPM_TOKEN= /bin/sh -c npm ci'],
    [
      'docker login reading standard input',
      '/bin/sh -c docker login -u bot --password-stdin r.io < /run/secrets/pw',
    ],
    [
      'a login with a secret mount',
      'RUN --mount=type=secret,id=pw /bin/sh -c docker login -u bot -p "$(cat /run/secrets/pw)" r.io',
    ],
    ['aws configure of a region', 'RUN /bin/sh -c aws configure set region eu-west-1'],
  ])('BERTH-CFG-003: not for %s', (_name, createdBy) => {
    expect(fired({ history: [{ created_by: createdBy }] })).toEqual([]);
  });

  it.each([
    ['no Healthcheck', { Healthcheck: undefined }],
    ['a disabled one', { Healthcheck: { Test: ['NONE'] } }],
  ])('BERTH-CFG-004: %s', (_name, config) => {
    expect(fired({ config })).toEqual(['BERTH-CFG-004']);
  });

  it('BERTH-CFG-005: ADD of a URL without --checksum, shown without its credentials', () => {
    const found = ids({
      history: [
        {
          created_by:
            'ADD https://user:pw@downloads.example.com/tool.tar.gz?sig=1 /opt/ # buildkit',
        },
        { created_by: '/bin/sh -c #(nop) ADD http://example.com/a.tgz /opt/' },
      ],
    });

    expect(found.map((f) => [f.id, f.message])).toEqual([
      ['BERTH-CFG-005', 'ADD fetches https://downloads.example.com/tool.tar.gz without --checksum'],
      ['BERTH-CFG-005', 'ADD fetches http://example.com/a.tgz without --checksum'],
    ]);
  });

  it.each([
    ['a pinned URL', 'ADD --checksum=sha256:0123 https://example.com/tool.tar.gz /opt/ # buildkit'],
    ['a local file', '/bin/sh -c #(nop) ADD file:0123abcd in /'],
    ['COPY', 'COPY . /srv/app # buildkit'],
    ['a RUN that downloads', 'RUN /bin/sh -c curl -fsSLo /tmp/x https://example.com/x # buildkit'],
  ])('BERTH-CFG-005: not for %s', (_name, createdBy) => {
    expect(fired({ history: [{ created_by: createdBy }] })).toEqual([]);
  });

  it('BERTH-CFG-006: port 22 exposed, and not 2222', () => {
    expect(fired({ config: { ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } } })).toEqual([
      'BERTH-CFG-006',
    ]);
    expect(fired({ config: { ExposedPorts: { '2222/tcp': {}, '220/udp': {} } } })).toEqual([]);
  });

  it.each([
    [
      'apt-get install without removing the lists',
      'RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit',
    ],
    ['apk add without --no-cache', '/bin/sh -c apk add curl'],
    ['dnf install without clean all', 'RUN /bin/sh -c dnf install -y curl # buildkit'],
  ])('BERTH-CFG-007: %s', (_name, createdBy) => {
    expect(fired({ history: [{ created_by: createdBy }] })).toEqual(['BERTH-CFG-007']);
  });

  it.each([
    ['apk add --no-cache', '/bin/sh -c apk add --no-cache curl'],
    ['dnf with clean all', 'RUN /bin/sh -c dnf install -y curl && dnf clean all # buildkit'],
    [
      'a cache mount',
      'RUN --mount=type=cache,target=/var/cache/apt /bin/sh -c apt-get install -y curl # buildkit',
    ],
    ['apt-get update alone', 'RUN /bin/sh -c apt-get update # buildkit'],
  ])('BERTH-CFG-007: not for %s', (_name, createdBy) => {
    expect(fired({ history: [{ created_by: createdBy }] })).toEqual([]);
  });

  it('are each listed in docs/scanning.md', () => {
    const docs = readFileSync(
      path.resolve(import.meta.dirname, '../../../../docs/scanning.md'),
      'utf8',
    );

    for (const check of CONFIG_CHECKS) expect(docs).toContain(`\`${check.id}\``);
  });
});

describe('image configs from untrusted JSON', () => {
  it('refuses what is not a JSON object', () => {
    expect(() => parseImageConfig(Buffer.from('not json'))).toThrow(ImageConfigError);
    expect(() => parseImageConfig(Buffer.from('[1, 2]'))).toThrow(ImageConfigError);
  });

  it('takes fields of the wrong type as absent', () => {
    const config = parseImageConfig(
      Buffer.from(JSON.stringify({ config: { User: 0, Env: 'A=1', Labels: [1] }, history: [7] })),
    );

    expect(config).toEqual({
      env: [],
      cmd: [],
      entrypoint: [],
      labels: {},
      exposedPorts: [],
      history: [{ createdBy: '', emptyLayer: false }],
    });
  });
});

describe('history entries', () => {
  it.each([
    ['/bin/sh -c #(nop)  ENV A=b', { instruction: 'ENV', body: 'A=b' }],
    ['/bin/sh -c apt-get update', { instruction: 'RUN', body: 'apt-get update' }],
    [
      '|2 A=1 B=2 /bin/sh -c make',
      {
        instruction: 'RUN',
        body: 'make',
        buildArgs: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ],
    ['RUN /bin/sh -c make install # buildkit', { instruction: 'RUN', body: 'make install' }],
    [
      'RUN --mount=type=secret,id=npm /bin/sh -c npm ci # buildkit',
      { instruction: 'RUN', body: 'npm ci', flags: ['--mount=type=secret,id=npm'] },
    ],
    [
      'ADD https://example.com/x.tgz /opt/ # buildkit',
      { instruction: 'ADD', body: 'https://example.com/x.tgz /opt/' },
    ],
    [
      'COPY --chown=app . /srv # buildkit',
      { instruction: 'COPY', body: '. /srv', flags: ['--chown=app'] },
    ],
    ['env A=1 make', { instruction: 'RUN', body: 'env A=1 make' }],
  ])('%s', (createdBy, expected) => {
    expect(buildStep(createdBy)).toMatchObject(expected);
  });
});
