import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { oras, orasIn } from '../support/clients.js';
import { useE2eRegistry } from '../support/registry-api.js';
import { testImages } from '../support/tools.js';

/*
 * oras attaching an artifact to a real image through the referrers API (distribution spec v1.1
 * "Listing Referrers"), and finding it again with `oras discover` and with a plain GET.
 */

const app = testImages()['debian-app']!;
const sbomType = 'application/vnd.berth.test.sbom+json';
const signatureType = 'application/vnd.berth.test.signature+json';

const e2e = useE2eRegistry('referrers');

beforeAll(async () => {
  await oras(
    'cp',
    '--to-plain-http',
    '--from-oci-layout',
    `${app.dir}:v1`,
    e2e.ref('oras/app', 'v1'),
  );
});

interface Discovered {
  digest: string;
  referrers: { digest: string; artifactType: string }[];
}

describe('oras attach and discover', () => {
  const repo = 'oras/app';
  let sbom: string;
  let signature: string;

  it('attaches an artifact to the image through the referrers API', async () => {
    sbom = await attach(sbomType, 'sbom.json', '--distribution-spec', 'v1.1-referrers-api');

    const { body } = await e2e.api.manifest(repo, sbom);
    expect(body.subject?.digest).toBe(app.digest);
    expect(body.artifactType).toBe(sbomType);
  });

  it('keeps no sha256-<hex> fallback tag when left to detect support from OCI-Subject', async () => {
    signature = await attach(signatureType, 'signature.json');

    expect((await e2e.api.manifest(repo, signature)).body.subject?.digest).toBe(app.digest);
    expect(await e2e.api.tags(repo)).toEqual(['v1']);
  });

  it('finds both artifacts with oras discover', async () => {
    const { stdout } = await oras(
      'discover',
      '--plain-http',
      '--format',
      'json',
      e2e.ref(repo, 'v1'),
    );

    const discovered = JSON.parse(stdout) as Discovered;
    expect(discovered.digest).toBe(app.digest);
    expect(byType(discovered.referrers)).toEqual([
      [sbom, sbomType],
      [signature, signatureType],
    ]);
  });

  it('finds both artifacts with GET /v2/<name>/referrers/<digest>', async () => {
    const referrers = await e2e.api.referrers(repo, app.digest);

    expect(byType(referrers)).toEqual([
      [sbom, sbomType],
      [signature, signatureType],
    ]);
  });

  it('filters the referrers API by artifact type', async () => {
    const referrers = await e2e.api.referrers(repo, app.digest, signatureType);

    expect(byType(referrers)).toEqual([[signature, signatureType]]);
  });

  it('copies the image with its referrers to another repository', async () => {
    await oras(
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      '--recursive',
      e2e.ref(repo, 'v1'),
      e2e.ref('oras/copy', 'v1'),
    );

    expect((await e2e.api.manifest('oras/copy', 'v1')).digest).toBe(app.digest);
    expect(byType(await e2e.api.referrers('oras/copy', app.digest))).toEqual([
      [sbom, sbomType],
      [signature, signatureType],
    ]);
  });

  it('drops a deleted artifact from the referrers API', async () => {
    await oras(
      'manifest',
      'delete',
      '--plain-http',
      '--force',
      `${e2e.server.host}/${repo}@${sbom}`,
    );

    expect(await e2e.api.manifestStatus(repo, sbom)).toBe(404);
    expect(byType(await e2e.api.referrers(repo, app.digest))).toEqual([[signature, signatureType]]);
    const { stdout } = await oras(
      'discover',
      '--plain-http',
      '--format',
      'json',
      e2e.ref(repo, 'v1'),
    );
    expect(byType((JSON.parse(stdout) as Discovered).referrers)).toEqual([
      [signature, signatureType],
    ]);
  });

  /** Attaches a small JSON file of `artifactType` to the image; answers the artifact's digest. */
  async function attach(artifactType: string, file: string, ...flags: string[]): Promise<string> {
    await writeFile(path.join(e2e.scratch, file), JSON.stringify({ artifactType }));
    const { stdout } = await orasIn(
      e2e.scratch,
      'attach',
      '--plain-http',
      ...flags,
      '--artifact-type',
      artifactType,
      '--format',
      'json',
      e2e.ref(repo, 'v1'),
      `${file}:application/json`,
    );

    return (JSON.parse(stdout) as { digest: string }).digest;
  }
});

/** [digest, artifactType] pairs in artifact-type order, for comparing listings. */
function byType(descriptors: { digest: string; artifactType?: string }[]): string[][] {
  return descriptors
    .map((d) => [d.digest, d.artifactType ?? ''])
    .sort((a, b) => a[1]!.localeCompare(b[1]!));
}
