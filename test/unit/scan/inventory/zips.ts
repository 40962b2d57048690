// Writes zip archives for the Java archive tests (APPNOTE.TXT: local headers, central
// directory, end record), stored or deflated, so that each test builds exactly the jar it
// needs. test/fixtures/scan/java/ has jars written by the real `jar` and `zip` tools.

import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  content: string | Buffer;
  /** Deflated by default; nested jars are stored in Spring Boot jars. */
  stored?: boolean;
}

/** 1980-01-01, the earliest date a zip can hold. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function zipOf(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const content = Buffer.from(entry.content);
    const data = entry.stored ? content : deflateRawSync(content);
    const fields = {
      method: entry.stored ? 0 : 8,
      crc: crc32(content),
      compressed: data.length,
      size: content.length,
    };

    const local = Buffer.concat([localHeader(name, fields), name, data]);
    centrals.push(Buffer.concat([centralHeader(name, fields, offset), name]));
    locals.push(local);
    offset += local.length;
  }

  const directory = Buffer.concat(centrals);

  return Buffer.concat([...locals, directory, endRecord(entries.length, directory.length, offset)]);
}

interface Fields {
  method: number;
  crc: number;
  compressed: number;
  size: number;
}

function localHeader(name: Buffer, fields: Fields): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(fields.method, 8);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(fields.crc, 14);
  header.writeUInt32LE(fields.compressed, 18);
  header.writeUInt32LE(fields.size, 22);
  header.writeUInt16LE(name.length, 26);

  return header;
}

function centralHeader(name: Buffer, fields: Fields, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(fields.method, 10);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(fields.crc, 16);
  header.writeUInt32LE(fields.compressed, 20);
  header.writeUInt32LE(fields.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE(offset, 42);

  return header;
}

function endRecord(count: number, size: number, offset: number): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(count, 8);
  record.writeUInt16LE(count, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);

  return record;
}

/** META-INF/maven/<group>/<artifact>/pom.properties, as Maven writes it. */
export function pomProperties(group: string, artifact: string, version: string): ZipEntrySpec {
  return {
    name: `META-INF/maven/${group}/${artifact}/pom.properties`,
    content: `#Created by Apache Maven\ngroupId=${group}\nartifactId=${artifact}\nversion=${version}\n`,
  };
}

/** A manifest with the given main-section headers. */
export function manifest(headers: Record<string, string>): ZipEntrySpec {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);

  return {
    name: 'META-INF/MANIFEST.MF',
    content: `Manifest-Version: 1.0\r\n${lines.join('')}\r\n`,
  };
}
