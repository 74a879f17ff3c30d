import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { timedSuite, type SuiteResult } from '../common/suite';
import { CONTENDERS, type ContenderName } from './contenders';
import { caseId, run as runCase, type Case, type RunResult } from './measure';
import { printTable, ratios } from './report';
import { standaloneRows } from './rows';
import { sanity } from './sanity';
import type { StandaloneSettings } from './settings';
import type { Tokens } from './tokens';

const ROOT = path.resolve(__dirname, '../..');

interface Info {
  ports: Record<ContenderName, number>;
  control: number;
  tokens: Tokens;
}

function startServer(infoFile: string, settings: StandaloneSettings): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'server.ts'), infoFile, JSON.stringify(settings)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the contenders' process exited (${code}) before it was ready`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

async function introspectionRequests(control: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${control}/`);
  return ((await res.json()) as { introspectionRequests: number }).introspectionRequests;
}

/** Every case, or those BENCH_STANDALONE_CASES names (`guard/warm`, `oauth2-bearer/cold`, ...). */
function casesOf(settings: StandaloneSettings): Case[] {
  const all: Case[] = CONTENDERS.filter((c) => c !== 'guard-introspect').flatMap((contender) => [
    { contender, cache: 'warm' as const },
    { contender, cache: 'cold' as const },
  ]);
  all.push({ contender: 'guard-introspect', cache: 'warm' });
  if (!settings.cases) return all;
  const unknown = settings.cases.filter((id) => !all.some((c) => caseId(c) === id));
  if (unknown.length) throw new Error(`BENCH_STANDALONE_CASES: unknown case(s) ${unknown.join(', ')}; known: ${all.map(caseId).join(', ')}`);
  return all.filter((c) => settings.cases!.includes(caseId(c)));
}

/**
 * The standalone suite (bench/standalone/README.md): the contenders' process, sanity checks, a
 * process warm-up of every case, interleaved rounds; prints its table and writes
 * bench/results/standalone-latest.json.
 */
export async function run(settings: StandaloneSettings): Promise<SuiteResult> {
  return timedSuite('standalone', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'portcullis-standalone-'));
    const infoFile = path.join(tmp, 'info.json');
    const cases = casesOf(settings);
    console.log(`signing ${settings.tokens + 1} tokens and starting the contenders...`);
    const child = await startServer(infoFile, settings);
    const load = new Load();
    const stop = () => {
      load.stop();
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    };
    const onSignal = () => {
      stop();
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    try {
      const info = JSON.parse(readFileSync(infoFile, 'utf8')) as Info;
      const problems = await sanity(info.ports, info.tokens);
      if (problems.length) throw new Error(`sanity checks failed:\n  ${problems.join('\n  ')}`);
      console.log('sanity checks passed: every contender accepts good tokens; the authenticating ones refuse tampered and missing tokens');
      const pid = child.pid!;
      // Counted from here, so the warm-up's first sightings of the opaque tokens are in the count.
      const startedAt = Date.now();
      const introspectionBefore = await introspectionRequests(info.control);
      // Process warm-up, unmeasured: JIT and the first sighting of every token (as the gateway bench).
      for (const c of cases) await runCase(load, info.ports[c.contender], c, info.tokens, settings, Math.max(settings.warmup, 2), pid);
      const rounds: Array<Record<string, RunResult>> = [];
      for (let round = 0; round < settings.rounds; round++) {
        const order = round % 2 ? [...cases].reverse() : cases;
        const results: Record<string, RunResult> = {};
        for (const c of order) {
          const port = info.ports[c.contender];
          if (settings.warmup) await runCase(load, port, c, info.tokens, settings, settings.warmup, pid);
          const r = (results[caseId(c)] = await runCase(load, port, c, info.tokens, settings, settings.duration, pid));
          console.log(`round ${round + 1}  ${caseId(c).padEnd(24)} ${r.rps.toFixed(0)} req/s, server CPU ${r.cpuUs?.toFixed(0)} µs/req`);
        }
        rounds.push(results);
      }
      const seconds = (Date.now() - startedAt) / 1000;
      const introspections = (await introspectionRequests(info.control)) - introspectionBefore;
      const opaqueTokens = info.tokens.opaque.length;
      const periods = Math.ceil(seconds / settings.introspectionCacheSeconds);
      const introspected = cases.some((c) => c.contender === 'guard-introspect');
      const introspectionLine = introspected ? `introspection: ${introspections} requests at the issuer for ${opaqueTokens} opaque tokens over ${seconds.toFixed(0)} s ` +
        `(cacheSeconds ${settings.introspectionCacheSeconds}: at most ~${opaqueTokens * periods} expected, the sanity checks' 2 before are not counted)` : '';

      const ratioList = ratios(rounds);
      console.log(`\nstandalone, ${settings.rounds} rounds x ${settings.duration} s, ${settings.connections} connections, ${settings.tokens} cold tokens, load average ${os.loadavg()[0].toFixed(1)} (${os.cpus().length} cores)\n`);
      console.log(printTable(cases, rounds, ratioList, introspectionLine));

      const valid = !rounds.some((r) => Object.values(r).some((x) => x.non2xx || x.errors));
      const data = {
        date: new Date().toISOString(), valid, settings, cores: os.cpus().length, loadAverage: os.loadavg(),
        rounds, ratios: ratioList, introspection: { requests: introspections, opaqueTokens, seconds, cacheSeconds: settings.introspectionCacheSeconds },
      };
      mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
      writeFileSync(path.join(ROOT, 'bench/results/standalone-latest.json'), JSON.stringify(data, null, 2));
      if (!valid) console.error('\nsome runs had non-2xx answers or errors: these figures measured an error path');
      return { valid, rows: standaloneRows(rounds, settings), data };
    } finally {
      process.off('SIGINT', onSignal);
      stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
