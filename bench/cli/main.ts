/**
 * How long one CLI command takes, as an operator waits for it: the median wall time of
 * `node bin/portcullis.js clients list --json` (issue 11: under 0.5 s) over BENCH_CLI_RUNS runs,
 * against an SQLite store in a temp folder that holds one client, beside `node -e 0` (Node's own
 * start, which no command can go under), `--version` and `--help` (the command line alone).
 * With BENCH_CLI_REDIS_URL set (a scratch Redis on 127.0.0.1), also the same command against
 * that Redis: its records go under a key prefix of their own (`bench-cli:<pid>:`) and are left
 * there.
 *
 *   npm run build && npx tsx bench/cli/main.ts
 *
 * Prints a table and writes bench/results/cli.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intFromEnv } from '../common/env';
import { fmt, median, table } from '../common/report';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const RUNS = intFromEnv('BENCH_CLI_RUNS', 21);
const WARMUP = intFromEnv('BENCH_CLI_WARMUP', 3, 0);
const TARGET_MS = 500;

interface Row {
  name: string;
  command: string[];
  env: NodeJS.ProcessEnv;
}

/** Runs one command to the end and returns its wall time in ms; a failing command stops the benchmark. */
function timed(command: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, command, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

function measure(row: Row): number[] {
  for (let i = 0; i < WARMUP; i++) timed(row.command, row.env);
  return Array.from({ length: RUNS }, () => timed(row.command, row.env));
}

function main(): void {
  for (const file of ['dist/cli/main.js', 'dist/config/settings-validate.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_SQLITE_PATH: path.join(dir, 'portcullis.db'), PORTCULLIS_LOG_LEVEL: 'warn' };
  delete env.PORTCULLIS_ADMIN_USERNAME;
  delete env.PORTCULLIS_ADMIN_PASSWORD;
  try {
    // One client to list; the first command also creates the store, its signing key and hash key.
    timed([BIN, 'clients', 'create', '--name', 'bench', '--application', 'echo', '--role', 'echo-reader', '--json'], env);
    const rows: Row[] = [
      { name: 'node -e 0', command: ['-e', '0'], env },
      { name: 'portcullis --version', command: [BIN, '--version'], env },
      { name: 'portcullis --help', command: [BIN, '--help'], env },
      { name: 'portcullis clients list --json', command: [BIN, 'clients', 'list', '--json'], env },
    ];
    const redisUrl = process.env.BENCH_CLI_REDIS_URL;
    if (redisUrl) {
      const redisEnv = { ...env, PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: redisUrl, PORTCULLIS_REDIS_PREFIX: `bench-cli:${process.pid}:` };
      rows.push({ name: 'portcullis clients list --json (Redis)', command: [BIN, 'clients', 'list', '--json'], env: redisEnv });
    }
    const load = os.loadavg()[0];
    const results = rows.map((row) => {
      const times = measure(row);
      return { name: row.name, runs: times.length, medianMs: median(times)!, minMs: Math.min(...times), maxMs: Math.max(...times) };
    });
    const printed = [['command', 'runs', 'median ms', 'min ms', 'max ms'], ...results.map((r) => [r.name, String(r.runs), fmt(r.medianMs), fmt(r.minMs), fmt(r.maxMs)])];
    process.stdout.write(`${table(printed)}\n`);
    const list = results.find((r) => r.name === 'portcullis clients list --json')!;
    process.stdout.write(`\nclients list --json: median ${fmt(list.medianMs)} ms (target under ${TARGET_MS} ms: ${list.medianMs < TARGET_MS ? 'met' : 'not met'}); load average before: ${load.toFixed(2)} on ${os.cpus().length} cores, node ${process.version}\n`);
    const out = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'cli.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, cores: os.cpus().length, loadAverage: load, targetMs: TARGET_MS, results }, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
