import { fmt, median, table } from '../common/report';
import type { RunResult } from './measure';
import { OPERATIONS, type Operation, type Target } from './operations';
import type { Product } from './issuer-under-test';
import type { Memory } from './memory';

export interface TargetSummary {
  target: string;
  operation: Operation;
  product: Product;
  requestsPerSec: number | undefined;
  latencyP99Ms: number | undefined;
  serverCpuUsPerRequest: number | undefined;
  /** Requests per second one fully used core would serve: 1e6 / CPU µs per request. */
  perCore: number | undefined;
  non2xx: number;
  errors: number;
  rounds: RunResult[];
}

export interface Ratio {
  operation: Operation;
  product: Product;
  /** Median over rounds of (Portcullis req/s / oidc-provider req/s) within the round, and its range. */
  requestsPerSec: { median: number | undefined; min: number | undefined; max: number | undefined };
  /** Median over rounds of (oidc-provider CPU/req / Portcullis CPU/req): > 1, Portcullis is cheaper. */
  cpu: { median: number | undefined; min: number | undefined; max: number | undefined };
}

function spread(values: Array<number | undefined>) {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return { median: median(v), min: v.length ? Math.min(...v) : undefined, max: v.length ? Math.max(...v) : undefined };
}

export function summarise(targets: Target[], runs: Map<string, RunResult[]>): TargetSummary[] {
  return targets.map((t) => {
    const rounds = runs.get(t.name) ?? [];
    const cpu = median(rounds.map((r) => r.serverCpuUsPerRequest));
    return {
      target: t.name,
      operation: t.operation,
      product: t.product,
      requestsPerSec: median(rounds.map((r) => r.requestsPerSec)),
      latencyP99Ms: median(rounds.map((r) => r.latencyP99Ms)),
      serverCpuUsPerRequest: cpu,
      perCore: cpu ? 1e6 / cpu : undefined,
      non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
      errors: rounds.reduce((a, r) => a + r.errors, 0),
      rounds,
    };
  });
}

/** Paired ratios: within each round (runs seconds apart), then the median and range over rounds. */
export function ratios(summary: TargetSummary[]): Ratio[] {
  const out: Ratio[] = [];
  for (const op of OPERATIONS) {
    const ref = summary.find((s) => s.operation === op.name && s.product === 'oidc-provider');
    if (!ref) continue;
    for (const s of summary.filter((x) => x.operation === op.name && x.product !== 'oidc-provider')) {
      const n = Math.min(s.rounds.length, ref.rounds.length);
      const idx = Array.from({ length: n }, (_, i) => i);
      out.push({
        operation: op.name,
        product: s.product,
        requestsPerSec: spread(idx.map((i) => s.rounds[i].requestsPerSec / ref.rounds[i].requestsPerSec)),
        cpu: spread(idx.map((i) => (ref.rounds[i].serverCpuUsPerRequest ?? NaN) / (s.rounds[i].serverCpuUsPerRequest ?? NaN))),
      });
    }
  }
  return out;
}

export function formatReport(summary: TargetSummary[], rs: Ratio[], rss: Record<string, Memory>): string {
  const rows = [['operation', 'issuer', 'req/s', 'p99 ms', 'server CPU us/req', 'req/s per core', 'non-2xx', 'errors']];
  for (const s of summary) {
    rows.push([s.operation, s.product, fmt(s.requestsPerSec), fmt(s.latencyP99Ms), fmt(s.serverCpuUsPerRequest), fmt(s.perCore), String(s.non2xx), String(s.errors)]);
  }
  const ratioRows = [['operation', 'Portcullis on', 'req/s vs oidc-provider (median [min-max])', 'CPU/req: oidc-provider / Portcullis']];
  for (const r of rs) {
    const range = (x: Ratio['cpu']) => `${fmt(x.median, 2)}x [${fmt(x.min, 2)}-${fmt(x.max, 2)}]`;
    ratioRows.push([r.operation, r.product.replace('portcullis-', ''), range(r.requestsPerSec), range(r.cpu)]);
  }
  const memRows = [['process', 'RSS after the run (MiB)', 'peak RSS (MiB)', 'heap after GC (MiB)'], ...Object.entries(rss).map(([k, v]) => [k, fmt(v.rss), fmt(v.peak), fmt(v.heapAfterGc)])];
  const busiest = Math.max(0, ...summary.flatMap((s) => s.rounds.map((r) => r.otherCpuPercent ?? 0)));
  return [
    table(rows),
    '',
    table(ratioRows),
    '',
    table(memRows),
    ...(busiest > 15 ? ['', `WARNING: other processes used up to ${busiest.toFixed(0)}% of a core during measured runs; req/s is noisy, CPU per request less so`] : []),
  ].join('\n') + '\n';
}
