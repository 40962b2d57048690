import { describe, expect, it } from 'vitest';
import {
  descriptorOf,
  emptyConfig,
  expectOciError,
  imageIndex,
  imageManifest,
  MediaType,
  pushBlob,
  pushImage,
  pushManifest,
  pushReferrer,
  putManifest,
  randomBlob,
  sha256,
  uniqueRepo,
  v2,
  type Descriptor,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const sbom = 'application/vnd.example.sbom.v1';
const signature = 'application/vnd.example.signature.v1';

const server = useTestServer();

async function imageWithRepo() {
  const repo = uniqueRepo('refs');
  const image = await pushImage(server(), repo, 'v1');

  return { repo, subject: image.descriptor };
}

async function referrers(repo: string, digest: string, query = '') {
  const res = await fetch(v2(server(), `${repo}/referrers/${digest}${query}`));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(MediaType.ociIndex);
  const index = (await res.json()) as {
    schemaVersion: number;
    mediaType: string;
    manifests: Descriptor[];
  };

  return { index, filters: res.headers.get('oci-filters-applied') };
}

describe('PUT of a manifest with a subject', () => {
  it('answers with OCI-Subject naming the subject digest', async () => {
    const { repo, subject } = await imageWithRepo();

    const { response } = await pushReferrer(server(), repo, subject, sbom);

    expect(response.headers.get('oci-subject')).toBe(subject.digest);
  });

  it('sends no OCI-Subject for a manifest without a subject', async () => {
    const repo = uniqueRepo('refs');
    await pushBlob(server(), repo, emptyConfig.bytes);

    const res = await putManifest(server(), repo, 'plain', imageManifest({ config: emptyConfig }));

    expect(res.status).toBe(201);
    expect(res.headers.get('oci-subject')).toBeNull();
  });

  it('accepts a referrer before its subject exists', async () => {
    const repo = uniqueRepo('refs');
    const absent = descriptorOf(randomBlob(50), MediaType.ociManifest);

    const { response } = await pushReferrer(server(), repo, absent, sbom);
    const { index } = await referrers(repo, absent.digest);

    expect(response.status).toBe(201);
    expect(index.manifests).toHaveLength(1);
  });
});

describe('GET /v2/<name>/referrers/<digest>', () => {
  it('lists each referrer as a descriptor with its artifactType and annotations', async () => {
    const { repo, subject } = await imageWithRepo();
    const annotations = { 'org.example.kind': 'sbom' };
    const pushed = await pushReferrer(server(), repo, subject, sbom, annotations);

    const { index, filters } = await referrers(repo, subject.digest);

    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        {
          mediaType: MediaType.ociManifest,
          digest: pushed.digest,
          size: pushed.size,
          artifactType: sbom,
          annotations,
        },
      ],
    });
    expect(filters).toBeNull();
  });

  it('uses the config media type as artifactType when the manifest has none', async () => {
    const { repo, subject } = await imageWithRepo();
    const config = Buffer.from('{"kind":"legacy-artifact"}');
    await pushBlob(server(), repo, config);
    const manifest = imageManifest({
      config: descriptorOf(config, 'application/vnd.example.config.v1+json'),
      subject,
    });

    await pushManifest(server(), repo, 'legacy', manifest);
    const { index } = await referrers(repo, subject.digest);

    expect(index.manifests.map((d) => d.artifactType)).toEqual([
      'application/vnd.example.config.v1+json',
    ]);
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const { repo, subject } = await imageWithRepo();
    const wanted = await pushReferrer(server(), repo, subject, sbom);
    await pushReferrer(server(), repo, subject, signature);

    const all = await referrers(repo, subject.digest);
    const filtered = await referrers(repo, subject.digest, `?artifactType=${sbom}`);

    expect(all.index.manifests).toHaveLength(2);
    expect(filtered.index.manifests.map((d) => d.digest)).toEqual([wanted.digest]);
    expect(filtered.filters).toBe('artifactType');
  });

  it('lists an index that refers to a subject, with its artifactType', async () => {
    const { repo, subject } = await imageWithRepo();
    const child = await pushImage(server(), repo, 'child');
    const index = { ...imageIndex([child.descriptor]), artifactType: sbom, subject };

    const digest = await pushManifest(server(), repo, 'idx', index, MediaType.ociIndex);
    const listed = await referrers(repo, subject.digest);

    expect(listed.index.manifests).toEqual([
      expect.objectContaining({ mediaType: MediaType.ociIndex, digest, artifactType: sbom }),
    ]);
  });

  it('answers a digest nothing refers to with an empty index, not a 404', async () => {
    const { repo } = await imageWithRepo();

    const { index } = await referrers(repo, sha256(randomBlob(8)));

    expect(index).toEqual({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] });
  });

  it('answers an unknown repository with an empty index', async () => {
    const { index } = await referrers(uniqueRepo('none'), sha256(randomBlob(8)));

    expect(index.manifests).toEqual([]);
  });

  it('drops a referrer from the list once its manifest is deleted', async () => {
    const { repo, subject } = await imageWithRepo();
    const kept = await pushReferrer(server(), repo, subject, sbom);
    const dropped = await pushReferrer(server(), repo, subject, signature);

    const res = await fetch(v2(server(), `${repo}/manifests/${dropped.digest}`), {
      method: 'DELETE',
    });
    const { index } = await referrers(repo, subject.digest);

    expect(res.status).toBe(202);
    expect(index.manifests.map((d) => d.digest)).toEqual([kept.digest]);
  });

  it('refuses a malformed digest with 400 DIGEST_INVALID', async () => {
    const { repo } = await imageWithRepo();

    const res = await fetch(v2(server(), `${repo}/referrers/sha256:abc`));

    await expectOciError(res, 400, 'DIGEST_INVALID');
  });
});
