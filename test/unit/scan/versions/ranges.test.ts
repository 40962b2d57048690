import { describe, expect, it } from 'vitest';
import {
  evaluateRange,
  isBeforeFixed,
  type RangeEvent,
} from '../../../../src/scan/versions/index.js';

const affected = { result: 'affected' };
const notAffected = { result: 'not-affected' };

describe('evaluateRange', () => {
  const upTo102: RangeEvent[] = [{ introduced: '0' }, { fixed: '1.0.2' }];

  it.each([
    ['0.0.1', affected],
    ['1.0.1', affected],
    ['1.0.2-rc.1', affected],
    ['1.0.2', notAffected],
    ['2.0.0', notAffected],
  ])('introduced 0, fixed 1.0.2: %s is %o', (version, verdict) => {
    expect(evaluateRange('semver', version, upTo102)).toEqual(verdict);
  });

  it('treats "introduced: 0" as before every version, even where "0" is not a version', () => {
    expect(evaluateRange('semver', '0.0.0-alpha', [{ introduced: '0' }])).toEqual(affected);
  });

  it('walks several introduced/fixed pairs, whatever order the record lists them in', () => {
    const events: RangeEvent[] = [
      { fixed: '3.2.5' },
      { introduced: '3.0.0' },
      { introduced: '1.0.0' },
      { fixed: '1.0.2' },
    ];
    expect(evaluateRange('semver', '0.9.0', events)).toEqual(notAffected);
    expect(evaluateRange('semver', '1.0.1', events)).toEqual(affected);
    expect(evaluateRange('semver', '2.0.0', events)).toEqual(notAffected);
    expect(evaluateRange('semver', '3.1.0', events)).toEqual(affected);
    expect(evaluateRange('semver', '3.2.5', events)).toEqual(notAffected);
  });

  it('includes last_affected itself and nothing above it', () => {
    const events: RangeEvent[] = [{ introduced: '0' }, { last_affected: '2.1.214' }];
    expect(evaluateRange('maven', '2.1.214', events)).toEqual(affected);
    expect(evaluateRange('maven', '2.1.215', events)).toEqual(notAffected);
  });

  it('applies limits before the walk', () => {
    const events: RangeEvent[] = [{ introduced: '1.0' }, { limit: '2.0' }];
    expect(evaluateRange('pep440', '1.5', events)).toEqual(affected);
    expect(evaluateRange('pep440', '2.0', events)).toEqual(notAffected);
    expect(evaluateRange('pep440', '2.5', [{ introduced: '1.0' }, { limit: '*' }])).toEqual(
      affected,
    );
  });

  it('uses the ecosystem ordering, so pre-releases inside the range count', () => {
    const events: RangeEvent[] = [{ introduced: '0' }, { fixed: '2.0.0' }];
    expect(evaluateRange('pep440', '2.0.0rc1', events)).toEqual(affected);
    expect(evaluateRange('maven', '2.0.0-SNAPSHOT', events)).toEqual(affected);
    expect(evaluateRange('rubygems', '2.0.0.beta1', events)).toEqual(affected);
  });

  it('orders distro versions with their own scheme', () => {
    const events: RangeEvent[] = [{ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }];
    expect(evaluateRange('dpkg', '3.0.14-1~deb12u2', events)).toEqual(affected);
    expect(evaluateRange('dpkg', '3.0.15-1', events)).toEqual(notAffected);
  });

  it('is unknown, never a crash, when a version cannot be ordered', () => {
    expect(evaluateRange('semver', 'not-a-version', upTo102)).toEqual({
      result: 'unknown',
      reason: expect.stringContaining('not-a-version'),
    });
    expect(
      evaluateRange('semver', '1.0.0', [{ introduced: '0' }, { fixed: 'v1.x' }]),
    ).toMatchObject({
      result: 'unknown',
    });
  });

  it('is unknown when the range has no introduced event', () => {
    expect(evaluateRange('semver', '1.0.0', [{ fixed: '2.0.0' }])).toEqual({
      result: 'unknown',
      reason: 'range has no introduced event',
    });
  });
});

describe('isBeforeFixed', () => {
  it('finds a back-ported Debian fix by the Debian version, not the upstream one', () => {
    expect(isBeforeFixed('dpkg', '3.0.11-1~deb12u2', '3.0.11-1~deb12u3')).toEqual(affected);
    expect(isBeforeFixed('dpkg', '3.0.11-1~deb12u3', '3.0.11-1~deb12u3')).toEqual(notAffected);
    expect(isBeforeFixed('dpkg', '3.0.11-1~deb12u4', '3.0.11-1~deb12u3')).toEqual(notAffected);
  });

  it('compares Alpine revisions', () => {
    expect(isBeforeFixed('apk', '3.1.4-r1', '3.1.4-r5')).toEqual(affected);
    expect(isBeforeFixed('apk', '3.1.4-r5', '3.1.4-r5')).toEqual(notAffected);
  });

  it('reads fixed "0" as never affected and no fixed version as not fixed yet', () => {
    expect(isBeforeFixed('dpkg', '0~20230101-1', '0')).toEqual(notAffected);
    expect(isBeforeFixed('apk', '1.0-r0', '0')).toEqual(notAffected);
    expect(isBeforeFixed('rpm', '1:3.0.7-27.el9', undefined)).toEqual(affected);
  });

  it('is unknown for a version that cannot be ordered', () => {
    expect(isBeforeFixed('dpkg', 'x:1', '1.0')).toMatchObject({ result: 'unknown' });
    expect(isBeforeFixed('dpkg', 'x:1', undefined)).toMatchObject({ result: 'unknown' });
    expect(isBeforeFixed('dpkg', '1.0', '1.0-')).toMatchObject({ result: 'unknown' });
  });
});
