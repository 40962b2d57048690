// The image as a container sees it at run time: layer records applied bottom to top following
// the OCI rules (image-spec layer.md, "Applying Changesets"). Only the tree of paths is kept,
// each with the index of the layer that last wrote it; file contents live in the layer records'
// facts, looked up through that index.
//
// Rules, per layer, in this order:
//   1. An opaque marker (`dir/.wh..wh..opq`) empties `dir` of everything the layers below put
//      there. Entries of the same layer stay, which is why markers go before entries.
//   2. A whiteout (`dir/.wh.name`) removes `dir/name` (a whole subtree for a directory).
//   3. Entries are placed. A directory over a directory merges with it; anything else replaces
//      what was there. A parent that is not a directory in the layers below (a symlink, say)
//      becomes one: the layer's tar holds a real directory there.

import { baseName, joinPath, parentOf } from './paths.js';
import type { EntryType, FileFact, LayerRecord } from './types.js';

interface Node {
  type: EntryType;
  /** Index of the layer that last wrote this path. */
  layer: number;
  target?: string;
  children?: Map<string, Node>;
}

export interface ResolvedPath {
  /** The path with every symlink replaced by its target. */
  path: string;
  type: EntryType;
  layer: number;
}

/** Linux gives up after 40 links in one lookup (ELOOP); so does the image view. */
const MAX_LINK_HOPS = 40;

export class MergedFilesystem {
  private readonly root: Node = { type: 'dir', layer: -1, children: new Map() };
  private readonly facts: Map<string, FileFact>[] = [];

  /** Applies the next layer up. Layers must come in order, bottom first. */
  apply(record: LayerRecord): void {
    const layer = this.facts.length;
    this.facts.push(new Map(record.facts.map(({ path, fact }) => [path, fact])));

    for (const dir of record.opaqueDirs) this.empty(dir);
    for (const path of record.whiteouts) this.remove(path);
    for (const entry of record.entries) {
      this.place(entry.path, { type: entry.type, layer, target: entry.target });
    }
  }

  /** Number of layers applied so far. */
  get depth(): number {
    return this.facts.length;
  }

  /** True when `path` itself (no links followed) is a file that `layer` wrote. */
  isFileFrom(path: string, layer: number): boolean {
    const node = this.literal(path);

    return node?.type === 'file' && node.layer === layer;
  }

  /** What an analyser reads at `path`: symlinks followed, then the owning layer's fact. */
  fact(path: string): FileFact | undefined {
    const resolved = this.resolve(path);
    if (resolved?.type !== 'file') return undefined;

    return this.facts[resolved.layer]?.get(resolved.path);
  }

  /** Follows symlinks in every segment of `path`, as open(2) would from the image root. */
  resolve(path: string): ResolvedPath | undefined {
    let remaining = path.split('/').filter((segment) => segment !== '' && segment !== '.');
    let at: string[] = [];
    let node: Node = this.root;
    let hops = 0;

    while (remaining.length > 0) {
      const segment = remaining.shift() as string;
      if (segment === '..') {
        at.pop();
        node = this.literal(at.join('/')) ?? this.root;
        continue;
      }

      const child = node.children?.get(segment);
      if (child === undefined) return undefined;
      if (child.type === 'symlink') {
        hops += 1;
        if (hops > MAX_LINK_HOPS) return undefined;
        // The target's own `..` segments go through this loop too, so a `..` after a
        // symlinked directory climbs from where that link led, as the kernel does.
        const target = child.target ?? '';
        if (target.startsWith('/')) {
          at = [];
          node = this.root;
        }
        remaining = [
          ...target.split('/').filter((part) => part !== '' && part !== '.'),
          ...remaining,
        ];
        continue;
      }
      if (remaining.length > 0 && child.type !== 'dir') return undefined;
      at.push(segment);
      node = child;
    }

    return { path: at.join('/'), type: node.type, layer: node.layer };
  }

  /**
   * Finds `path` once the directories leading to it are resolved, without following a final
   * symlink: package managers list `/bin/ls` where a merged-/usr image has `usr/bin/ls`.
   */
  lookup(path: string): ResolvedPath | undefined {
    const dir = this.resolve(parentOf(path));
    if (dir?.type !== 'dir') return undefined;

    const real = joinPath(dir.path, baseName(path));
    const node = this.literal(real);

    return node && { path: real, type: node.type, layer: node.layer };
  }

  private literal(path: string): Node | undefined {
    let node: Node | undefined = this.root;
    for (const segment of path.split('/')) {
      if (segment === '') continue;
      node = node.children?.get(segment);
      if (node === undefined) return undefined;
    }

    return node;
  }

  private empty(dir: string): void {
    const node = this.literal(dir);
    if (node?.type === 'dir') node.children = new Map();
  }

  private remove(path: string): void {
    this.literal(parentOf(path))?.children?.delete(baseName(path));
  }

  private place(path: string, node: Node): void {
    const segments = path.split('/');
    const name = segments.pop() as string;
    let dir = this.root;
    for (const segment of segments) dir = this.directory(dir, segment, node.layer);

    const children = dir.children as Map<string, Node>;
    const existing = children.get(name);
    if (node.type === 'dir' && existing?.type === 'dir') {
      existing.layer = node.layer;

      return;
    }
    children.set(name, node.type === 'dir' ? { ...node, children: new Map() } : node);
  }

  /** The directory `name` under `parent`, created (or put in place of a non-directory). */
  private directory(parent: Node, name: string, layer: number): Node {
    const children = parent.children as Map<string, Node>;
    const existing = children.get(name);
    if (existing?.type === 'dir') return existing;

    const created: Node = { type: 'dir', layer, children: new Map() };
    children.set(name, created);

    return created;
  }
}
