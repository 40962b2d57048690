/**
 * Whether `value`, a repository path below a project, matches a robot grant's repository
 * pattern: `*` stands for any run of characters within one path segment, and a whole segment
 * `**` for one or more segments (`**` alone matches everything, the project's own repository
 * included).
 *
 * Matched segment by segment, without regular expressions: a backtracking regex built from a
 * pattern such as `a*a*a*a*a*b` takes exponential time on a long name, and anyone who may
 * create a robot could stall the server with one. Here the blocks of segments between the `**`
 * are placed from left to right, and each literal piece of a segment is looked for once.
 */
export function globMatches(pattern: string, value: string): boolean {
  const segments = value.split('/');
  const blocks = blocksOf(pattern);
  if (blocks.length === 1) {
    return blocks[0]!.length === segments.length && matchesAt(blocks[0]!, segments, 0);
  }

  // Between two blocks stands a `**`, which takes one segment at least.
  const head = blocks[0]!;
  const tail = blocks[blocks.length - 1]!;
  const tailAt = segments.length - tail.length;
  if (!matchesAt(head, segments, 0) || !matchesAt(tail, segments, tailAt)) return false;

  let at = head.length;
  for (const block of blocks.slice(1, -1)) {
    const found = leftmost(block, segments, at + 1, tailAt - 1);
    if (found < 0) return false;
    at = found + block.length;
  }
  return tailAt >= at + 1;
}

/** A pattern segment cut at its stars: `a*b` is ["a", "b"], `web` is ["web"]. */
type Pieces = string[];

/**
 * The pattern's segments cut at each `**` segment (a, **, b, c gives [[a], [b, c]]), each
 * segment already cut into its pieces, so that nothing is split again while matching.
 */
function blocksOf(pattern: string): Pieces[][] {
  const blocks: Pieces[][] = [[]];
  for (const part of pattern.split('/')) {
    if (part === '**') blocks.push([]);
    else blocks[blocks.length - 1]!.push(part.split('*'));
  }
  return blocks;
}

/**
 * The first place from `from` where `block` matches, ending by `last` (inclusive); -1 if none.
 * Taking the leftmost place for each block in turn cannot miss a match: a later block only
 * needs to start after it.
 */
function leftmost(block: Pieces[], segments: string[], from: number, last: number): number {
  for (let start = from; start + block.length - 1 <= last; start++) {
    if (matchesAt(block, segments, start)) return start;
  }
  return -1;
}

function matchesAt(block: Pieces[], segments: string[], start: number): boolean {
  if (start < 0 || start + block.length > segments.length) return false;
  return block.every((part, i) => segmentMatches(part, segments[start + i]!));
}

/**
 * One segment against a pattern where `*` matches any run of characters. The literal pieces
 * between the stars must appear in order: the first at the start, the last at the end, and each
 * one between at its leftmost place after the one before, which cannot miss a match that a later
 * place would give. Each piece is looked for once, so the work is about the segment's length per
 * piece.
 */
function segmentMatches(pieces: Pieces, text: string): boolean {
  if (pieces.length === 1) return pieces[0] === text;

  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;

  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
