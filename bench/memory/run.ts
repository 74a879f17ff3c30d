import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { fmt } from '../common/report';
import { spreadOf, targetRow, timedSuite, type SuiteResult, type TargetRow } from '../common/suite';
import { tokenCacheBudget } from './guard-settings';
import { runCase, type CaseResult } from './run-case';
import type { MemorySettings } from './settings';

const ROOT = path.resolve(__dirname, '..', '..');
const LABEL: Record<string, string> = { 'own-es256': "Portcullis's own, ES256", 'own-rs256': "Portcullis's own, RS256", 'trusted-es256': 'trusted issuer, ES256', 'trusted-rs256': 'trusted issuer, RS256' };

function rowOf(c: CaseResult): TargetRow {
  const all = c.held >= c.tokens * 0.99;
  return targetRow({
    key: `memory.${c.name}`,
    measure: `memory per 100,000 verified tokens in the cache (${LABEL[c.name]})`,
    portcullis: `+${fmt(c.deltaMiB, 1)} MiB heap for ${c.tokens.toLocaleString('en-US')} tokens`,
    comparison: `held ${c.held.toLocaleString('en-US')} (${c.heldFrom === 'counters' ? 'cache hits counted' : c.heldFrom === 'cache size' ? 'cache size' : 'CPU estimate'})`,
    figure: spreadOf([c.per100kMiB]),
    cpu: `miss ${fmt(c.firstPass.cpuUsPerRequest)} / hit ${fmt(c.secondPass.cpuUsPerRequest)} µs`,
    target: { op: '<=', value: 24, unit: 'MiB' },
    alsoRequired: all,
    ...(all ? {} : { note: `the cache held ${c.held.toLocaleString('en-US')} of ${c.tokens.toLocaleString('en-US')} tokens${c.cacheBudgetMiB ? ` with a ${c.cacheBudgetMiB} MiB budget` : ' (no tokenCache.maxMiB setting in dist: its fixed size)'}; the figure is per entry the cache gained x 100,000, and the target needs all of them held` }),
  });
}

/**
 * The memory suite (bench/memory/README.md): for each case, the live heap of the guard's process
 * before and after 100,000 distinct tokens went through it, per 100,000 tokens the cache held.
 * Prints its table and writes bench/results/memory.json.
 */
export async function run(s: MemorySettings): Promise<SuiteResult> {
  return timedSuite('memory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-memory-'));
    const load = new Load();
    const onSignal = () => {
      load.stop();
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    try {
      const budget = tokenCacheBudget(s.cacheMiB);
      process.stderr.write(`[bench:memory] ${s.tokens} tokens per case, cases ${s.cases.join(', ')}; token cache budget: ${budget ? `tokenCache.maxMiB ${budget}` : 'no tokenCache setting in dist (the defaults)'}\n`);
      const cases: CaseResult[] = [];
      for (const name of s.cases) cases.push(await runCase(name, s, load, dir, budget));
      const valid = cases.every((c) => [c.firstPass, c.secondPass].every((p) => !p.non2xx && !p.errors && p.requests >= c.tokens));
      const data = { date: new Date().toISOString(), node: process.version, settings: s, tokenCacheBudgetMiB: budget, valid, cases };
      fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
      fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'memory.json'), JSON.stringify(data, null, 2) + '\n');
      return { valid, rows: cases.map(rowOf), data };
    } finally {
      process.off('SIGINT', onSignal);
      load.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
