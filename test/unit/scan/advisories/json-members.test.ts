import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AdvisoryImportError } from '../../../../src/scan/advisories/errors.js';
import { objectMembers } from '../../../../src/scan/advisories/json-members.js';
import { collect } from './support.js';

const document = JSON.stringify(
  {
    curl: {
      'CVE-2023-38545': { description: 'a "quoted" {brace} [bracket] \\ escape', n: [1, 2] },
    },
    'héllo ✓': 'unicode, split across chunks',
    number: -12.5e3,
    literal: true,
    nothing: null,
    empty: {},
    list: [[], {}, '}'],
  },
  null,
  2,
);

function members(text: string | Buffer, chunkSize = 64 * 1024, limit = 1024 * 1024) {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));

  return collect(objectMembers(Readable.from(chunks), 'doc.json', limit));
}

describe('reading a JSON object member by member', () => {
  it('yields every member with the value JSON.parse gives', async () => {
    const expected = Object.entries(JSON.parse(document) as object);

    expect(await members(document)).toEqual(expected);
  });

  it('gives the same members whatever the chunk boundaries', async () => {
    const expected = Object.entries(JSON.parse(document) as object);

    for (const size of [1, 2, 3, 7, 13]) {
      expect(await members(document, size)).toEqual(expected);
    }
  });

  it('reads compact documents and empty objects', async () => {
    expect(await members('{"a":1,"b":"x","c":[1]}')).toEqual([
      ['a', 1],
      ['b', 'x'],
      ['c', [1]],
    ]);
    expect(await members(' {} \n')).toEqual([]);
  });

  it.each([
    ['truncated inside a value', '{"a": {"b": [1, 2', /ends before its top-level object is closed/],
    ['truncated between members', '{"a": 1,', /ends before its top-level object is closed/],
    ['empty', '', /is empty/],
    ['an array', '[1, 2]', /the top level is not a JSON object/],
    ['a trailing comma', '{"a": 1,}', /expected a member name/],
    ['a missing colon', '{"a" 1}', /expected ":" after "a"/],
    ['a missing comma', '{"a": 1 "b": 2}', /expected "," or "}"/],
    ['data after the object', '{"a": 1} {"b": 2}', /data after the top-level object/],
    ['an invalid value', '{"a": {"b": tru}}', /member "a" is not valid JSON/],
    ['a missing value', '{"a": }', /no value/],
  ])('refuses a document that is %s, naming the file', async (_what, text, message) => {
    const error = await members(text).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(AdvisoryImportError);
    expect((error as Error).message).toMatch(/^doc\.json: /);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a member larger than the limit before holding all of it', async () => {
    const big = `{"small": 1, "big": "${'x'.repeat(10_000)}"}`;

    await expect(members(big, 100, 1000)).rejects.toThrow(
      'doc.json: member "big" is larger than the limit of 1000 bytes',
    );
  });

  it('yields the members before a truncation, then fails', async () => {
    const seen: string[] = [];
    const reading = (async () => {
      for await (const [name] of objectMembers(
        Readable.from([Buffer.from('{"a": 1, "b": 2, "c": [')]),
        'doc.json',
        1024,
      )) {
        seen.push(name);
      }
    })();

    await expect(reading).rejects.toThrow(/truncated/);
    expect(seen).toEqual(['a', 'b']);
  });
});
