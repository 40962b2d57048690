// CVSS v3.0 and v3.1 base scores, from the equations in section 7 of the FIRST specification
// (first.org/cvss/v3.1/specification-document). Temporal and environmental metrics may appear in
// a vector but do not change the base score, so they are accepted and ignored.

type Weights = Record<string, number>;

const attackVector: Weights = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const attackComplexity: Weights = { L: 0.77, H: 0.44 };
const userInteraction: Weights = { N: 0.85, R: 0.62 };
const impact: Weights = { H: 0.56, L: 0.22, N: 0 };
/** Privileges Required weighs more when the scope changes. */
const privilegesRequired: Record<'U' | 'C', Weights> = {
  U: { N: 0.85, L: 0.62, H: 0.27 },
  C: { N: 0.85, L: 0.68, H: 0.5 },
};

const baseMetrics = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;
type BaseMetric = (typeof baseMetrics)[number];

/** The base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector, or undefined if it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  const parsed = parseVector(vector);
  if (!parsed) return undefined;
  const { version, metrics: m } = parsed;

  const scope = m.S as 'U' | 'C';
  const iss = 1 - (1 - impact[m.C]!) * (1 - impact[m.I]!) * (1 - impact[m.A]!);
  const impactScore =
    scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability =
    8.22 *
    attackVector[m.AV]! *
    attackComplexity[m.AC]! *
    privilegesRequired[scope][m.PR]! *
    userInteraction[m.UI]!;

  if (impactScore <= 0) return 0;
  const raw = scope === 'U' ? impactScore + exploitability : 1.08 * (impactScore + exploitability);

  return roundUp(Math.min(raw, 10), version);
}

function parseVector(
  vector: string,
): { version: '3.0' | '3.1'; metrics: Record<BaseMetric, string> } | undefined {
  const [prefix, ...parts] = vector.trim().split('/');
  const version = prefix === 'CVSS:3.0' ? '3.0' : prefix === 'CVSS:3.1' ? '3.1' : undefined;
  if (!version) return undefined;

  const metrics: Record<string, string> = {};
  for (const part of parts) {
    const [name, value, extra] = part.split(':');
    if (!name || !value || extra !== undefined || name in metrics) return undefined;
    metrics[name] = value;
  }

  return baseMetrics.every((name) => isValidBaseValue(name, metrics[name]))
    ? { version, metrics: metrics as Record<BaseMetric, string> }
    : undefined;
}

function isValidBaseValue(name: BaseMetric, value: string | undefined): boolean {
  if (value === undefined) return false;
  const allowed: Record<BaseMetric, Record<string, unknown>> = {
    AV: attackVector,
    AC: attackComplexity,
    PR: privilegesRequired.U,
    UI: userInteraction,
    S: { U: 1, C: 1 },
    C: impact,
    I: impact,
    A: impact,
  };

  return Object.hasOwn(allowed[name], value);
}

/**
 * The smallest number with one decimal that is at least `value`. Version 3.1 defines it on
 * integers so that floating-point noise (4.000000000000001) does not round up to 4.1.
 */
function roundUp(value: number, version: '3.0' | '3.1'): number {
  if (version === '3.0') return Math.ceil(value * 10) / 10;

  const scaled = Math.round(value * 100_000);
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10;
}
