// .NET applications: the <app>.deps.json that `dotnet publish` writes next to the app lists,
// under "libraries", everything the app loads, keyed "<Name>/<Version>". Entries of type
// "package" came from NuGet; "project" entries are the app and its own projects, and
// "runtimepack" or "reference" entries belong to the .NET runtime, which deps.json does not
// version as a package.

import { bufferedAnalyser, UnreadableFileError, type FileAnalyser } from '../analyser.js';
import type { FoundPackage } from '../types.js';

const DEPS = /\.deps\.json$/;

export const dotnetAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'dotnet-deps',
    maxBytes: 64 * 2 ** 20,
    matches: ({ path }) => DEPS.test(path),
    parse: (content) => ({ kind: 'packages', packages: parseDepsJson(content.toString('utf8')) }),
  }),
];

export function parseDepsJson(text: string): FoundPackage[] {
  const deps: unknown = JSON.parse(text);
  const libraries = (deps as { libraries?: unknown } | null)?.libraries;
  if (typeof libraries !== 'object' || libraries === null || Array.isArray(libraries)) {
    throw new UnreadableFileError('no "libraries" object');
  }

  return Object.entries(libraries).flatMap(([key, library]) => {
    if ((library as { type?: unknown } | null)?.type !== 'package') return [];

    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) return [];

    const name = key.slice(0, slash);
    const version = key.slice(slash + 1);

    return [{ type: 'nuget' as const, name, version, licenses: [] }];
  });
}
