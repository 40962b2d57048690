// Paths inside an image. A layer's tar names are untrusted: they may be absolute, carry `./`
// prefixes, climb out with `..`, or nest absurdly deep. Everything in the inventory uses one
// normal form: relative to the image root, no leading or trailing slash, no `.` or `..`
// segments ("usr/lib/os-release"). The root itself is the empty string.

/** OCI whiteout prefix (image-spec layer.md, "Whiteouts"). */
const WHITEOUT_PREFIX = '.wh.';
/** Marks its directory opaque: lower layers' children are hidden. */
const OPAQUE_MARKER = '.wh..wh..opq';

export interface PathLimits {
  /** Longest accepted name in bytes; Linux's PATH_MAX is 4096. */
  maxPathBytes: number;
  /** Most segments accepted in one path. */
  maxPathDepth: number;
}

/**
 * Normalises a tar entry name. `..` cannot climb above the root: a name like `../../etc/passwd`
 * lands on `etc/passwd`, which is where a container runtime's extraction would put it too.
 * Returns '' for the root itself and undefined for names over the limits.
 */
export function normalisePath(name: string, limits: PathLimits): string | undefined {
  if (Buffer.byteLength(name) > limits.maxPathBytes) return undefined;

  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }

  if (segments.length > limits.maxPathDepth) return undefined;

  return segments.join('/');
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');

  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Every proper ancestor of a path, nearest first: "a/b/c" gives "a/b", "a". */
export function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let dir = parentOf(path); dir !== ''; dir = parentOf(dir)) ancestors.push(dir);

  return ancestors;
}

export type Whiteout =
  | { kind: 'opaque'; dir: string }
  | { kind: 'whiteout'; path: string }
  | { kind: 'aufs-metadata' }
  | { kind: 'none' };

/**
 * Classifies a normalised path as an OCI whiteout marker. `.wh..wh.` names other than the
 * opaque marker are AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`) that some old Docker
 * layers carry; they are neither content nor whiteouts.
 */
export function whiteoutOf(path: string): Whiteout {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };

  const dir = parentOf(path);
  if (name === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'aufs-metadata' };

  return { kind: 'whiteout', path: joinPath(dir, name.slice(WHITEOUT_PREFIX.length)) };
}

/** The absolute form shown to users ("/usr/lib/os-release"). */
export function displayPath(path: string): string {
  return `/${path}`;
}
