import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { oras } from '../support/clients.js';
import { useE2eRegistry } from '../support/registry-api.js';
import { finishedScan } from '../support/scans.js';
import { testImages } from '../support/tools.js';

/*
 * The SBOMs a scan attaches to an image (scanning.attachSboms), as a real client sees them:
 * `oras discover` lists them as referrers of the image and `oras pull` fetches the documents.
 */

const app = testImages()['debian-app']!;
const repo = 'sboms/app';
const cyclonedx = 'application/vnd.cyclonedx+json';
const spdx = 'application/spdx+json';

const e2e = useE2eRegistry('sboms', { scanning: { attachSboms: true } });

interface Discovered {
  referrers: { digest: string; artifactType: string }[];
}

beforeAll(async () => {
  await oras('cp', '--to-plain-http', '--from-oci-layout', `${app.dir}:v1`, e2e.ref(repo, 'v1'));
  await finishedScan(e2e.server, repo, app.digest);
});

describe('SBOMs a scan attached', () => {
  let discovered: Discovered;

  it('are listed by oras discover as referrers of the image', async () => {
    const { stdout } = await oras(
      'discover',
      '--plain-http',
      '--format',
      'json',
      e2e.ref(repo, 'v1'),
    );
    discovered = JSON.parse(stdout) as Discovered;

    expect(discovered.referrers.map((r) => r.artifactType).sort()).toEqual([spdx, cyclonedx]);
  });

  it('are pulled by oras as CycloneDX and SPDX documents of the image packages', async () => {
    const bom = await pulled(discovered, cyclonedx);
    const document = await pulled(discovered, spdx);
    const components = (bom.components as { purl?: string }[]).map((c) => c.purl ?? '');

    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(components.filter((purl) => purl.startsWith('pkg:deb/debian/')).length).toBeGreaterThan(
      80,
    );
    expect(document).toMatchObject({ spdxVersion: 'SPDX-2.3' });
  });
});

async function pulled(found: Discovered, artifactType: string): Promise<Record<string, unknown>> {
  const referrer = found.referrers.find((r) => r.artifactType === artifactType)!;
  const dir = path.join(e2e.scratch, artifactType.replace(/\W/g, '-'));
  await oras(
    'pull',
    '--plain-http',
    '--output',
    dir,
    `${e2e.server.host}/${repo}@${referrer.digest}`,
  );
  const [file] = await readdir(dir);

  return JSON.parse(await readFile(path.join(dir, file!), 'utf8')) as Record<string, unknown>;
}
