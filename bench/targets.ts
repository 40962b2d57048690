// The targets of the benchmark issue, checked against a run's numbers.
import { ratio, type Metric, type Run, type TargetCheck } from './report.js';

const MB = 1_000_000 / (1024 * 1024);

export function checkTargets(run: Run): TargetCheck[] {
  const peers = run.servers.filter(
    (s) => s.id.startsWith('distribution') && s.status !== 'skipped',
  );
  const rows = (prefix: string, unit: string) =>
    run.metrics.filter((m) => m.workload.startsWith(prefix) && m.unit === unit);
  const berthValue = (prefix: string, unit: string) => rows(prefix, unit)[0]?.values.berth;

  const checks: TargetCheck[] = [
    atLeast('Pull ≥ 1.0× distribution', rows('blob pull', 'MiB/s'), peers, 1.0),
    pullCeiling(run, berthValue('blob pull 1 GiB, 1 stream', 'MiB/s')),
    atLeast('Push ≥ 1.0× distribution', rows('blob push', 'MiB/s'), peers, 1.0),
    atLeast('Manifest GET ≥ 1.5× distribution req/s', rows('manifest GET', 'req/s'), peers, 1.5),
    atMost('Manifest GET p99 lower than distribution', rows('manifest GET', 'p99 ms'), peers, 1.0),
  ];

  const failed = rows('', 'clients').find((m) => m.workload.includes('clients that failed'));
  const rss = rows('', 'MiB').find(
    (m) => m.workload.includes('server peak RSS') && m.section === 'Morning surge',
  );
  if (failed?.values.berth !== undefined && rss?.values.berth !== undefined) {
    const megabytes = rss.values.berth / MB;
    checks.push({
      target: 'Surge: zero errors, Berth RSS under 400 MB',
      met: failed.values.berth === 0 && megabytes < 400,
      detail: `${failed.values.berth} clients failed; peak RSS ${megabytes.toFixed(0)} MB`,
    });
  }

  const listing = rows('list ', 'ms')[0];
  if (listing?.values.berth !== undefined) {
    checks.push({
      target: 'Listing 10,000 tags under 100 ms',
      met: listing.values.berth < 100,
      detail: `${listing.workload}: ${listing.values.berth.toFixed(1)} ms`,
    });
  }

  return checks;
}

/** Every Berth ÷ peer ratio of `metrics` at least `minimum` (higher is better). */
function atLeast(
  target: string,
  metrics: Metric[],
  peers: { id: string; label: string }[],
  minimum: number,
): TargetCheck {
  return compare(target, metrics, peers, (r) => r >= minimum);
}

/** Every Berth ÷ peer ratio of `metrics` below `maximum` (lower is better). */
function atMost(
  target: string,
  metrics: Metric[],
  peers: { id: string; label: string }[],
  maximum: number,
): TargetCheck {
  return compare(target, metrics, peers, (r) => r < maximum);
}

function compare(
  target: string,
  metrics: Metric[],
  peers: { id: string; label: string }[],
  ok: (ratio: number) => boolean,
): TargetCheck {
  const misses: string[] = [];
  let compared = 0;
  for (const metric of metrics) {
    for (const peer of peers) {
      const value = ratio(metric, peer.id);
      if (value === undefined) continue;
      compared += 1;
      if (!ok(value)) misses.push(`${metric.workload} vs ${peer.label}: ${value.toFixed(2)}×`);
    }
  }
  if (compared === 0) return { target, met: false, detail: 'not measured' };

  return {
    target,
    met: misses.length === 0,
    detail:
      misses.length === 0
        ? `all ${compared} comparisons`
        : `${compared - misses.length} of ${compared} comparisons; missed: ${misses.join('; ')}`,
  };
}

/** The ceiling of a pull is the slower of loopback TCP and reading the file from the page cache. */
function pullCeiling(run: Run, berthMiBps: number | undefined): TargetCheck {
  const target = 'Pull ≥ 70% of what the machine allows (1 GiB, 1 stream)';
  const ceiling = Math.min(run.machine.loopbackMiBps, run.machine.cachedReadMiBps);
  if (berthMiBps === undefined) return { target, met: false, detail: 'not measured' };

  const share = berthMiBps / ceiling;
  return {
    target,
    met: share >= 0.7,
    detail: `${berthMiBps.toFixed(0)} of ${ceiling.toFixed(0)} MiB/s (${(share * 100).toFixed(0)}%)`,
  };
}
