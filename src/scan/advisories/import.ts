import { readAlpine } from './alpine.js';
import { readDebian } from './debian.js';
import { detectFormat, requireDocuments } from './detect.js';
import { AdvisoryInput, defaultLimits, type InputLimits } from './documents.js';
import type { Advisory, AdvisoryFormat } from './model.js';
import { readOsv } from './osv.js';
import type { AdvisoryStore, ImportedSource } from './store.js';

export interface ImportOptions {
  /** The input's format; detected from its first document when not given. */
  format?: AdvisoryFormat;
  /**
   * The name the import is stored under, and which a later import replaces. Defaults to the
   * input's absolute path, so importing the same file or folder again replaces it.
   */
  name?: string;
  limits?: InputLimits;
  now?: number;
}

const readers: Record<AdvisoryFormat, (input: AdvisoryInput) => AsyncIterable<Advisory>> = {
  osv: readOsv,
  debian: readDebian,
  alpine: readAlpine,
};

/**
 * Imports a file, folder or zip of advisories as one source, replacing what an earlier import
 * under the same name stored. Throws AdvisoryImportError, naming the file at fault, for input
 * it cannot read; nothing of such an import is kept.
 */
export async function importAdvisories(
  store: AdvisoryStore,
  inputPath: string,
  options: ImportOptions = {},
): Promise<ImportedSource> {
  const input = await AdvisoryInput.open(inputPath, options.limits ?? defaultLimits);
  const format = options.format ?? (await detectFormat(input));
  if (options.format) await requireDocuments(input);

  const source = {
    name: options.name ?? input.path,
    format,
    path: input.path,
    fallbackDataAt: () => input.newestDocumentAt,
  };

  return store.replaceSource(source, readers[format](input), options.now);
}
