/**
 * Issuer throughput: Portcullis (SQLite, Redis) beside node-oidc-provider 9, same machine, same
 * run. `npm run bench:issuer`; settings and method in bench/README.md ("Issuer throughput").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIssuers } from './issuers';
import { loadGenerator } from './load';
import { run, stopLoad, type RunResult } from './measure';
import { targetsOf } from './operations';
import { profiled } from './profile';
import { memoryOf, type Memory } from './memory';
import { stopAll } from './processes';
import { formatReport, ratios, summarise } from './report';
import { sanityCheck } from './sanity';
import { settingsFromEnv } from './settings';

const log = (m: string) => process.stderr.write(`[bench:issuer] ${m}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const settings = settingsFromEnv();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-issuer-'));
  log(`settings ${JSON.stringify(settings)}; temp dir ${dir}`);
  const issuers = await startIssuers(settings, dir);
  const closeAll = async () => {
    stopLoad();
    await Promise.allSettled(issuers.map((i) => i.close()));
    await stopAll();
    if (issuers.some((i) => i.profDir)) log(`CPU profiles kept in ${path.join(dir, 'cpu-prof')}; summarise with node bench/profile-summary.js`);
    else if (!settings.keepTmp) fs.rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void closeAll().finally(() => process.exit(130)));
  try {
    const targets = targetsOf(issuers, settings.only);
    for (const t of targets) await sanityCheck(t);
    log(`sanity checks passed for ${targets.length} targets (200 with a token of the right algorithm; a wrong secret is 401 invalid_client)`);

    const generators = new Map(targets.map((t) => [t.name, loadGenerator(t, settings.connections)]));
    const rates = new Map<string, number>();
    const runs = new Map<string, RunResult[]>(targets.map((t) => [t.name, []]));
    // Interleaved rounds, alternating order, so that drift and neighbours hit every target alike.
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const gen = generators.get(t.name)!;
        if (settings.warmup > 0) {
          const w = await run(t, await gen.plan(settings.warmup, rates.get(t.name) ?? 200), settings.connections);
          rates.set(t.name, Math.max(rates.get(t.name) ?? 0, w.requestsPerSec));
        }
        const plan = await gen.plan(settings.duration, rates.get(t.name) ?? 200);
        const m = await profiled(t.issuer, `round${round + 1}-${t.operation}`, () => run(t, plan, settings.connections));
        rates.set(t.name, Math.max(rates.get(t.name) ?? 0, m.requestsPerSec));
        runs.get(t.name)!.push(m);
        log(`round ${round + 1}/${settings.rounds} ${t.name}: ${m.requestsPerSec.toFixed(0)} req/s, server CPU ${m.serverCpuUsPerRequest?.toFixed(0)} us/req, p99 ${m.latencyP99Ms} ms, non-2xx ${m.non2xx}, errors ${m.errors}, RSS ${m.serverRssMiB?.toFixed(0)} MiB, other processes ${m.otherCpuPercent?.toFixed(0)}% of a core`);
      }
    }
    for (const t of targets) await sanityCheck(t);
    log('sanity checks passed again after the measurements');

    const rss: Record<string, Memory> = {};
    for (const i of issuers) rss[`${i.product} (${i.algs.join('+')})`] = await memoryOf(i);
    const summary = summarise(targets, runs);
    const rs = ratios(summary);
    process.stdout.write(formatReport(summary, rs, rss));
    const valid = summary.every((s) => s.non2xx === 0 && s.errors === 0);
    const out = path.join(__dirname, '..', 'results', 'issuer.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, settings, valid, summary, ratios: rs, rssMiB: rss }, null, 2) + '\n');
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
