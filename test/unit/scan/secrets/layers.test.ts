import { describe, expect, it } from 'vitest';
import { MemoryLayerCache } from '../../../../src/scan/inventory/index.js';
import { scanImage, type ScanOptions } from '../../../../src/scan/scan.js';
import { secretScanner } from '../../../../src/scan/secrets/index.js';
import { file, hugeFileLayer, BlobSet, type EntrySpec } from '../inventory/layers.js';
import { imageSource, type ImageSpec } from './images.js';
import { TOKENS } from './tokens.js';

const platform = { os: 'linux', architecture: 'amd64' };
const token = TOKENS['github-pat'];
const dotenv = file('app/.env', `# settings\nGITHUB_TOKEN=${token}\n`);

async function scan(spec: ImageSpec, options: Partial<ScanOptions> = {}) {
  const source = await imageSource(spec);
  const report = await scanImage(source, { platform, scanners: ['secret'], ...options });
  const digests = (await source.resolve(platform)).layers.map((layer) => layer.digest);

  return { report, digests };
}

describe('secrets in layers', () => {
  it('reports a secret that a later layer deletes, with the layer that holds it', async () => {
    const { report, digests } = await scan({ layers: [[dotenv], [{ whiteout: 'app/.env' }]] });

    expect(report.secrets).toEqual([
      {
        ruleId: 'github-pat',
        category: 'GitHub',
        title: 'GitHub personal access token (classic)',
        severity: 'critical',
        match: 'ghp_****',
        source: 'layer',
        path: '/app/.env',
        line: 2,
        layerDigest: digests[0],
        removedLater: 'deleted',
      },
    ]);
  });

  it('says whether the file is still there, replaced, or gone with its directory', async () => {
    const replaced = await scan({ layers: [[dotenv], [file('app/.env', 'GITHUB_TOKEN=\n')]] });
    const opaque = await scan({ layers: [[dotenv], [{ opaque: 'app' }]] });
    const kept = await scan({ layers: [[dotenv], [file('app/other', 'x\n')]] });

    expect(replaced.report.secrets).toMatchObject([{ removedLater: 'replaced' }]);
    expect(opaque.report.secrets).toMatchObject([{ removedLater: 'deleted' }]);
    expect(kept.report.secrets).toHaveLength(1);
    expect(kept.report.secrets[0]).not.toHaveProperty('removedLater');
  });

  it('reads files that an analyser reads too', async () => {
    const manifest = JSON.stringify(
      { name: 'leaky', version: '1.0.0', config: { token } },
      null,
      2,
    );
    const { report } = await scan({
      layers: [[file('srv/app/node_modules/leaky/package.json', manifest)]],
    });

    expect(report.inventory.packages.map((item) => item.name)).toEqual(['leaky']);
    expect(report.secrets).toMatchObject([
      { ruleId: 'github-pat', path: '/srv/app/node_modules/leaky/package.json', line: 5 },
    ]);
  });

  it('skips binary files', async () => {
    const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0]), Buffer.from(token)]);
    const { report } = await scan({ layers: [[file('app/bin/tool', binary, 0o755)]] });

    expect(report.secrets).toEqual([]);
  });

  it('skips files over the size cap', async () => {
    const padded = file('app/settings.txt', `${'#\n'.repeat(600)}GITHUB_TOKEN=${token}\n`);

    const capped = await scan({ layers: [[padded]] }, { secrets: { maxFileBytes: 1000 } });
    const uncapped = await scan({ layers: [[padded]] });

    expect(capped.report.secrets).toEqual([]);
    expect(uncapped.report.secrets).toMatchObject([{ line: 601 }]);
  });

  it('decides on size from the tar header, before reading a byte', () => {
    const scanner = secretScanner();

    expect(scanner.wants({ path: 'app/huge.log', size: 11 * 2 ** 20, mode: 0o644 })).toBe(false);
    expect(scanner.wants({ path: 'app/small.log', size: 2 ** 20, mode: 0o644 })).toBe(true);
    expect(scanner.wants({ path: 'app/empty', size: 0, mode: 0o644 })).toBe(false);
  });

  it('reads a layer with a file of 64 MiB without taking it in', async () => {
    const blobs = new BlobSet();
    const layer = blobs.add(await hugeFileLayer('app/data.bin', 64 * 2 ** 20, [dotenv]));
    const source = {
      resolve: async () => ({
        reference: 'registry.test/huge:1',
        name: 'registry.test/huge',
        configDigest: 'sha256:missing',
        platform,
        layers: [{ digest: layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
        diffIds: [],
      }),
      openBlob: blobs.open,
      close: async () => {},
    };

    const report = await scanImage(source, { platform, scanners: ['secret'] });

    expect(report.secrets).toMatchObject([{ path: '/app/.env' }]);
    expect(report.configProblem).toMatch(/could not be read/);
  });

  it('leaves documentation, test fixtures, trust stores and lock files alone', async () => {
    const line = `GITHUB_TOKEN=${token}\n`;
    const skipped: EntrySpec[] = [
      file('usr/share/doc/tool/examples/config', line),
      file('srv/app/node_modules/lib/test/fixture.env', line),
      file('usr/local/lib/python3.12/site-packages/lib/tests/data.txt', line),
      file('etc/ssl/certs/bundle.pem', TOKENS['rsa-pkcs1']),
      file('srv/app/README.md', line),
      file('srv/app/package-lock.json', line),
      file('srv/app/logo.svg', line),
      file('go/src/lib/testdata/key.pem', TOKENS['rsa-pkcs1']),
    ];
    const { report } = await scan({ layers: [[...skipped, file('srv/app/config.yml', line)]] });

    expect(report.secrets.map((secret) => secret.source === 'layer' && secret.path)).toEqual([
      '/srv/app/config.yml',
    ]);
  });

  it('takes its skip list from the options', async () => {
    const { report } = await scan(
      { layers: [[dotenv, file('usr/share/doc/x/token', `${token}\n`)]] },
      { secrets: { skipPaths: ['app/**'] } },
    );

    expect(report.secrets).toMatchObject([{ path: '/usr/share/doc/x/token' }]);
  });

  it('keeps a bounded number of findings per file and per layer, and says so', async () => {
    const many = `${token}\n`.repeat(50);
    const files = Array.from({ length: 60 }, (_, index) => file(`app/f${index}`, many));
    const { report } = await scan({ layers: [files] });

    expect(report.secrets).toHaveLength(1000);
    expect(report.secrets.filter((s) => s.source === 'layer' && s.path === '/app/f0')).toHaveLength(
      20,
    );
    expect(report.inventory.problems).toMatchObject([{ kind: 'content-truncated' }]);
  });
});

