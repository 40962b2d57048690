import { describe, expect, it } from 'vitest';
import {
  ImageSourceError,
  parseImageReference,
  parsePlatform,
  platformMatches,
} from '../../../../src/scan/image/index.js';
import { parseChallenge } from '../../../../src/scan/image/registry.js';

describe('image references', () => {
  it.each([
    [
      'registry.example:5000/team/app:1.2',
      {
        transport: 'registry',
        registry: 'registry.example:5000',
        repository: 'team/app',
        tag: '1.2',
      },
    ],
    [
      'docker://localhost/app',
      { transport: 'registry', registry: 'localhost', repository: 'app', tag: 'latest' },
    ],
    [
      'debian:12',
      {
        transport: 'registry',
        registry: 'registry-1.docker.io',
        repository: 'library/debian',
        tag: '12',
      },
    ],
    [
      `ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
      {
        transport: 'registry',
        registry: 'ghcr.io',
        repository: 'org/app',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    ],
    ['oci:/no/such/layout:v1', { transport: 'oci', dir: '/no/such/layout', tag: 'v1' }],
    ['oci:/no/such/layout', { transport: 'oci', dir: '/no/such/layout' }],
    ['docker-archive:/no/such.tar', { transport: 'docker-archive', file: '/no/such.tar' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it('takes the longest existing path before a tag', () => {
    expect(parseImageReference('oci:/tmp:v1')).toEqual({
      transport: 'oci',
      dir: '/tmp',
      tag: 'v1',
    });
    expect(parseImageReference('oci:/tmp')).toEqual({ transport: 'oci', dir: '/tmp' });
  });

  it.each(['', 'UPPER/case:1', 'host/repo:bad tag', 'host/repo@sha256:short', 'dir:/x'])(
    'refuses %j',
    (text) => {
      expect(() => parseImageReference(text)).toThrow(ImageSourceError);
    },
  );
});

describe('platforms', () => {
  it('parses and matches os/arch/variant, arm64 defaulting to v8', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(
      platformMatches({ os: 'linux', architecture: 'arm64' }, parsePlatform('linux/arm64/v8')),
    ).toBe(true);
    expect(
      platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v6' },
        parsePlatform('linux/arm/v7'),
      ),
    ).toBe(false);
    expect(() => parsePlatform('linux')).toThrow(/not a platform/);
  });
});

describe('authentication challenges', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm="Berth"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Berth' },
    });
  });
});
