import os from 'node:os';
import { median } from './report';

/** The suites `npm run bench` runs, in this order (BENCH_ONLY selects some). */
export const SUITES = ['gateway', 'standalone', 'issuer', 'memory', 'cli'] as const;
export type SuiteName = (typeof SUITES)[number];

/** A figure over rounds: the median, the lowest and highest round, and every round. */
export interface Spread {
  median: number | undefined;
  min: number | undefined;
  max: number | undefined;
  rounds: number[];
}

export function spreadOf(values: Array<number | undefined>): Spread {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return { median: median(v), min: v.length ? Math.min(...v) : undefined, max: v.length ? Math.max(...v) : undefined, rounds: v };
}

/** Per round, a(i) op b(i); rounds missing on either side are left out. */
export function perRound(a: Array<number | undefined>, b: Array<number | undefined>, op: (x: number, y: number) => number): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number') out.push(op(x, y));
  }
  return out;
}

/** What a row's figure must be: at least (ratios) or at most (costs) `value`, in `unit`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
  unit: 'x' | 'ms' | 'us' | 'MiB' | 's';
}

/**
 * One line of the issue-12 table: what Portcullis did, what it is compared with, the figure the
 * target is about (a ratio or a cost, median over rounds with its spread), the CPU per request
 * beside it, and whether the target is met (by the median).
 */
export interface TargetRow {
  /** Stable key (suite.measure.variant), also in latest.json. */
  key: string;
  measure: string;
  portcullis: string;
  comparison: string;
  figure: Spread;
  cpu: string;
  target: Target;
  /** Computed by {@link targetRow}: undefined when there is no figure. */
  met: boolean | undefined;
  /** Why the figure may not mean what it says (e.g. the cache held fewer tokens than sent). */
  note?: string;
  /** An extra condition of the target, besides the figure (e.g. every token held). */
  alsoRequired?: boolean;
}

export function targetRow(row: Omit<TargetRow, 'met'>): TargetRow {
  const m = row.figure.median;
  const byFigure = m === undefined ? undefined : row.target.op === '>=' ? m >= row.target.value : m <= row.target.value;
  const met = byFigure === undefined ? undefined : byFigure && row.alsoRequired !== false;
  return { ...row, met };
}

/** What each suite's `run(settings)` resolves to: the rows it contributes and all it measured. */
export interface SuiteResult<D = unknown> {
  suite: SuiteName;
  /** No non-2xx answers, errors or failed checks during the measurements. */
  valid: boolean;
  startedAt: string;
  seconds: number;
  loadAverage: { before: number; after: number };
  rows: TargetRow[];
  /** Everything the suite measured, every round (what its own JSON file holds). */
  data: D;
}

/** Wraps a suite's measurement with its timing and the machine's load before and after. */
export async function timedSuite<D>(suite: SuiteName, body: () => Promise<{ valid: boolean; rows: TargetRow[]; data: D }>): Promise<SuiteResult<D>> {
  const startedAt = new Date();
  const before = os.loadavg()[0];
  const r = await body();
  return { suite, startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, loadAverage: { before, after: os.loadavg()[0] }, ...r };
}

/** Defaults a suite's settings take when run by `npm run bench` (or BENCH_QUICK=1) instead of on its own. */
export type Defaults = Record<string, number | string | undefined>;

/** BENCH_QUICK=1: short runs, one or two rounds: proves the whole path works; figures mean little. */
export const isQuick = (): boolean => process.env.BENCH_QUICK === '1';
