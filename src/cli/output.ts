import Table from 'cli-table3';

// What the management commands print: tables without borders, sized to the terminal (100
// columns when the output is not one), key/value blocks for single records, and JSON as the
// API returned it.

const gap = 2;
const narrowest = 16;
const borderless = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(gap),
};

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows under upper-case headings; the widest columns wrap until the table fits. */
export function printTable(header: string[], rows: string[][]): void {
  process.stdout.write(render([header, ...rows]));
}

/** One record as `key  value` lines. */
export function printFields(fields: [string, string][]): void {
  process.stdout.write(render(fields.map(([key, value]) => [`${key}:`, value])));
}

function render(rows: string[][]): string {
  const fitted = fit(rows, terminalWidth());
  const table = new Table({
    chars: borderless,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
  });
  table.push(...fitted);

  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/** Narrows the widest column, wrapping its cells, until the rows fit or nothing is left to narrow. */
function fit(rows: string[][], width: number): string[][] {
  let fitted = rows;
  for (;;) {
    const widths = columnWidths(fitted);
    const total = widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
    const widest = widths.indexOf(Math.max(...widths));
    const target = Math.max(narrowest, widths[widest]! - (total - width));
    if (total <= width || target >= widths[widest]!) return fitted;

    fitted = fitted.map((row) => row.map((cell, i) => (i === widest ? wrap(cell, target) : cell)));
  }
}

function columnWidths(rows: string[][]): number[] {
  return rows[0]!.map((_, i) =>
    Math.max(...rows.flatMap((row) => (row[i] ?? '').split('\n').map((line) => line.length))),
  );
}

/** Breaks after spaces and commas where it can, inside a word only when a word is too long. */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const piece of line.match(/[^\s,]*,?\s*/g) ?? []) {
    if (current.length + piece.trimEnd().length > width && current !== '') {
      lines.push(current.trimEnd());
      current = '';
    }
    current += piece;
    while (current.trimEnd().length > width) {
      lines.push(current.slice(0, width));
      current = current.slice(width);
    }
  }
  if (current.trimEnd() !== '' || lines.length === 0) lines.push(current.trimEnd());

  return lines;
}

function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100;
}

// Values as tables show them.

export function day(iso: string | null): string {
  return iso === null ? '-' : iso.slice(0, 10);
}

export function minute(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function ago(iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never';
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes}m ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h ago`;

  return `${Math.floor(minutes / (24 * 60))}d ago`;
}

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(count: number): string {
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;

  return `${value.toFixed(digits).replace(/\.0$/, '')} ${binaryUnits[unit]}`;
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
