import type { Load } from '../common/load';
import { profiled } from '../common/profiler';
import { loadGenerator } from './load';
import { run, type RunResult } from './measure';
import type { Target } from './operations';
import type { BenchSettings } from './settings';

const log = (m: string) => process.stderr.write(`[bench:issuer] ${m}\n`);

/**
 * Interleaved rounds in alternating order (a, b, c, then c, b, a, ...), so that drift and busy
 * neighbours hit every target alike; each measured run follows its own warm-up. A warm-up that
 * got errors means the target is broken: the run stops there.
 */
export async function measureRounds(load: Load, targets: Target[], s: BenchSettings, afterRound?: (round: number) => Promise<void>): Promise<Map<string, RunResult[]>> {
  const generators = new Map(targets.map((t) => [t.name, loadGenerator(t, s.connections)]));
  // The best rate seen per target sizes the pre-minted codes of its next run.
  const rates = new Map<string, number>();
  const seen = (t: Target, r: RunResult) => rates.set(t.name, Math.max(rates.get(t.name) ?? 0, r.requestsPerSec));
  const runs = new Map<string, RunResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < s.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const gen = generators.get(t.name)!;
      if (s.warmup > 0) {
        const w = await run(load, t, await gen.plan(s.warmup, rates.get(t.name) ?? 200), s.connections);
        if (w.non2xx || w.errors) throw new Error(`${t.name}: the warm-up got ${w.non2xx} non-2xx answers and ${w.errors} errors`);
        seen(t, w);
      }
      const plan = await gen.plan(s.duration, rates.get(t.name) ?? 200);
      const server = { pid: t.issuer.proc.pid, ...(t.issuer.profDir ? { profDir: t.issuer.profDir } : {}) };
      const m = await profiled(server, `round${round + 1}-${t.operation}`, () => run(load, t, plan, s.connections), (r) => r);
      seen(t, m);
      runs.get(t.name)!.push(m);
      log(`round ${round + 1}/${s.rounds} ${t.name}: ${m.requestsPerSec.toFixed(0)} req/s, server CPU ${m.serverCpuUsPerRequest?.toFixed(0)} us/req, p99 ${m.latencyP99Ms} ms, non-2xx ${m.non2xx}, errors ${m.errors}, RSS ${m.serverRssMiB?.toFixed(0)} MiB, other processes ${m.otherCpuPercent?.toFixed(0)}% of a core`);
    }
    await afterRound?.(round);
  }
  return runs;
}
