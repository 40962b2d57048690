import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/oci/digest.js';
import { RegistryError } from '../../../src/oci/errors.js';
import { normaliseContentType, parseManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/mediatypes.js';

const configDigest = digestOf(Buffer.from('config'));
const layerDigest = digestOf(Buffer.from('layer'));
const childDigest = digestOf(Buffer.from('child'));
const subjectDigest = digestOf(Buffer.from('subject'));

const config = { mediaType: MediaType.ociConfig, digest: configDigest, size: 7 };
const layer = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: layerDigest,
  size: 1024,
};
const child = { mediaType: MediaType.ociManifest, digest: childDigest, size: 512 };
const subject = { mediaType: MediaType.ociManifest, digest: subjectDigest, size: 300 };

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function ociManifest(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer], ...fields };
}

function ociIndex(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [child], ...fields };
}

describe('parseManifest: accepted manifests', () => {
  it('parses an OCI image manifest', () => {
    const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' };

    const parsed = parseManifest(body(ociManifest({ annotations })), MediaType.ociManifest);

    expect(parsed).toMatchObject({
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configDigest, size: 7 },
      layers: [{ digest: layerDigest, size: 1024 }],
      manifests: [],
      annotations,
    });
    expect(parsed.subject).toBeUndefined();
  });

  it('parses an OCI image index with its child manifests', () => {
    const platform = { architecture: 'arm64', os: 'linux' };

    const parsed = parseManifest(
      body(ociIndex({ manifests: [{ ...child, platform }, child] })),
      MediaType.ociIndex,
    );

    expect(parsed.mediaType).toBe(MediaType.ociIndex);
    expect(parsed.config).toBeUndefined();
    expect(parsed.layers).toEqual([]);
    expect(parsed.manifests.map((m) => m.digest)).toEqual([childDigest, childDigest]);
    expect(parsed.artifactType).toBeUndefined();
  });

  it('parses a Docker schema 2 manifest', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: configDigest,
        size: 7,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          digest: layerDigest,
          size: 1024,
        },
      ],
    };

    const parsed = parseManifest(body(manifest), MediaType.dockerManifest);

    expect(parsed.mediaType).toBe(MediaType.dockerManifest);
    expect(parsed.layers).toHaveLength(1);
    expect(parsed.artifactType).toBe('application/vnd.docker.container.image.v1+json');
  });

  it('parses a Docker manifest list', () => {
    const list = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [{ ...child, mediaType: MediaType.dockerManifest }],
    };

    const parsed = parseManifest(body(list), MediaType.dockerManifestList);

    expect(parsed.mediaType).toBe(MediaType.dockerManifestList);
    expect(parsed.manifests).toHaveLength(1);
  });

  it('takes artifactType from an artifact manifest', () => {
    const artifact = ociManifest({
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: MediaType.ociEmpty, digest: configDigest, size: 2 },
    });

    expect(parseManifest(body(artifact), undefined).artifactType).toBe(
      'application/vnd.example.sbom',
    );
  });

  it('falls back to the config media type for artifactType', () => {
    const custom = { ...config, mediaType: 'application/vnd.example.config.v1+json' };

    expect(parseManifest(body(ociManifest({ config: custom })), undefined).artifactType).toBe(
      'application/vnd.example.config.v1+json',
    );
  });

  it('falls back to the config media type when artifactType is empty', () => {
    const custom = { ...config, mediaType: 'application/vnd.example.config.v1+json' };
    const manifest = ociManifest({ artifactType: '', config: custom });

    expect(parseManifest(body(manifest), undefined).artifactType).toBe(
      'application/vnd.example.config.v1+json',
    );
  });

  it('takes artifactType from an index that declares one', () => {
    const index = ociIndex({ artifactType: 'application/vnd.example.bundle' });

    expect(parseManifest(body(index), undefined).artifactType).toBe(
      'application/vnd.example.bundle',
    );
  });

  it('reads the subject of a manifest and of an index', () => {
    expect(parseManifest(body(ociManifest({ subject })), undefined).subject?.digest).toBe(
      subjectDigest,
    );
    expect(parseManifest(body(ociIndex({ subject })), undefined).subject?.digest).toBe(
      subjectDigest,
    );
  });

  it('accepts a manifest without layers', () => {
    const manifest = { schemaVersion: 2, mediaType: MediaType.ociManifest, config };

    expect(parseManifest(body(manifest), undefined).layers).toEqual([]);
  });

  it('infers an OCI manifest when mediaType and Content-Type are both absent', () => {
    const manifest = withoutMediaType(ociManifest());

    expect(parseManifest(body(manifest), undefined).mediaType).toBe(MediaType.ociManifest);
  });

  it('infers an OCI index from a manifests array when mediaType is absent', () => {
    const index = withoutMediaType(ociIndex());

    expect(parseManifest(body(index), undefined).mediaType).toBe(MediaType.ociIndex);
  });

  it('takes the media type from Content-Type when the body has none', () => {
    const index = withoutMediaType(ociIndex());

    const parsed = parseManifest(body(index), MediaType.dockerManifestList);

    expect(parsed.mediaType).toBe(MediaType.dockerManifestList);
  });

  it('ignores Content-Type parameters, case and a non-manifest Content-Type', () => {
    const manifest = body(ociManifest());

    expect(parseManifest(manifest, `${MediaType.ociManifest}; charset=utf-8`).mediaType).toBe(
      MediaType.ociManifest,
    );
    expect(parseManifest(manifest, MediaType.ociManifest.toUpperCase()).mediaType).toBe(
      MediaType.ociManifest,
    );
    expect(parseManifest(manifest, 'application/json').mediaType).toBe(MediaType.ociManifest);
  });

  it('keeps descriptor annotations, artifactType and urls', () => {
    const foreign = {
      mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
      digest: layerDigest,
      size: 10,
      urls: ['https://example.com/layer', 42],
      annotations: { a: 'b' },
      artifactType: 'application/x',
    };

    const [parsed] = parseManifest(body(ociManifest({ layers: [foreign] })), undefined).layers;

    expect(parsed).toMatchObject({
      urls: ['https://example.com/layer'],
      annotations: { a: 'b' },
      artifactType: 'application/x',
    });
  });
});

