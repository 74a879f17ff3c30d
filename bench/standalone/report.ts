import { fmt, median, table } from '../common/report';
import { LABELS } from './contenders';
import { caseId, type Case, type RunResult } from './measure';

/** guard/x ratios: per round (runs seconds apart), then median and min-max over rounds. */
export interface Ratio {
  name: string;
  median: number | undefined;
  min: number;
  max: number;
}

export function ratios(rounds: Array<Record<string, RunResult>>): Ratio[] {
  const out: Ratio[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    for (const other of ['oauth2-bearer', 'express-jwt', 'noauth']) {
      if (!rounds[0]?.[`guard/${cache}`] || !rounds[0]?.[`${other}/${cache}`]) continue; // not measured (BENCH_STANDALONE_CASES)
      const per = rounds.map((r) => r[`guard/${cache}`].rps / r[`${other}/${cache}`].rps);
      out.push({ name: `guard / ${other} (${cache})`, median: median(per), min: Math.min(...per), max: Math.max(...per) });
    }
  }
  if (!rounds[0]?.['guard-introspect/warm'] || !rounds[0]?.['noauth/warm']) return out;
  const per = rounds.map((r) => r['guard-introspect/warm'].rps / r['noauth/warm'].rps);
  out.push({ name: 'guard-introspect / noauth (warm)', median: median(per), min: Math.min(...per), max: Math.max(...per) });
  return out;
}

export function printTable(cases: Case[], rounds: Array<Record<string, RunResult>>, ratioList: Ratio[], introspection: string): string {
  const rows = [['contender', 'cache', 'req/s (median)', 'per round', 'p99 ms', 'CPU µs/req', 'non-2xx', 'errors']];
  for (const c of cases) {
    const runs = rounds.map((r) => r[caseId(c)]);
    rows.push([
      LABELS[c.contender],
      c.contender === 'guard-introspect' ? `${c.cache} (100 tokens)` : c.cache,
      fmt(median(runs.map((r) => r.rps))),
      runs.map((r) => fmt(r.rps)).join(' '),
      fmt(median(runs.map((r) => r.p99))),
      fmt(median(runs.map((r) => r.cpuUs))),
      String(runs.reduce((s, r) => s + r.non2xx, 0)),
      String(runs.reduce((s, r) => s + r.errors, 0)),
    ]);
  }
  const lines = [table(rows), ''];
  for (const r of ratioList) lines.push(`${r.name.padEnd(36)} ${fmt(r.median, 2)}x  (rounds ${fmt(r.min, 2)}-${fmt(r.max, 2)})`);
  if (introspection) lines.push('', introspection);
  return lines.join('\n');
}
