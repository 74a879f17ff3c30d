/**
 * Issuer throughput: Portcullis (SQLite, Redis) beside node-oidc-provider 9, same machine, same
 * run. `npm run bench:issuer`; settings and method in bench/README.md ("Issuer throughput").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { ProcessGroup } from '../common/processes';
import type { IssuerUnderTest } from './issuer-under-test';
import { startIssuers } from './issuers';
import { memoryOf, type Memory } from './memory';
import { targetsOf } from './operations';
import { formatReport, ratios, summarise } from './report';
import { measureRounds } from './rounds';
import { sanityCheck } from './sanity';
import { settingsFromEnv } from './settings';

const log = (m: string) => process.stderr.write(`[bench:issuer] ${m}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const settings = settingsFromEnv();
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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void closeAll().finally(() => process.exit(130)));
  try {
    issuers = await startIssuers(settings, dir, procs);
    const targets = targetsOf(issuers, settings.only);
    for (const t of targets) await sanityCheck(t);
    log(`sanity checks passed for ${targets.length} targets (200 with a token of the right algorithm; a wrong secret is 401 invalid_client)`);
    const runs = await measureRounds(load, targets, settings);
    for (const t of targets) await sanityCheck(t);
    log('sanity checks passed again after the measurements');

    const memory: Record<string, Memory> = {};
    for (const i of issuers) memory[`${i.product} (${i.algs.join('+')})`] = await memoryOf(i);
    const summary = summarise(targets, runs);
    const rs = ratios(summary);
    process.stdout.write(formatReport(summary, rs, memory));
    const valid = summary.every((s) => s.non2xx === 0 && s.errors === 0);
    const out = path.join(__dirname, '..', 'results', 'issuer.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, settings, valid, summary, ratios: rs, memoryMiB: memory }, null, 2) + '\n');
    log(`results written to ${out} (${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
    if (!valid) throw new Error('non-2xx answers or errors during the measurements: the figures are not valid');
  } finally {
    await closeAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:issuer failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
