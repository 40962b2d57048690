// Walks a Java archive and the archives nested in it (a Spring Boot jar's BOOT-INF/lib/*.jar,
// a war's WEB-INF/lib/*.jar, an ear's wars and jars), depth first, one archive open per level.
// Zip files are read through their central directory, which needs random access, so a nested
// archive is spooled (in memory while small) before it is opened. Bounds, shared by an archive
// and everything nested in it: nesting depth, the size of a nested archive, the bytes inflated
// and the entries listed. A nested archive that cannot be read (corrupt, encrypted, over a
// bound) is still named from its file name, and the reason is kept as a problem.

import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UnreadableFileError } from '../../analyser.js';
import { baseName } from '../../paths.js';
import { Spool, type Spooled } from '../../spool.js';
import type { FoundPackage } from '../../types.js';
import {
  archivePackages,
  parseManifest,
  parseProperties,
  type ArchiveMetadata,
} from './metadata.js';

export const JAVA_ARCHIVE = /\.(?:jar|war|ear|par|jpi|hpi)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/.+\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';

export const archiveBounds = {
  /** Archives inside archives: an ear's war's jar is at depth 2. */
  maxDepth: 3,
  maxNestedBytes: 512 * 2 ** 20,
  /** Bytes inflated from one archive file, nested archives and metadata together. */
  maxInflatedBytes: 2 * 2 ** 30,
  maxEntries: 1_000_000,
  maxMetadataBytes: 2 ** 20,
};

export interface ArchiveReading {
  packages: FoundPackage[];
  /** What could not be read, each prefixed by its place in the archive. */
  problems: string[];
}

/** Thrown when the archive as a whole is past a bound: reading it stops. */
class ArchiveBoundError extends UnreadableFileError {}

interface Walk {
  inflatedLeft: number;
  entriesLeft: number;
  problems: string[];
}

/** Reads one archive file; throws UnreadableFileError when it is not a readable zip. */
export async function readJavaArchive(source: Spooled, fileName: string): Promise<ArchiveReading> {
  const walk: Walk = {
    inflatedLeft: archiveBounds.maxInflatedBytes,
    entriesLeft: archiveBounds.maxEntries,
    problems: [],
  };

  const zip = await openZip(source);
  try {
    const packages = await readEntries(zip, fileName, '', 0, walk);

    return { packages, problems: walk.problems };
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`not a readable zip archive: ${(error as Error).message}`);
  } finally {
    zip.close();
  }
}

/** The packages an archive and the archives inside it ship. */
async function readEntries(
  zip: ZipFile,
  fileName: string,
  place: string,
  depth: number,
  walk: Walk,
): Promise<FoundPackage[]> {
  const metadata: ArchiveMetadata = { poms: [] };
  const nested: FoundPackage[] = [];

  for await (const entry of zip.eachEntry()) {
    walk.entriesLeft -= 1;
    if (walk.entriesLeft < 0) {
      throw new ArchiveBoundError(`more than ${archiveBounds.maxEntries} entries`);
    }

    const name = entry.fileName;
    if (POM_PROPERTIES.test(name)) {
      const text = await readMetadata(zip, entry, place, walk);
      if (text !== undefined) metadata.poms.push({ path: name, properties: parseProperties(text) });
    } else if (name.toUpperCase() === MANIFEST) {
      const text = await readMetadata(zip, entry, place, walk);
      if (text !== undefined) metadata.manifest = parseManifest(text);
    } else if (JAVA_ARCHIVE.test(name)) {
      nested.push(...(await readNested(zip, entry, `${place}${name}`, depth + 1, walk)));
    }
  }

  return [...archivePackages(fileName, metadata), ...nested];
}

async function readNested(
  zip: ZipFile,
  entry: Entry,
  place: string,
  depth: number,
  walk: Walk,
): Promise<FoundPackage[]> {
  const fileName = baseName(entry.fileName);
  const byName = (reason: string): FoundPackage[] => {
    walk.problems.push(`${place}: ${reason}; named from its file name`);

    return archivePackages(fileName, { poms: [] });
  };

  if (depth > archiveBounds.maxDepth) {
    return byName(`nested more than ${archiveBounds.maxDepth} archives deep`);
  }
  if (entry.uncompressedSize > Math.min(archiveBounds.maxNestedBytes, walk.inflatedLeft)) {
    return byName(`${entry.uncompressedSize} bytes, over what is left to read`);
  }

  const spool = new Spool('berth-jar-');
  try {
    await copyEntry(zip, entry, spool, walk);
    const inner = await openZip(await spool.finish());
    try {
      return await readEntries(inner, fileName, `${place}!`, depth, walk);
    } finally {
      inner.close();
    }
  } catch (error) {
    if (error instanceof ArchiveBoundError) throw error;

    return byName((error as Error).message);
  } finally {
    await spool.discard();
  }
}

/** A small text entry (pom.properties, the manifest); a failure to read it is a problem. */
async function readMetadata(
  zip: ZipFile,
  entry: Entry,
  place: string,
  walk: Walk,
): Promise<string | undefined> {
  if (entry.uncompressedSize > Math.min(archiveBounds.maxMetadataBytes, walk.inflatedLeft)) {
    walk.problems.push(`${place}${entry.fileName}: ${entry.uncompressedSize} bytes, not read`);

    return undefined;
  }

  const chunks: Buffer[] = [];
  try {
    await copyEntry(zip, entry, { write: (chunk) => void chunks.push(chunk) }, walk);
  } catch (error) {
    walk.problems.push(`${place}${entry.fileName}: ${(error as Error).message}`);

    return undefined;
  }

  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Inflates an entry into a sink, charging the walk for it. yauzl stops an entry that inflates
 * to more than its declared size, so the declared size is what the checks above bound.
 */
async function copyEntry(
  zip: ZipFile,
  entry: Entry,
  sink: { write(chunk: Buffer): void | Promise<void> },
  walk: Walk,
): Promise<void> {
  walk.inflatedLeft -= entry.uncompressedSize;

  const stream = await zip.openReadStreamPromise(entry);
  for await (const chunk of stream as AsyncIterable<Buffer>) await sink.write(chunk);
}

function openZip(source: Spooled): Promise<ZipFile> {
  const options = { lazyEntries: true };
  const opening =
    source.in === 'memory'
      ? yauzl.fromBufferPromise(source.data, options)
      : yauzl.openPromise(source.path, options);

  return opening.catch((error: Error) => {
    throw new UnreadableFileError(`not a readable zip archive: ${error.message}`);
  });
}
