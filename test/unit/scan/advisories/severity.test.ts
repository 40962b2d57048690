import { describe, expect, it } from 'vitest';
import { cvss3BaseScore } from '../../../../src/scan/advisories/cvss.js';
import {
  chooseSeverity,
  labelRating,
  levelFromLabel,
  levelFromScore,
  vectorRating,
} from '../../../../src/scan/advisories/severity.js';

describe('CVSS v3 base scores', () => {
  // Scores as NVD and GitHub publish them for these vectors.
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
    ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2],
    ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8],
    ['CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ])('%s scores %d', (vector, score) => {
    expect(cvss3BaseScore(vector)).toBe(score);
  });

  it('ignores temporal and environmental metrics, which do not change the base score', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C')).toBe(9.8);
  });

  it.each([
    ['a v4 vector', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N'],
    ['a v2 vector', 'AV:N/AC:L/Au:N/C:P/I:P/A:P'],
    ['a missing metric', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'],
    ['an unknown value', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['a repeated metric', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['garbage', 'CVSS:3.1/nonsense'],
  ])('gives no score for %s', (_what, vector) => {
    expect(cvss3BaseScore(vector)).toBeUndefined();
  });
});

describe('severity levels', () => {
  it.each([
    ['CRITICAL', 'critical'],
    ['HIGH', 'high'],
    ['MODERATE', 'medium'],
    ['moderate', 'medium'],
    ['LOW', 'low'],
    ['unimportant', 'negligible'],
    ['low**', 'low'],
    ['medium*', 'medium'],
    ['not yet assigned', 'unknown'],
    ['end-of-life', 'unknown'],
  ])('reads the vendor label %s as %s', (label, level) => {
    expect(levelFromLabel(label)).toBe(level);
  });

  it('draws the CVSS qualitative boundaries', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(levelFromScore)).toEqual([
      'negligible',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('scores CVSS v3 vectors and keeps v4 vectors unscored', () => {
    expect(vectorRating('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H')).toEqual({
      source: 'cvss-v3',
      level: 'high',
      value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      score: 7.5,
    });
    expect(vectorRating('CVSS_V4', 'CVSS:4.0/AV:N')).toEqual({
      source: 'cvss-v4',
      level: 'unknown',
      value: 'CVSS:4.0/AV:N',
    });
  });

  it('chooses the first rating with a known level', () => {
    const ratings = [
      labelRating('debian', 'not yet assigned'),
      vectorRating('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ];

    expect(chooseSeverity(ratings)).toEqual({ level: 'critical', source: 'cvss-v3' });
    expect(chooseSeverity([])).toEqual({ level: 'unknown' });
  });
});
