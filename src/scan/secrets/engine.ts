// Runs the secret rules over text. Files are scanned as they stream past, a window at a time:
// memory stays at one window per open file whatever the file's size, and the window's end is
// cut at a line break with a margin after it, so that a match near the cut is seen whole (and
// a key block's body after its header) before the cut moves on.

import { StringDecoder } from 'node:string_decoder';
import type { SecretRule } from './rules.js';

/** A secret found in text: where it starts, and its masked form. Never the secret itself. */
export interface SecretHit {
  ruleId: string;
  /** 1-based line of the match's start. */
  line: number;
  /** The secret's first four characters, then "****". */
  match: string;
}

/** A match with its secret in clear: used to mask it, then dropped. */
export interface SecretMatch {
  rule: SecretRule;
  start: number;
  end: number;
  secret: string;
}

/** Text is scanned once this much of it is waiting. */
const WINDOW = 64 * 1024;
/** How much text after a match the rules may look at (a key block's body). */
const LOOKAHEAD = 1024;
/** Secrets shorter than this many distinct characters are placeholders ("ghp_xxxx…"). */
const MIN_DISTINCT = 6;

/** Keeps the first four characters of a secret: enough to recognise it, too few to use it. */
export function mask(secret: string): string {
  return `${secret.slice(0, 4)}****`;
}

/**
 * Every match of the rules in `text`, in text order. A rule's pattern runs only on the lines
 * that hold one of its keywords, found for all rules in one pass. Where matches of two rules
 * overlap, the one of the rule listed first is kept.
 */
export function findSecrets(text: string, rules: readonly SecretRule[]): SecretMatch[] {
  const lines = keywordLines(text, rules);
  const hits: SecretMatch[] = [];

  for (const rule of rules) {
    for (const [from, to] of merged(lines.get(rule) ?? [])) {
      for (const match of text.slice(from, to).matchAll(rule.pattern)) {
        match.index = (match.index ?? 0) + from;
        const secret = rule.secretOf ? rule.secretOf(match, text) : match.groups?.secret;
        if (secret === undefined || isPlaceholder(secret)) continue;

        const hit = { rule, start: match.index, end: match.index + match[0].length, secret };
        if (!hits.some((kept) => kept.start < hit.end && hit.start < kept.end)) hits.push(hit);
      }
    }
  }

  return hits.sort((a, b) => a.start - b.start);
}

/** A run of whole lines: [from, to) offsets. */
type Line = [number, number];

interface KeywordIndex {
  /** Every keyword of every rule, case-insensitive, in one expression. */
  pattern: RegExp;
  rulesOf: Map<string, SecretRule[]>;
}

const indexes = new WeakMap<readonly SecretRule[], KeywordIndex>();

function keywordIndex(rules: readonly SecretRule[]): KeywordIndex {
  let index = indexes.get(rules);
  if (!index) {
    const rulesOf = new Map<string, SecretRule[]>();
    for (const rule of rules) {
      for (const keyword of rule.keywords)
        rulesOf.set(keyword, [...(rulesOf.get(keyword) ?? []), rule]);
    }
    const escaped = [...rulesOf.keys()].map((keyword) =>
      keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
    index = { pattern: new RegExp(escaped.join('|'), 'gi'), rulesOf };
    indexes.set(rules, index);
  }

  return index;
}

/** For each rule, the lines that hold one of its keywords, as [from, to) offsets in order. */
function keywordLines(text: string, rules: readonly SecretRule[]): Map<SecretRule, Line[]> {
  const { pattern, rulesOf } = keywordIndex(rules);
  const lines = new Map<SecretRule, Line[]>();

  for (const found of text.matchAll(pattern)) {
    const at = found.index ?? 0;
    const from = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    const line: Line = [from, end < 0 ? text.length : end];
    for (const rule of rulesOf.get(found[0].toLowerCase()) ?? []) {
      const known = lines.get(rule);
      if (!known) lines.set(rule, [line]);
      else if (known.at(-1)![0] !== from) known.push(line);
    }
  }

  return lines;
}

/** Lines next to each other become one run, so that a pattern sees them together. */
function merged(lines: readonly Line[]): Line[] {
  const runs: Line[] = [];
  for (const line of lines) {
    const last = runs.at(-1);
    if (last && line[0] <= last[1] + 1) last[1] = Math.max(last[1], line[1]);
    else runs.push([...line]);
  }

  return runs;
}

/** Documentation values (AWS's "…EXAMPLE" keys) and runs of one or two characters. */
function isPlaceholder(secret: string): boolean {
  return secret.includes('EXAMPLE') || new Set(secret).size < MIN_DISTINCT;
}

/** Scans the text of one file, written a chunk at a time. */
export class TextScanner {
  private readonly decoder = new StringDecoder('utf8');
  private readonly hits: SecretHit[] = [];
  private pending = '';
  /** Line number of pending's first character. */
  private line = 1;

  constructor(
    private readonly rules: readonly SecretRule[],
    private readonly maxHits: number,
  ) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    if (this.pending.length >= WINDOW + LOOKAHEAD) this.flush(false);
  }

  /** The hits of the whole text, in order, at most maxHits of them. */
  end(): SecretHit[] {
    this.pending += this.decoder.end();
    this.flush(true);

    return this.hits;
  }

  /**
   * Scans what is pending and keeps the matches that start before the cut: the last line
   * break at least LOOKAHEAD before the end (or LOOKAHEAD before the end when lines are
   * longer than half a window). What follows the cut is scanned again with the next window.
   */
  private flush(final: boolean): void {
    const text = this.pending;
    let cut = text.length;
    if (!final) {
      const limit = text.length - LOOKAHEAD;
      // A break early in the window would make the next window scan most of this one again.
      const lineBreak = text.lastIndexOf('\n', limit - 1);
      cut = lineBreak >= limit / 2 ? lineBreak + 1 : limit;
    }

    let line = this.line;
    let counted = 0;
    for (const hit of findSecrets(text, this.rules)) {
      if (hit.start >= cut || this.hits.length >= this.maxHits) break;
      line += countLines(text, counted, hit.start);
      counted = hit.start;
      this.hits.push({ ruleId: hit.rule.id, line, match: mask(hit.secret) });
    }

    this.line += countLines(text, 0, cut);
    this.pending = text.slice(cut);
  }
}

function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) {
    count += 1;
  }

  return count;
}
