// Java archives as installed anywhere in an image (.jar, .war, .ear, and the .par, .jpi and
// .hpi variants of JBoss and Jenkins plugins): the Maven artifacts each one is or ships. The
// archive is spooled as it streams past (zip needs random access), read once it is whole, and
// the spool removed.

import type { FileAnalyser, FileInfo, FileSink } from '../../analyser.js';
import { baseName } from '../../paths.js';
import { Spool } from '../../spool.js';
import type { FileFact } from '../../types.js';
import { JAVA_ARCHIVE, readJavaArchive } from './archive.js';

export const javaAnalysers: FileAnalyser[] = [
  {
    id: 'java-archive',
    maxBytes: 2 * 2 ** 30,
    matches: ({ path }) => JAVA_ARCHIVE.test(path),
    open: (file) => new ArchiveSink(file),
  },
];

class ArchiveSink implements FileSink {
  private readonly spool = new Spool('berth-jar-');

  constructor(private readonly file: FileInfo) {}

  write(chunk: Buffer): Promise<void> {
    return this.spool.write(chunk);
  }

  async end(): Promise<FileFact | undefined> {
    try {
      const { packages, problems } = await readJavaArchive(
        await this.spool.finish(),
        baseName(this.file.path),
      );
      if (packages.length === 0 && problems.length === 0) return undefined;

      return { kind: 'packages', packages, ...(problems.length > 0 && { problems }) };
    } finally {
      await this.spool.discard();
    }
  }

  discard(): Promise<void> {
    return this.spool.discard();
  }
}