describe('parseManifest: refused manifests', () => {
  it.each([
    ['a Docker schema 1 body', { schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }, undefined],
    ['a signed schema 1 Content-Type', ociManifest(), MediaType.dockerSchema1Signed],
    ['a schema 1 mediaType', ociManifest({ mediaType: MediaType.dockerSchema1 }), undefined],
  ])('refuses %s', (_, manifest, contentType) => {
    expect(messageOf(body(manifest), contentType)).toMatch(/schema 1|unsupported manifest type/);
  });

  it('refuses a mediaType that disagrees with Content-Type', () => {
    expect(messageOf(body(ociManifest()), MediaType.dockerManifest)).toMatch(
      /does not match Content-Type/,
    );
    expect(messageOf(body(ociIndex()), MediaType.ociManifest)).toMatch(
      /does not match Content-Type/,
    );
  });

  it.each([
    ['not JSON', Buffer.from('{"schemaVersion": 2,')],
    ['a JSON array', body([ociManifest()])],
    ['a JSON string', body('manifest')],
    ['JSON null', body(null)],
    ['a missing schemaVersion', body({ mediaType: MediaType.ociManifest, config })],
    ['schemaVersion 3', body(ociManifest({ schemaVersion: 3 }))],
    ['schemaVersion "2" as a string', body(ociManifest({ schemaVersion: '2' }))],
    ['an unknown mediaType', body(ociManifest({ mediaType: 'application/json' }))],
    ['a non-string mediaType', body(ociManifest({ mediaType: 2 }))],
    ['a missing config', body(ociManifest({ config: undefined }))],
    ['a config that is not an object', body(ociManifest({ config: 'sha256:abc' }))],
    ['layers that are not an array', body(ociManifest({ layers: layer }))],
    ['an index without manifests', body(ociIndex({ manifests: undefined }))],
    ['non-string annotations', body(ociManifest({ annotations: { a: 1 } }))],
    ['annotations that are an array', body(ociManifest({ annotations: ['a'] }))],
    ['a non-string artifactType', body(ociManifest({ artifactType: 7 }))],
    ['a subject that is not a descriptor', body(ociManifest({ subject: subjectDigest }))],
  ])('refuses a manifest with %s as MANIFEST_INVALID', (_, manifest) => {
    expect(errorOf(manifest, undefined).code).toBe('MANIFEST_INVALID');
  });

  it.each([
    ['a missing digest', { mediaType: layer.mediaType, size: 1 }],
    ['a malformed digest', { ...layer, digest: 'sha256:1234' }],
    ['an uppercase digest', { ...layer, digest: layerDigest.toUpperCase() }],
    ['a missing mediaType', { digest: layerDigest, size: 1 }],
    ['an empty mediaType', { ...layer, mediaType: '' }],
    ['a missing size', { mediaType: layer.mediaType, digest: layerDigest }],
    ['a negative size', { ...layer, size: -1 }],
    ['a fractional size', { ...layer, size: 1.5 }],
    ['a string size', { ...layer, size: '1024' }],
    ['an unsafe integer size', { ...layer, size: 2 ** 60 }],
    ['non-string descriptor annotations', { ...layer, annotations: { a: false } }],
    ['a null entry', null],
  ])('refuses a layer descriptor with %s as MANIFEST_INVALID', (_, descriptor) => {
    const error = errorOf(body(ociManifest({ layers: [layer, descriptor] })), undefined);

    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('layers[1]');
  });

  it('refuses a bad child descriptor in an index as MANIFEST_INVALID', () => {
    const error = errorOf(body(ociIndex({ manifests: [{ ...child, size: -5 }] })), undefined);

    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('manifests[0].size');
  });

  it('refuses a bad config and a bad subject descriptor naming the field', () => {
    const badConfig = errorOf(body(ociManifest({ config: { ...config, digest: 'x' } })), undefined);
    const badSubject = errorOf(
      body(ociManifest({ subject: { ...subject, size: 'big' } })),
      undefined,
    );

    expect(badConfig.message).toContain('config.digest');
    expect(badSubject.message).toContain('subject.size');
  });
});

describe('normaliseContentType', () => {
  it('drops parameters, trims and lowercases', () => {
    expect(normaliseContentType(' Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(normaliseContentType('')).toBeUndefined();
    expect(normaliseContentType(undefined)).toBeUndefined();
    expect(normaliseContentType(';charset=utf-8')).toBeUndefined();
  });
});

function withoutMediaType(manifest: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(manifest).filter(([key]) => key !== 'mediaType'));
}

function errorOf(manifest: Buffer, contentType: string | undefined): RegistryError {
  try {
    parseManifest(manifest, contentType);
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected parseManifest to refuse the manifest');
}

function messageOf(manifest: Buffer, contentType: string | undefined): string {
  const error = errorOf(manifest, contentType);
  expect(error.code).toBe('MANIFEST_INVALID');

  return error.message;
}
