import { fmt } from '../common/report';
import { log, type BenchContext } from './context';
import type { Gateway } from './gateway';
import { loadOptions, measure, type Measurement } from './measure';
import { assert } from './sanity';
import { TARGETS, tokensFor, type Identity, type Target, type TargetName, type Tokens } from './targets';

export const WARMUP_REQUESTS_PER_TARGET = 5000;

export type Round = { round: number } & Measurement;
export type Runs = Record<TargetName, Round[]>;

/** The targets BENCH_GATEWAY_TARGETS asked for, in the order of TARGETS. */
export const selectedTargets = (ctx: BenchContext): readonly Target[] => TARGETS.filter((t) => ctx.settings.targets.includes(t.name));

/**
 * Process warm-up before anything is measured, so the first target measured is not penalised:
 * JIT, and Node's Buffer() deprecation check, which captures a stack trace on each of the first
 * 10,000 calls of `new Buffer()` (express-gateway's uuid62 does one per request). A cold target
 * gets at least one request per token, so each is seen (and verified, by the guard) once before
 * the measured runs, whatever BENCH_TOKENS and the per-run warm-up.
 */
export async function warmUp(ctx: BenchContext, tokens: Tokens, identity: Identity): Promise<void> {
  for (const t of selectedTargets(ctx)) {
    const amount = Math.max(WARMUP_REQUESTS_PER_TARGET, tokensFor(t, tokens).length);
    const w = await ctx.load.run({ ...loadOptions(ctx, t, tokens, identity), amount });
    assert(w.non2xx === 0 && w.errors === 0, `${t.name}: process warm-up got ${w.non2xx} non-2xx and ${w.errors} errors`);
  }
  log(`process warm-up done (${WARMUP_REQUESTS_PER_TARGET} requests per target, at least one per cold token)`);
}

/**
 * Interleaved rounds, alternating order (a, b, c then c, b, a, ...) so that slow drift (thermal,
 * GC heap growth, noisy neighbours) hits every target alike, warm and cold.
 */
export async function measureRounds(ctx: BenchContext, gw: Gateway, tokens: Tokens, identity: Identity): Promise<Runs> {
  const s = ctx.settings.load;
  const runs = Object.fromEntries(TARGETS.map((t) => [t.name, []])) as unknown as Runs;
  for (let round = 1; round <= s.rounds; round++) {
    const order = round % 2 === 1 ? selectedTargets(ctx) : [...selectedTargets(ctx)].reverse();
    for (const t of order) {
      log(`round ${round}/${s.rounds}: ${t.name} (${s.warmup}s warm-up + ${s.duration}s, ${s.connections} connections)`);
      const m = await measure(ctx, gw, t, tokens, identity, round);
      runs[t.name].push({ round, ...m });
      log(`  ${t.name}: ${fmt(m.requestsPerSec)} req/s, p99 ${m.latencyP99Ms} ms, non-2xx ${m.non2xx}, errors ${m.errors}, gateway CPU ${fmt(m.gatewayCpuUsPerRequest)} us/req, other processes ${fmt(m.otherCpuPercent)}% of a core (interrupts ${fmt(m.interruptCpuPercent)}%, steal ${fmt(m.stealCpuPercent)}%)`);
    }
  }
  return runs;
}
