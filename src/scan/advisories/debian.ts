import { DebianListContext, listAdvisory } from './debian-list.js';
import { trackerAdvisories } from './debian-tracker.js';
import { readJson, type AdvisoryDocument, type AdvisoryInput } from './documents.js';
import { objectMembers } from './json-members.js';
import type { Advisory } from './model.js';

// Debian security tracker data in either of its JSON forms: the tracker's own export (one big
// document, streamed member by member) or one document per list entry (CVE, DSA, DLA). Records
// are keyed by source package and release codename.

export async function* readDebian(input: AdvisoryInput): AsyncGenerator<Advisory> {
  const context = new DebianListContext();
  for await (const document of input.documents()) {
    if (!DebianListContext.isContextDocument(document.baseName)) continue;
    context.add(await readJson(document, input.limits), document.baseName, document.name);
  }

  const seen = new Set<string>();
  for await (const document of input.documents()) {
    if (DebianListContext.isContextDocument(document.baseName)) continue;
    for await (const advisory of debianDocument(document, input, context)) {
      seen.add(advisory.id);
      yield advisory;
    }
  }

  yield* context.remaining(seen);
}

/**
 * A list entry starts with its Header; anything else is the tracker's export, whose members are
 * source packages.
 */
async function* debianDocument(
  document: AdvisoryDocument,
  input: AdvisoryInput,
  context: DebianListContext,
): AsyncGenerator<Advisory> {
  const members = objectMembers(
    await document.open(),
    document.name,
    input.limits.maxDocumentBytes,
  );
  let entry: Record<string, unknown> | undefined;

  for await (const [name, value] of members) {
    if (entry || name === 'Header' || name === 'Annotations') {
      entry = { ...entry, [name]: value };
      continue;
    }
    yield* trackerAdvisories(name, value, document.name);
  }

  if (entry) yield listAdvisory(entry, document.name, context);
}
