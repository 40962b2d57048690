// Go's build information blob (Go ≥ 1.18, "inline" format; Go's src/debug/buildinfo): a 32-byte
// header starting with the magic "\xff Go buildinf:" (pointer size at byte 14, flags at 15,
// bit 2 meaning inline), then two strings each preceded by its uvarint length: the toolchain
// version ("go1.22.2") and the module information printed by `go version -m`.

import type { FoundPackage } from '../types.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
export const BUILDINFO_HEADER = 32;
const FLAG_INLINE = 2;
/** Module information is framed by 16 bytes of sentinel on each side. */
const SENTINEL = 16;

export type BuildInfoRead =
  | { state: 'need'; bytes: number }
  | { state: 'old-format' }
  | { state: 'done'; goVersion: string; modules: string };

/** Decodes the blob at the start of `data`, or says how many bytes it needs in all. */
export function readBuildInfo(data: Buffer): BuildInfoRead {
  if (data.length < BUILDINFO_HEADER) return { state: 'need', bytes: BUILDINFO_HEADER };
  if (((data[15] ?? 0) & FLAG_INLINE) === 0) return { state: 'old-format' };

  const version = readString(data, BUILDINFO_HEADER);
  if (version.state === 'need') return version;
  const modules = readString(data, version.end);
  if (modules.state === 'need') return modules;

  return {
    state: 'done',
    goVersion: version.bytes.toString('utf8'),
    modules: unframe(modules.bytes).toString('utf8'),
  };
}

type StringRead = { state: 'need'; bytes: number } | { state: 'read'; bytes: Buffer; end: number };

function readString(data: Buffer, at: number): StringRead {
  let length = 0;
  let shift = 0;
  let position = at;
  for (;;) {
    if (position >= data.length) return { state: 'need', bytes: position + 1 };
    const byte = data[position++] as number;
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
    if (shift > 35) return { state: 'read', bytes: Buffer.alloc(0), end: position };
  }

  const end = position + length;
  if (end > data.length) return { state: 'need', bytes: end };

  return { state: 'read', bytes: data.subarray(position, end), end };
}

/** The sentinels are arbitrary bytes, so they come off before the text is decoded. */
function unframe(modules: Buffer): Buffer {
  const framed =
    modules.length >= 2 * SENTINEL + 1 && modules[modules.length - SENTINEL - 1] === 0x0a;

  return framed ? modules.subarray(SENTINEL, modules.length - SENTINEL) : Buffer.alloc(0);
}

interface Module {
  path: string;
  version: string;
}

/**
 * The packages a Go binary was built from: its main module when it has a real version, every
 * dependency (replacements applied), and the standard library as Go's vulnerability database
 * models it (module "stdlib"). A replacement by a local directory has no version and no
 * upstream release to match; it is left out.
 */
export function goPackages(goVersion: string, modules: string): FoundPackage[] {
  const parsed = parseModules(modules);
  const packages: Module[] = [];

  const main = parsed.main && mainVersion(parsed.main, parsed.settings);
  if (main) packages.push(main);
  packages.push(...parsed.deps.filter((dep) => dep.version !== ''));

  const stdlib = stdlibVersion(goVersion);
  if (stdlib) packages.push({ path: 'stdlib', version: stdlib });

  return packages.map(({ path, version }) => ({
    type: 'golang',
    name: path,
    version,
    licenses: [],
  }));
}

interface ParsedModules {
  main?: Module;
  deps: Module[];
  settings: Map<string, string>;
}

function parseModules(text: string): ParsedModules {
  const result: ParsedModules = { deps: [], settings: new Map() };
  let last: Module | undefined;

  for (const line of text.split('\n')) {
    const [kind, first = '', second = ''] = line.split('\t');
    if (kind === 'mod') last = result.main = { path: first, version: second };
    else if (kind === 'dep') result.deps.push((last = { path: first, version: second }));
    else if (kind === '=>' && last) Object.assign(last, { path: first, version: second });
    else if (kind === 'build') {
      const equals = first.indexOf('=');
      if (equals > 0) result.settings.set(first.slice(0, equals), unquote(first.slice(equals + 1)));
    }
  }

  return result;
}

/**
 * `go build` stamps "(devel)" on the main module unless it was built from a module download;
 * projects usually stamp their release through `-ldflags "-X main.version=1.2.3"` instead.
 */
function mainVersion(main: Module, settings: Map<string, string>): Module | undefined {
  if (main.version !== '' && main.version !== '(devel)') return main;

  const flags = settings.get('-ldflags') ?? '';
  const stamped = /-X[= ]['"]?[\w./-]+\.(?:[Vv]ersion|VERSION)=v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(
    flags,
  );

  return stamped ? { path: main.path, version: `v${stamped[1]}` } : undefined;
}

/**
 * "go1.22.2" → "v1.22.2", "go1.21rc2" → "v1.21.0-rc.2", "go1.20" → "v1.20.0". Suffixes after a
 * space ("go1.22.2 X:nocoverageredesign") are GOEXPERIMENT notes, not part of the version;
 * development toolchains ("devel go1.23-…") have no release to match.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(
    goVersion.split(' ')[0] ?? '',
  );
  if (!match) return undefined;

  const [, major, minor, patch = '0', pre, preNumber] = match;
  const release = `v${major}.${minor}.${patch}`;

  return pre ? `${release}-${pre}.${preNumber}` : release;
}

/** Build setting values are Go-quoted when they contain spaces or quotes. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;

  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}
