import type { AdvisoryDocument, AdvisoryInput } from './documents.js';
import { AdvisoryImportError } from './errors.js';
import { objectMembers } from './json-members.js';
import type { AdvisoryFormat } from './model.js';

/**
 * The format of an input, from its first document. Members are read until they give the format
 * away, so the Debian tracker's export is recognised from its first package without reading
 * the rest. Documents after the first are checked by the format's reader.
 */
export async function detectFormat(input: AdvisoryInput): Promise<AdvisoryFormat> {
  for await (const document of input.documents()) {
    // Awaited inside the loop: leaving it closes the zip the document may be in.
    const format = await formatOf(document, input.limits.maxDocumentBytes);
    return format;
  }

  throw noDocuments(input);
}

/** An input with no documents is an error, not an empty import. */
export async function requireDocuments(input: AdvisoryInput): Promise<void> {
  for await (const _document of input.documents()) return;

  throw noDocuments(input);
}

async function formatOf(document: AdvisoryDocument, maxBytes: number): Promise<AdvisoryFormat> {
  const names = new Set<string>();

  for await (const [name, value] of objectMembers(await document.open(), document.name, maxBytes)) {
    names.add(name);
    const format = formatFrom(names, value);
    if (format) return format;
  }

  throw new AdvisoryImportError(
    document.name,
    'is neither an OSV record, Debian security tracker data nor Alpine secdb data ' +
      '(name the format with --source if it is one of them)',
  );
}

function noDocuments(input: AdvisoryInput): AdvisoryImportError {
  return new AdvisoryImportError(
    input.path,
    'holds no advisory files (.json files or .zip archives of them)',
  );
}

function formatFrom(names: Set<string>, latest: unknown): AdvisoryFormat | undefined {
  if (names.has('Header') || names.has('Annotations')) return 'debian';
  if (isTrackerPackage(latest) || isObject(latest, 'major-version')) return 'debian';
  if (names.has('secfixes') || (names.has('packages') && names.has('distroversion'))) {
    return 'alpine';
  }
  if (names.has('id') && (names.has('affected') || names.has('modified'))) return 'osv';

  return undefined;
}

/** A member of the tracker's export: issue id → { releases: … }. */
function isTrackerPackage(value: unknown): boolean {
  if (!isObject(value)) return false;
  const first = Object.values(value)[0];

  return isObject(first, 'releases');
}

function isObject(value: unknown, withKey?: string): value is Record<string, unknown> {
  const object = typeof value === 'object' && value !== null && !Array.isArray(value);

  return object && (withKey === undefined || withKey in value);
}
