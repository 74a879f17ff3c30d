import { fmt, table } from './common/report';
import type { Spread, Target, TargetRow } from './common/suite';

/** A figure in its unit: ratios as 0.93x, costs over a reference signed (+12 µs), sizes and times plain. */
export function figure(value: number | undefined, unit: Target['unit'], signed = false): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  const sign = signed && value >= 0 ? '+' : '';
  switch (unit) {
    case 'x':
      return `${fmt(value, 2)}x`;
    case 'us':
      return `${sign}${fmt(value, 1)} µs`;
    case 'ms':
      return `${sign}${fmt(value, 3)} ms`;
    case 'MiB':
      return `${fmt(value, 1)} MiB`;
    case 's':
      return `${fmt(value, 3)} s`;
  }
}

/** Costs over a reference (µs added, signing + ms) carry a sign; ratios, sizes and times do not. */
const signed = (row: TargetRow) => row.target.unit === 'us' || row.target.unit === 'ms';

export function spreadText(s: Spread, unit: Target['unit'], sign: boolean): string {
  if (s.min === undefined || s.max === undefined) return 'n/a';
  const n = s.rounds.length;
  return `${figure(s.min, unit, sign)} – ${figure(s.max, unit, sign)} (${n} round${n === 1 ? '' : 's'})`;
}

const verdict = (row: TargetRow) => (row.met === undefined ? 'n/a' : row.met ? 'met' : 'NOT MET');

/** The one table of `npm run bench`: a line per row, then the rows' notes. */
export function printRows(rows: TargetRow[]): string {
  const header = ['measure', 'Portcullis', 'comparison', 'figure (median)', 'spread (min – max)', 'CPU/request (P / other)', 'target', 'met'];
  const lines = rows.map((r) => [
    r.measure,
    r.portcullis,
    r.comparison,
    figure(r.figure.median, r.target.unit, signed(r)),
    spreadText(r.figure, r.target.unit, signed(r)),
    r.cpu,
    `${r.target.op} ${figure(r.target.value, r.target.unit, signed(r))}`,
    verdict(r),
  ]);
  const notes = rows.filter((r) => r.note).map((r) => `note: ${r.measure}: ${r.note}`);
  return [table([header, ...lines]), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
