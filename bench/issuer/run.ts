import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { ProcessGroup } from '../common/processes';
import { timedSuite, type SuiteResult } from '../common/suite';
import type { IssuerUnderTest } from './issuer-under-test';
import { startIssuers } from './issuers';
import { memoryOf, type Memory } from './memory';
import { targetsOf } from './operations';
import { formatReport, ratios, summarise } from './report';
import { measureRounds } from './rounds';
import { issuerRows } from './rows';
import { sanityCheck } from './sanity';
import type { BenchSettings } from './settings';
import { signer, type SigningRun } from './signing';

const log = (m: string) => process.stderr.write(`[bench:issuer] ${m}\n`);

/**
 * The issuer suite (bench/issuer/README.md, "Method"): every issuer process up, sanity checks,
 * interleaved rounds with signing alone measured after each, the checks again, memory; prints
 * its tables and writes bench/results/issuer.json. Every process is stopped by PID, its Redis keys deleted.
 */
export async function run(settings: BenchSettings): Promise<SuiteResult> {
  return timedSuite('issuer', async () => {
    const startedAt = Date.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-issuer-'));
    log(`settings ${JSON.stringify(settings)}; temp dir ${dir}`);
    const procs = new ProcessGroup();
    const load = new Load();
    let issuers: IssuerUnderTest[] = [];
    const closeAll = async () => {
      load.stop();
      await Promise.allSettled(issuers.map((i) => i.close())); // stops each by PID, deletes its Redis keys
      await procs.stopAll();
      if (issuers.some((i) => i.profDir)) log(`CPU profiles kept in ${path.join(dir, 'cpu-prof')}; summarise with node bench/profile-summary.js`);
      else if (!settings.keepTmp) fs.rmSync(dir, { recursive: true, force: true });
    };
    const onSignal = () => void closeAll().finally(() => process.exit(130));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
    try {
      issuers = await startIssuers(settings, dir, procs);
      const targets = targetsOf(issuers, settings.only);
      for (const t of targets) await sanityCheck(t);
      log(`sanity checks passed for ${targets.length} targets (200 with a token of the right algorithm; a wrong secret is 401 invalid_client)`);
      const sign = await signer();
      const signing: SigningRun[][] = [];
      // Signing alone after each round, while the issuers are idle: the floor under their CPU per token.
      const runs = await measureRounds(load, targets, settings, async (round) => {
        const runsOfRound = [await sign.measure('RS256', settings.signMs), await sign.measure('ES256', settings.signMs)];
        signing.push(runsOfRound);
        log(`round ${round + 1}: signing alone ${runsOfRound.map((r) => `${r.alg} ${r.cpuUsPerSign.toFixed(0)} µs CPU/sign`).join(', ')}`);
      });
      for (const t of targets) await sanityCheck(t);
      log('sanity checks passed again after the measurements');

      const memory: Record<string, Memory> = {};
      for (const i of issuers) memory[`${i.product} (${i.algs.join('+')})`] = await memoryOf(i);
      const summary = summarise(targets, runs);
      const rs = ratios(summary);
      process.stdout.write(formatReport(summary, rs, memory));
      const valid = summary.every((s) => s.non2xx === 0 && s.errors === 0);
      const data = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, settings, valid, summary, ratios: rs, signing, memoryMiB: memory };
      const out = path.join(__dirname, '..', 'results', 'issuer.json');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, JSON.stringify(data, null, 2) + '\n');
      log(`results written to ${out} (${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
      if (!valid) log('non-2xx answers or errors during the measurements: the figures are not valid');
      return { valid, rows: issuerRows(summary, signing), data };
    } finally {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
      await closeAll();
    }
  });
}
