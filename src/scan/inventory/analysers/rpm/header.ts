// rpm header blobs, as every rpm database backend stores them (rpm's lib/header.c, "header
// import"): a big-endian index count and data length, then one 16-byte entry per tag (tag,
// type, offset into the data, count), then the data. Only the tags an inventory needs are
// decoded.

import { UnreadableFileError } from '../../analyser.js';
import { normalisePath } from '../../paths.js';
import type { FoundPackage } from '../../types.js';

const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  oldFilenames: 1027,
  sourceRpm: 1044,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
} as const;

const TYPE = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const;
const ENTRY_BYTES = 16;
/** rpm refuses headers with more tags than this, or more data (lib/header_internal.h). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 256 * 2 ** 20;
/** The pseudo-package rpm records each imported signing key as. */
const GPG_PUBKEY = 'gpg-pubkey';
const unlimited = { maxPathBytes: Infinity, maxPathDepth: Infinity };

interface Entry {
  type: number;
  offset: number;
  count: number;
}

/** Reads one header blob; undefined for blobs that are not package headers. */
export function packageOfHeader(blob: Buffer): FoundPackage | undefined {
  const header = new Header(blob);
  const name = header.string(TAG.name);
  const version = header.string(TAG.version);
  const release = header.string(TAG.release);
  if (!name || !version || release === undefined || name === GPG_PUBKEY) return undefined;

  const epoch = header.int32(TAG.epoch);
  const evr = `${epoch ? `${epoch}:` : ''}${version}-${release}`;
  const source = sourceOf(header.string(TAG.sourceRpm));
  const license = header.string(TAG.license);

  return {
    type: 'rpm',
    name,
    version: evr,
    arch: header.string(TAG.arch),
    ...(epoch && { epoch }),
    sourceName: source?.name ?? name,
    // Advisories give source versions with the binary's epoch (the .src.rpm name has none).
    sourceVersion: source ? `${epoch ? `${epoch}:` : ''}${source.version}` : evr,
    licenses: license ? [license] : [],
    files: filesOf(header),
  };
}

/** "openssl-3.0.7-24.el9.src.rpm": name, then version-release, split from the right. */
function sourceOf(file: string | undefined): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file ?? '');

  return match ? { name: match[1] as string, version: `${match[2]}-${match[3]}` } : undefined;
}

/** rpm ≥ 4.0 stores paths as directory + base name; older headers as whole names. */
function filesOf(header: Header): string[] {
  const baseNames = header.strings(TAG.baseNames);
  const dirNames = header.strings(TAG.dirNames);
  const dirIndexes = header.int32s(TAG.dirIndexes);
  const whole =
    baseNames.length > 0
      ? baseNames.map((base, index) => `${dirNames[dirIndexes[index] ?? -1] ?? ''}${base}`)
      : header.strings(TAG.oldFilenames);

  return whole.flatMap((path) => {
    const normal = normalisePath(path, unlimited);

    return normal ? [normal] : [];
  });
}

class Header {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Buffer;

  constructor(blob: Buffer) {
    if (blob.length < 8) throw new UnreadableFileError('rpm header shorter than its preamble');

    const tags = blob.readUInt32BE(0);
    const dataLength = blob.readUInt32BE(4);
    const dataAt = 8 + tags * ENTRY_BYTES;
    if (tags > MAX_TAGS || dataLength > MAX_DATA || dataAt + dataLength > blob.length) {
      throw new UnreadableFileError('rpm header sizes exceed the blob');
    }

    this.data = blob.subarray(dataAt, dataAt + dataLength);
    for (let at = 8; at < dataAt; at += ENTRY_BYTES) {
      this.entries.set(blob.readUInt32BE(at), {
        type: blob.readUInt32BE(at + 4),
        offset: blob.readUInt32BE(at + 8),
        count: blob.readUInt32BE(at + 12),
      });
    }
  }

  string(tag: number): string | undefined {
    const entry = this.entries.get(tag);
    const stringTypes: number[] = [TYPE.string, TYPE.stringArray, TYPE.i18nString];
    if (!entry || !stringTypes.includes(entry.type)) return undefined;

    // An I18N string holds one string per locale; the first is the untranslated one.
    return this.stringsAt(entry.offset, 1)[0];
  }

  strings(tag: number): string[] {
    const entry = this.entries.get(tag);
    if (!entry || entry.type !== TYPE.stringArray) return [];

    return this.stringsAt(entry.offset, entry.count);
  }

  int32(tag: number): number | undefined {
    return this.int32s(tag)[0];
  }

  int32s(tag: number): number[] {
    const entry = this.entries.get(tag);
    if (!entry || entry.type !== TYPE.int32) return [];
    if (entry.offset + entry.count * 4 > this.data.length) {
      throw new UnreadableFileError(`rpm tag ${tag} runs past the header data`);
    }

    return Array.from({ length: entry.count }, (_, index) =>
      this.data.readInt32BE(entry.offset + index * 4),
    );
  }

  private stringsAt(offset: number, count: number): string[] {
    const strings: string[] = [];
    let at = offset;
    for (let index = 0; index < count; index++) {
      const end = this.data.indexOf(0, at);
      if (end < 0) throw new UnreadableFileError('unterminated string in rpm header');
      strings.push(this.data.toString('utf8', at, end));
      at = end + 1;
    }

    return strings;
  }
}
