/**
 * `npm run bench`: every suite in one run, in sequence (each keeps its interleaved rounds), and
 * ONE table of the issue-12 targets: measure | Portcullis | comparison | figure (median) | spread
 * (min – max over rounds) | CPU per request | target | met. Writes bench/results/latest.json with
 * every suite's every round. Needs `npm run build` first.
 *
 *   BENCH_ONLY=gateway,standalone,issuer,memory,cli   the suites to run (all by default)
 *   BENCH_QUICK=1                                      a smoke run of a few minutes (figures mean little)
 *   BENCH_PORT_BASE=N                                  ports from N (gateway +0, standalone +10, issuer +20, memory +30); 0 = free ports
 *
 * Each suite's own variables still apply (bench/README.md lists them); `npm run bench:<suite>` runs one alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isQuick, SUITES, type SuiteName, type SuiteResult, type TargetRow } from './common/suite';
import { distFingerprint, gitCommit, requireDist } from './gateway/results';
import { plan, suiteDefaults } from './suites';
import { printRows } from './table';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', 'results', 'latest.json');
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

function selected(): SuiteName[] {
  const raw = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!raw?.length) return [...SUITES];
  const unknown = raw.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
  return SUITES.filter((s) => raw.includes(s));
}

async function main(): Promise<void> {
  requireDist();
  const quick = isQuick();
  const defaults = suiteDefaults(quick);
  const planned = selected().map((name) => plan(name, defaults[name]));
  const total = planned.reduce((t, p) => t + p.estimateS, 0);
  const loadBefore = os.loadavg();
  const distAtStart = distFingerprint();
  log(`${quick ? 'QUICK run (figures mean little): ' : ''}suites ${planned.map((p) => `${p.name} (~${minutes(p.estimateS)})`).join(', ')}: about ${minutes(total)} in all; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
  const startedAt = Date.now();
  const results: SuiteResult[] = [];
  const failures: Array<{ suite: SuiteName; error: string }> = [];
  for (const p of planned) {
    log(`--- ${p.name} (estimate ${minutes(p.estimateS)}) ---`);
    try {
      const r = await p.run();
      results.push(r);
      log(`--- ${p.name} done in ${minutes(r.seconds)}${r.valid ? '' : ' (NOT VALID: errors during the measurements)'} ---`);
    } catch (err) {
      // One broken suite must not hide the others' figures: note it, go on, exit non-zero at the end.
      failures.push({ suite: p.name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      log(`--- ${p.name} FAILED: ${err instanceof Error ? err.message : String(err)} ---`);
    }
  }
  const rows: TargetRow[] = results.flatMap((r) => r.rows);
  const seconds = (Date.now() - startedAt) / 1000;
  const loadAfter = os.loadavg();
  const distNow = distFingerprint();
  const header = [
    `Portcullis issue-12 benchmark${quick ? ' (QUICK: smoke run, figures mean little)' : ''}, ${new Date().toISOString()}, ${minutes(seconds)}`,
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
    'figure: the ratio or cost the target is about, median over rounds (computed within each round); spread: lowest and highest round; CPU/request: Portcullis / the comparison, server process CPU from /proc over the run / answers',
  ];
  process.stdout.write(`\n${header.join('\n')}\n\n${printRows(rows)}\n`);
  for (const r of results.filter((x) => !x.valid)) process.stdout.write(`\n${r.suite}: NOT VALID (non-2xx answers or errors during its measurements): its rows measured an error path\n`);
  for (const f of failures) process.stdout.write(`\n${f.suite}: FAILED, no figures: ${f.error.split('\n')[0]}\n`);
  if (distNow && distAtStart && distNow.sha256 !== distAtStart.sha256) process.stdout.write('\nNOTE: dist/ changed during the run (someone rebuilt): later suites may have measured other code.\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({
    date: new Date().toISOString(), quick, commit: gitCommit(), dist: distAtStart, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    loadAverage: { before: loadBefore, after: loadAfter }, seconds, estimateS: total,
    settings: Object.fromEntries(planned.map((p) => [p.name, p.settings])), rows, suites: results, failures,
  }, null, 2) + '\n');
  log(`results (every round of every suite) written to ${path.relative(process.cwd(), OUT) || OUT}`);
  if (failures.length || results.some((r) => !r.valid)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
