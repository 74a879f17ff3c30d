/**
 * `npm run bench:standalone`: the guard as plain Express middleware (Portcullis's `src/index.ts`
 * API, a local JWKS issuer configured as a trusted issuer) against express-oauth2-jwt-bearer,
 * express-jwt + jwks-rsa and no auth, on the same RS256 tokens, warm (one token) and cold
 * (BENCH_TOKENS distinct tokens in rotation); plus the guard in front of an opaque-token issuer
 * with introspection. Method and settings: bench/README.md, "Standalone".
 *
 * 1. Starts server.ts as a child process (the contenders must not share the load generator's
 *    event loop) and reads its ports and tokens.
 * 2. Sanity checks: good tokens pass, tampered ones and none are refused; otherwise it aborts.
 * 3. A process warm-up of every case, then interleaved rounds, order reversed every other round, each run after its own warm-up.
 * 4. Prints req/s per contender and the guard/x ratios with their spread over rounds, and how
 *    many introspection requests the issuer saw; writes bench/results/standalone-latest.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { CONTENDERS, type ContenderName } from './contenders';
import { caseId, run, type Case, type RunResult } from './measure';
import { printTable, ratios } from './report';
import { sanity } from './sanity';
import { readSettings } from './settings';
import type { Tokens } from './tokens';

const ROOT = path.resolve(__dirname, '../..');

interface Info {
  ports: Record<ContenderName, number>;
  control: number;
  tokens: Tokens;
}

function startServer(infoFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'server.ts'), infoFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
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

async function main(): Promise<void> {
  const settings = readSettings();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'portcullis-standalone-'));
  const infoFile = path.join(tmp, 'info.json');
  console.log(`signing ${settings.tokens + 1} tokens and starting the contenders...`);
  const child = await startServer(infoFile);
  const load = new Load();
  const stop = () => {
    load.stop();
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as Info;
    const problems = await sanity(info.ports, info.tokens);
    if (problems.length) throw new Error(`sanity checks failed:\n  ${problems.join('\n  ')}`);
    console.log('sanity checks passed: every contender accepts good tokens; the authenticating ones refuse tampered and missing tokens');

    const cases: Case[] = CONTENDERS.filter((c) => c !== 'guard-introspect').flatMap((contender) => [
      { contender, cache: 'warm' as const },
      { contender, cache: 'cold' as const },
    ]);
    cases.push({ contender: 'guard-introspect', cache: 'warm' });
    // Counted from here, so the warm-up's first sightings of the opaque tokens are in the count.
    const startedAt = Date.now();
    const introspectionBefore = await introspectionRequests(info.control);
    // Process warm-up, unmeasured: JIT and the first sighting of every token (as the gateway bench).
    for (const c of cases) await run(load, info.ports[c.contender], c, info.tokens, settings, Math.max(settings.warmup, 2));
    const rounds: Array<Record<string, RunResult>> = [];
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 ? [...cases].reverse() : cases;
      const results: Record<string, RunResult> = {};
      for (const c of order) {
        const port = info.ports[c.contender];
        if (settings.warmup) await run(load, port, c, info.tokens, settings, settings.warmup);
        results[caseId(c)] = await run(load, port, c, info.tokens, settings, settings.duration);
        console.log(`round ${round + 1}  ${caseId(c).padEnd(24)} ${results[caseId(c)].rps.toFixed(0)} req/s`);
      }
      rounds.push(results);
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const introspections = (await introspectionRequests(info.control)) - introspectionBefore;
    const opaqueTokens = info.tokens.opaque.length;
    const periods = Math.ceil(seconds / settings.introspectionCacheSeconds);
    const introspectionLine = `introspection: ${introspections} requests at the issuer for ${opaqueTokens} opaque tokens over ${seconds.toFixed(0)} s ` +
      `(cacheSeconds ${settings.introspectionCacheSeconds}: at most ~${opaqueTokens * periods} expected, the sanity checks' 2 before are not counted)`;

    const ratioList = ratios(rounds);
    console.log(`\nstandalone, ${settings.rounds} rounds x ${settings.duration} s, ${settings.connections} connections, ${settings.tokens} cold tokens, load average before ${os.loadavg()[0].toFixed(1)} (${os.cpus().length} cores)\n`);
    console.log(printTable(cases, rounds, ratioList, introspectionLine));

    const invalid = rounds.some((r) => Object.values(r).some((x) => x.non2xx || x.errors));
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/standalone-latest.json'), JSON.stringify({
      date: new Date().toISOString(), valid: !invalid, settings, cores: os.cpus().length, loadAverage: os.loadavg(),
      rounds, ratios: ratioList, introspection: { requests: introspections, opaqueTokens, seconds, cacheSeconds: settings.introspectionCacheSeconds },
    }, null, 2));
    if (invalid) {
      console.error('\nsome runs had non-2xx answers or errors: these figures measured an error path');
      process.exitCode = 1;
    }
  } finally {
    stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
