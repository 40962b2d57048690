const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parses "90s", "10m", "24h", "7d", or milliseconds as a number or a string of digits. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(value);
  if (!match) return undefined;

  return Math.round(
    Number(match[1]) * (durationUnits[(match[2] as string).toLowerCase()] as number),
  );
}

/** Parses "4MiB", "500MB", "1024" (bytes) or a number of bytes. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = sizeUnits[(match?.[2] ?? 'x').toLowerCase()];
  if (!match || unit === undefined) return undefined;

  return Math.round(Number(match[1]) * unit);
}
