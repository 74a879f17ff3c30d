/**
 * End-to-end throughput of the guard: four Express Gateway pipelines in one gateway process, in
 * front of the same echo upstream, differing only in their auth policy (noauth: proxy only; guard:
 * portcullis-guard + proxy; foreign: portcullis-guard with a token of a local JWKS issuer the
 * application trusts; egjwt: Express Gateway's jwt policy, RS256 with Portcullis' key). guard,
 * egjwt and foreign are measured warm (one token) and cold (BENCH_TOKENS distinct ones in rotation).
 *
 * Usage: npm run build && npm run bench   (= tsx bench/gateway/main.ts; bench/README.md explains the output)
 * Env:   BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3; 0 skips), BENCH_CONNECTIONS (10),
 *        BENCH_ROUNDS (3), BENCH_PIPELINING (1), BENCH_RATE (req/s, default 0 = as fast as possible:
 *        fixed-rate mode, compare CPU per request and latency), BENCH_QUIET_WAIT (s, default 20; 0
 *        disables) / BENCH_QUIET_PERCENT (25): before each run, wait until other processes use less
 *        than that % of a core, BENCH_SAME_UPSTREAM=1 (noauth and egjwt requests also carry the guard's
 *        identity headers), BENCH_CPU_PROF=1 (profile the gateway during each measured run; slower),
 *        BENCH_KEEP_TMP=1 (keep the temp dir), BENCH_TOKENS (5000: distinct tokens per cold target).
 *        Everything listens on 127.0.0.1 only.
 */
import path from 'node:path';
import { closeContext, closeOnSignals, createContext, log } from './context';
import { stopGateway } from './gateway';
import { loadAverageBefore } from './quiet';
import { formatTable, invalidTargets, ratios, summarise } from './report';
import { distFingerprint, requireDist, writeResults } from './results';
import { measureRounds, warmUp } from './rounds';
import { sanityCheck } from './sanity';
import { settingsFromEnv } from './settings';
import { startBench } from './setup';

async function main(): Promise<void> {
  requireDist();
  const settings = settingsFromEnv();
  const distAtStart = distFingerprint();
  const ctx = await createContext(settings);
  closeOnSignals(ctx);
  let foreign: { close(): Promise<void> } | undefined;
  try {
    log(`settings: ${JSON.stringify(settings.load)}, ${settings.coldTokens} cold tokens; temp dir ${ctx.dir}`);
    const loadBefore = loadAverageBefore();
    const { gw, tokens, clientId, foreignIssuer } = await startBench(ctx);
    foreign = foreignIssuer;
    const identity = await sanityCheck(ctx, tokens, clientId);
    await warmUp(ctx, tokens, identity);
    const runs = await measureRounds(ctx, gw, tokens, identity);
    // A gateway that died or started answering errors mid-run would make the numbers meaningless.
    await sanityCheck(ctx, tokens, clientId);
    await stopGateway(ctx, gw);

    const summary = summarise(runs);
    const rs = ratios(summary, runs);
    process.stdout.write(formatTable(summary, rs, settings.load));
    const distNow = distFingerprint();
    if (distNow && distAtStart && distNow.sha256 !== distAtStart.sha256) process.stdout.write('NOTE: dist/ changed during the run (someone rebuilt); the gateway kept the code it loaded at start.\n');
    const out = writeResults({ settings, distAtStart, loadBefore }, summary, rs);
    log(`results written to ${path.relative(process.cwd(), out) || out}`);
    if (ctx.profDir) log(`CPU profiles of the gateway (one per measured run) in ${ctx.profDir}; summarise with node bench/profile-summary.js <file>`);
    const invalid = invalidTargets(summary);
    if (invalid.length) throw new Error(`non-2xx responses or errors during measurement for: ${invalid.join(', ')}; the figures are not valid`);
  } catch (err) {
    ctx.failed = true; // keeps the temp dir and its gateway logs
    throw err;
  } finally {
    await closeContext(ctx);
    await foreign?.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
