import path from 'node:path';
import { timedSuite, type SuiteResult } from '../common/suite';
import { closeContext, closeOnSignals, createContext, log } from './context';
import { stopGateway } from './gateway';
import { loadAverageBefore } from './quiet';
import { formatTable, invalidTargets, ratios, summarise } from './report';
import { distFingerprint, requireDist, resultsOf, writeResults } from './results';
import { measureRounds, warmUp } from './rounds';
import { gatewayRows } from './rows';
import { sanityCheck } from './sanity';
import type { GatewaySettings } from './settings';
import { startBench } from './setup';

/**
 * The gateway suite, start to end (bench/gateway/README.md, "What it does"): set-up, sanity checks,
 * process warm-up, interleaved rounds, the checks again; prints its own table and writes
 * bench/results/gateway.json. Every child is stopped by PID, also on error.
 */
export async function run(settings: GatewaySettings): Promise<SuiteResult> {
  return timedSuite('gateway', async () => {
    requireDist();
    const distAtStart = distFingerprint();
    const ctx = await createContext(settings);
    const offSignals = closeOnSignals(ctx);
    let foreign: { close(): Promise<void> } | undefined;
    try {
      log(`settings: ${JSON.stringify(settings.load)}, ${settings.coldTokens} cold tokens, targets ${settings.targets.join(',')}; temp dir ${ctx.dir}`);
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
      const data = resultsOf({ settings, distAtStart, loadBefore }, summary, rs);
      const out = writeResults(data);
      log(`results written to ${path.relative(process.cwd(), out) || out}`);
      if (ctx.profDir) log(`CPU profiles of the gateway (one per measured run) in ${ctx.profDir}; summarise with node bench/profile-summary.js <file>`);
      const invalid = invalidTargets(summary);
      if (invalid.length) log(`non-2xx responses or errors during measurement for: ${invalid.join(', ')}; the figures are not valid`);
      return { valid: invalid.length === 0, rows: gatewayRows(runs, settings), data };
    } catch (err) {
      ctx.failed = true; // keeps the temp dir and its gateway logs
      throw err;
    } finally {
      await closeContext(ctx);
      await foreign?.close();
      offSignals();
    }
  });
}
