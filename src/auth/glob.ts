/**
 * Whether `value`, a repository path below a project, matches a robot grant's repository
 * pattern: `*` stands for any run of characters within one path segment, and a whole segment
 * `**` for one or more segments (`**` alone matches everything, the project's own repository
 * included).
 *
 * Matched segment by segment, without regular expressions: a backtracking regex built from a
 * pattern such as `a*a*a*a*a*b` takes exponential time on a long name, and anyone who may
 * create a robot could stall the server with one. Here the work is at most the pattern's length
 * times the value's.
 */
export function globMatches(pattern: string, value: string): boolean {
  const segments = value.split('/');
  // reachable[j]: the pattern parts seen so far match exactly the first j segments.
  let reachable = Array.from({ length: segments.length + 1 }, (_, j) => j === 0);

  for (const part of pattern.split('/')) {
    const next = new Array<boolean>(segments.length + 1).fill(false);
    for (let j = 0; j < segments.length; j++) {
      if (!reachable[j]) continue;
      if (part === '**') {
        next.fill(true, j + 1);
        break;
      }
      if (segmentMatches(part, segments[j]!)) next[j + 1] = true;
    }
    reachable = next;
  }

  return reachable[segments.length]!;
}

/**
 * One segment against a pattern where `*` matches any run of characters: the greedy match that
 * returns to the last star on a mismatch, which is quadratic at worst.
 */
function segmentMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resumeAt = 0;

  while (t < text.length) {
    if (pattern[p] === '*') {
      star = p++;
      resumeAt = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;

  return p === pattern.length;
}
