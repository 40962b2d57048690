import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../../src/config/units.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    [' 30S ', 30_000],
    ['0s', 0],
    [1500, 1500],
    ['60000', 60_000],
    [0, 0],
  ])('reads %j as %i milliseconds', (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  it.each(['soon', '10 minutes', '-5s', '1w', '', 's', -1, Number.NaN, Infinity])(
    'refuses %j',
    (value) => {
      expect(parseDuration(value)).toBeUndefined();
    },
  );
});

describe('parseSize', () => {
  it.each([
    ['1024', 1024],
    ['512b', 512],
    ['4MiB', 4 * 1024 ** 2],
    ['4 mib', 4 * 1024 ** 2],
    ['500MB', 500_000_000],
    ['1KB', 1000],
    ['1KiB', 1024],
    ['2GiB', 2 * 1024 ** 3],
    ['1GB', 1_000_000_000],
    ['1.5KiB', 1536],
    [4096, 4096],
    [0, 0],
  ])('reads %j as %i bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each(['4 lots', 'MiB', '-1', '1PB', '1e3', '', -1, 1.5, Number.MAX_SAFE_INTEGER + 2])(
    'refuses %j',
    (value) => {
      expect(parseSize(value)).toBeUndefined();
    },
  );
});
