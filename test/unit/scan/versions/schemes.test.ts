// Hand-picked cases per scheme: the rules docs/scanning-versions.md states, Berth's documented
// choices where no reference tool answers, and the error contract of the public API.
import { describe, expect, it } from 'vitest';
import type { VersionScheme } from '../../../../src/scan/model.js';
import {
  compareVersions,
  InvalidVersionError,
  isValidVersion,
  tryCompareVersions,
  versionProblem,
} from '../../../../src/scan/versions/index.js';

/** [scheme, smaller, larger] */
const ORDERED: [VersionScheme, string, string][] = [
  ['dpkg', '1.0~rc1', '1.0'],
  ['dpkg', '1.0', '1.0+dfsg'],
  ['dpkg', '3.0.11-1~deb12u2', '3.0.11-1'],
  ['dpkg', '2.0', '1:0.9'],
  ['dpkg', '1.0+', '1.0.'],
  ['apk', '1.2.3-r4', '1.2.3-r10'],
  ['apk', '3.0.8_rc1-r0', '3.0.8-r0'],
  ['apk', '9.3_p2-r0', '9.3_p10-r0'],
  ['apk', '1.0-r1', '1.0.1-r0'],
  ['rpm', '1.0~rc1', '1.0'],
  ['rpm', '1.0', '1.0^git1'],
  ['rpm', '1.0^git1', '1.0.1'],
  ['rpm', '2:1.0-1', '3:0.1-1'],
  ['rpm', '1.0', '1.0-1'],
  ['rpm', '5.14.0-362.8.1.el9_3', '5.14.0-362.24.1.el9_3'],
  ['semver', '1.0.0-rc.1', '1.0.0'],
  ['semver', 'v0.0.0-20200101000000-abcdefabcdef', 'v0.1.0'],
  ['semver', 'v1.2.3', 'v1.10.0'],
  ['pep440', '1.0.dev0', '1.0a1'],
  ['pep440', '1.0', '1.0+local'],
  ['pep440', '1.0+local', '1.0.post1'],
  ['pep440', '2.0', '1!0.1'],
  ['maven', '1.0-SNAPSHOT', '1.0'],
  ['maven', '1.0-rc1', '1.0-SNAPSHOT'],
  ['maven', '1.0', '1.0-sp1'],
  ['maven', '1.0-sp1', '1.0-foo'],
  ['rubygems', '1.0.0.pre.1', '1.0.0'],
  ['rubygems', '1.0.0.rc1', '1.0.0'],
  ['rubygems', '1.0.a', '1.0'],
  ['composer', 'v7.0.0-RC1', 'v7.0.0'],
  ['composer', '1.0.0', '1.0.0-patch1'],
  ['composer', '1.0.0-beta2', '1.0.x-dev'],
  ['nuget', '1.0.0-beta.9', '1.0.0-beta.10'],
  ['nuget', '1.0.0-beta', '1.0.0'],
  ['nuget', '1.0.0', '1.0.0.1'],
  ['nuget', '1.0.0-1', '1.0.0-alpha'],
];

/** [scheme, a, b] that compare equal */
const EQUAL: [VersionScheme, string, string][] = [
  ['dpkg', '0:1.0', '1.0'],
  ['dpkg', '1.0', '1.0-0'],
  ['rpm', '0:1.0-1', '1.0-1'],
  ['semver', 'v2.0.0+incompatible', '2.0.0'],
  ['semver', 'v1.2', '1.2.0'],
  ['pep440', 'V1.0', '1.0.0'],
  ['pep440', ' 1.0 ', '1.0'],
  ['maven', '1', '1.0.0'],
  ['maven', '1.0.Final', '1-ga'],
  ['maven', '1-cr1', '1-rc1'],
  ['rubygems', '1.0', '1'],
  ['rubygems', '1.0-1', '1.0.pre.1'],
  ['composer', 'v1.0', '1.0.0.0'],
  ['composer', '1.0.0+build.5', '1.0.0'],
  ['nuget', '1.0', '1.0.0.0'],
  ['nuget', '1.0.0-Beta', '1.0.0-beta'],
  ['nuget', '1.0.0+abc', '1.0.0'],
];

const INVALID: [VersionScheme, string][] = [
  ['dpkg', ''],
  ['dpkg', 'a:1.0'],
  ['dpkg', '1.0-'],
  ['dpkg', '1.0 1'],
  ['dpkg', '1.0\u00e9'],
  ['apk', '1.0-1'],
  ['apk', '1.0_foo'],
  ['apk', '1.0-r1a'],
  ['semver', '01.2.3'],
  ['semver', '1.99999999999999999999.0'],
  ['pep440', '1.0-foo'],
  ['rubygems', '1.0.'],
  ['composer', 'dev-main'],
  ['composer', 'master'],
  ['nuget', '1.0.0.0.0'],
  ['nuget', 'v1.0.0'],
  ['nuget', '1.0.0-beta..1'],
  ['nuget', '1.0.0 beta'],
  ['nuget', '2147483648.0.0'],
];

describe('compareVersions', () => {
  it.each(ORDERED)('%s: %s < %s', (scheme, smaller, larger) => {
    expect(compareVersions(scheme, smaller, larger)).toBe(-1);
    expect(compareVersions(scheme, larger, smaller)).toBe(1);
  });

  it.each(EQUAL)('%s: %s = %s', (scheme, a, b) => {
    expect(compareVersions(scheme, a, b)).toBe(0);
    expect(compareVersions(scheme, b, a)).toBe(0);
  });

  it('keeps apk-tools 2.x quirk: without a revision, x.0_rc1 sorts after x.0', () => {
    expect(compareVersions('apk', '1.0_rc1', '1.0')).toBe(1);
    expect(compareVersions('apk', '1.0_rc1-r0', '1.0-r0')).toBe(-1);
  });
});

describe('invalid versions', () => {
  it.each(INVALID)('%s refuses %j', (scheme, version) => {
    expect(isValidVersion(scheme, version)).toBe(false);
    expect(versionProblem(scheme, version)).toEqual(expect.any(String));
    expect(tryCompareVersions(scheme, version, version)).toBeUndefined();
    expect(() => compareVersions(scheme, version, '1.0.0')).toThrow(InvalidVersionError);
  });

  it('names the scheme and the version in the error', () => {
    const error = (() => {
      try {
        compareVersions('dpkg', '1.0', 'x:1');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidVersionError);
    expect(error).toMatchObject({ scheme: 'dpkg', version: 'x:1' });
  });

  it('refuses overlong versions in every scheme', () => {
    const long = `1.${'1'.repeat(300)}`;
    for (const scheme of [
      'dpkg',
      'apk',
      'rpm',
      'semver',
      'pep440',
      'maven',
      'rubygems',
      'composer',
      'nuget',
    ] as const) {
      expect(versionProblem(scheme, long)).toMatch(/longer than/);
    }
  });

  it('accepts every string as a Maven or RPM version', () => {
    expect(isValidVersion('maven', '¯\\_(ツ)_/¯')).toBe(true);
    expect(isValidVersion('rpm', 'anything at all')).toBe(true);
  });

  it('answers an unknown scheme with a problem, not a crash', () => {
    expect(versionProblem('conan' as VersionScheme, '1.0')).toMatch(/unknown version scheme/);
    expect(tryCompareVersions('conan' as VersionScheme, '1.0', '2.0')).toBeUndefined();
  });
});