describe('the layer cache', () => {
  it('keeps secrets with the layer record, and reads a layer again for a new scanner', async () => {
    const cache = new MemoryLayerCache();
    const source = await imageSource({ layers: [[dotenv]] });
    const opened: string[] = [];
    const counting = {
      ...source,
      openBlob: (digest: string) => (opened.push(digest), source.openBlob(digest)),
    };
    const run = (scanners: ScanOptions['scanners']) =>
      scanImage(counting, { platform, cache, scanners });

    const without = await run(['vuln']);
    const first = await run(['vuln', 'secret']);
    const cached = await run(['vuln', 'secret']);

    expect(without.secrets).toEqual([]);
    expect(first.secrets).toHaveLength(1);
    expect(cached.secrets).toEqual(first.secrets);
    expect(cached.inventory.layers[0]).toMatchObject({ fromCache: true });
    const layer = (await source.resolve(platform)).layers[0]!.digest;
    expect(opened.filter((digest) => digest === layer)).toHaveLength(2);
  });
});

describe('secrets in the image config', () => {
  it('finds them in ENV, the command, labels and history, named by field', async () => {
    const npmToken = TOKENS['npm-access-token'];
    const { report } = await scan({
      layers: [[file('app/main.sh', 'echo hi\n')]],
      config: {
        config: {
          Env: ['PATH=/usr/bin', `GITHUB_TOKEN=${token}`],
          Cmd: ['serve', '--slack', `https://hooks.slack.com/services/${TOKENS['slack-webhook']}`],
          Labels: { 'org.example.deploy-key': TOKENS['stripe-secret-key'] },
        },
        history: [
          { created_by: `ENV GITHUB_TOKEN=${token}`, empty_layer: true },
          { created_by: `RUN |1 NPM_TOKEN=${npmToken} /bin/sh -c npm ci # buildkit` },
        ],
      },
    });

    expect(report.secrets.map((s) => s.source === 'config' && [s.field, s.ruleId])).toEqual([
      ['Env[1]', 'github-pat'],
      ['Cmd', 'slack-webhook'],
      ['Labels[org.example.deploy-key]', 'stripe-secret-key'],
      ['history[0].created_by', 'github-pat'],
      ['history[1].created_by', 'npm-access-token'],
    ]);
    expect(JSON.stringify(report.secrets)).not.toContain(token.slice(4, 12));
  });

  it('runs neither secrets nor config checks that were not asked for', async () => {
    const { report } = await scan(
      { layers: [[dotenv]], config: { config: { Env: [`GITHUB_TOKEN=${token}`] } } },
      { scanners: ['vuln', 'license'] },
    );

    expect(report.scanners).toEqual(['vuln', 'license']);
    expect(report.secrets).toEqual([]);
    expect(report.configFindings).toEqual([]);
    expect(report.licenses?.counts.unknown).toBe(0);
  });
});
