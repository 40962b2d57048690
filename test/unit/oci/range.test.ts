import { describe, expect, it } from 'vitest';
import { parseChunkRange, resolveRange } from '../../../src/oci/range.js';

describe('resolveRange', () => {
  it('reports no range request without a header', () => {
    expect(resolveRange(undefined, 100)).toEqual({ kind: 'none' });
    expect(resolveRange('', 100)).toEqual({ kind: 'none' });
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=10-19', 10, 19],
    ['bytes=0-0', 0, 0],
    ['bytes=99-99', 99, 99],
    ['bytes=50-', 50, 99],
    ['bytes=0-', 0, 99],
    ['bytes=-10', 90, 99],
    ['bytes=-1', 99, 99],
    ['bytes=-100', 0, 99],
    ['bytes=90-1000', 90, 99],
    ['bytes=-1000', 0, 99],
    ['bytes=0-99999999999999999999', 0, 99],
    ['Bytes=1-2', 1, 2],
    ['bytes = 1 - 2 ', 1, 2],
  ])('resolves %s on a 100-byte blob to %i-%i', (header, start, end) => {
    expect(resolveRange(header, 100)).toEqual({ kind: 'satisfiable', range: { start, end } });
  });

  it.each([
    ['a start at the size', 'bytes=100-'],
    ['a start past the end', 'bytes=150-200'],
    ['an end before the start', 'bytes=20-10'],
    ['an empty suffix', 'bytes=-0'],
    ['no positions', 'bytes=-'],
    ['an empty spec', 'bytes='],
    ['non-numeric positions', 'bytes=a-b'],
    ['a negative start', 'bytes=--5'],
    ['several ranges', 'bytes=0-9,20-29'],
    ['several ranges with spaces', 'bytes=0-9, 20-'],
  ])('answers %s as unsatisfiable', (_, header) => {
    expect(resolveRange(header, 100).kind).toBe('unsatisfiable');
  });

  it('explains why several ranges are refused', () => {
    expect(resolveRange('bytes=0-1,3-4', 100)).toEqual({
      kind: 'unsatisfiable',
      reason: 'multiple ranges are not supported',
    });
  });

  it.each(['items=0-9', 'bits=0-9', '0-9', 'bytes 0-9'])(
    'ignores %s, which is not a bytes range request',
    (header) => {
      expect(resolveRange(header, 100)).toEqual({ kind: 'none' });
    },
  );

  it.each(['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-5'])(
    'answers %s on an empty blob as unsatisfiable',
    (header) => {
      expect(resolveRange(header, 0).kind).toBe('unsatisfiable');
    },
  );
});

describe('parseChunkRange', () => {
  it.each([
    ['0-99', 0, 99],
    ['100-199', 100, 199],
    ['5-5', 5, 5],
    ['bytes=0-99', 0, 99],
    ['bytes 0-99/*', 0, 99],
    ['bytes 0-99/100', 0, 99],
    ['0-99/*', 0, 99],
    [' 0-99 ', 0, 99],
  ])('reads %j as %i-%i', (header, start, end) => {
    expect(parseChunkRange(header)).toEqual({ start, end });
  });

  it.each([
    '',
    '0-',
    '-99',
    '99-0',
    'a-b',
    '0 - 99',
    'bytes=0-99,100-199',
    'bytes */100',
    'bytes 0-99/x',
    'items 0-99',
    '0-99999999999999999999',
  ])('refuses %j', (header) => {
    expect(parseChunkRange(header)).toBeUndefined();
  });
});
