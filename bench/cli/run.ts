import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intFromEnv } from '../common/env';
import { fmt, median, table } from '../common/report';
import { spreadOf, targetRow, timedSuite, type Defaults, type SuiteResult } from '../common/suite';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
/** Issue 12: `clients list --json` in at most 0.25 s (issue 11's was 0.5 s). */
const TARGET_MS = 250;

export interface CliSettings {
  runs: number;
  warmup: number;
  /** Also time `npx portcullis clients list --json` (BENCH_CLI_NPX, 1; npm's own second or so each time). */
  npx: boolean;
}

/** `defaults`: what `npm run bench` gives the suite, under the variables. */
export function cliSettings(defaults: Defaults = {}): CliSettings {
  const d = (name: string, fallback: number) => (typeof defaults[name] === 'number' ? (defaults[name] as number) : fallback);
  return {
    runs: intFromEnv('BENCH_CLI_RUNS', d('BENCH_CLI_RUNS', 21)),
    warmup: intFromEnv('BENCH_CLI_WARMUP', d('BENCH_CLI_WARMUP', 3), 0),
    npx: intFromEnv('BENCH_CLI_NPX', d('BENCH_CLI_NPX', 1), 0) === 1,
  };
}

/** CPU time (user + system) of this process's waited-for children so far, in ms (Linux /proc, USER_HZ = 100). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Row {
  name: string;
  /** Arguments of `node`, or with `file`, of that program. */
  command: string[];
  env: NodeJS.ProcessEnv;
  file?: string;
}

/** Runs one command to the end: its wall time and CPU time in ms. A failing command stops the benchmark. */
function timed(command: string[], env: NodeJS.ProcessEnv, file = process.execPath): { wallMs: number; cpuMs: number } {
  const cpu = childrenCpuMs();
  const start = process.hrtime.bigint();
  const run = spawnSync(file, command, { env, encoding: 'utf8', cwd: ROOT });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu };
}

/** Every row's runs, interleaved (one run of each row per round), so that a load that comes and goes is shared by all. */
function measure(rows: Row[], s: CliSettings): Array<Array<{ wallMs: number; cpuMs: number }>> {
  for (const row of rows) for (let i = 0; i < s.warmup; i++) timed(row.command, row.env, row.file);
  const runs = rows.map(() => [] as Array<{ wallMs: number; cpuMs: number }>);
  for (let round = 0; round < s.runs; round++) rows.forEach((row, i) => runs[i].push(timed(row.command, row.env, row.file)));
  return runs;
}

/** The CLI suite: every row's runs interleaved; prints its table and writes bench/results/cli.json. */
export function run(s: CliSettings): Promise<SuiteResult> {
  return timedSuite('cli', async () => measureAll(s));
}

function measureAll(s: CliSettings) {
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
    // As the docs write it: npm's own work (it links the package's bin into its npx cache) comes on top.
    if (s.npx) rows.push({ name: 'npx portcullis clients list --json', command: ['portcullis', 'clients', 'list', '--json'], env, file: 'npx' });
    const other = process.env.BENCH_CLI_OTHER_BIN;
    if (other) rows.push({ name: `clients list --json (${other})`, command: [path.resolve(other), 'clients', 'list', '--json'], env });
    const redisUrl = process.env.BENCH_CLI_REDIS_URL;
    if (redisUrl) {
      const redisEnv = { ...env, PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: redisUrl, PORTCULLIS_REDIS_PREFIX: `bench-cli:${process.pid}:` };
      rows.push({ name: 'portcullis clients list --json (Redis)', command: [BIN, 'clients', 'list', '--json'], env: redisEnv });
    }
    const load = os.loadavg()[0];
    const measured = measure(rows, s);
    const results = rows.map((row, i) => {
      const runs = measured[i];
      const wall = runs.map((r) => r.wallMs);
      return { name: row.name, runs: runs.length, medianMs: median(wall)!, minMs: Math.min(...wall), maxMs: Math.max(...wall), medianCpuMs: median(runs.map((r) => r.cpuMs))!, wallMs: wall };
    });
    const printed = [
      ['command', 'runs', 'median ms', 'min ms', 'max ms', 'median CPU ms'],
      ...results.map((r) => [r.name, String(r.runs), fmt(r.medianMs), fmt(r.minMs), fmt(r.maxMs), fmt(r.medianCpuMs)]),
    ];
    process.stdout.write(`${table(printed)}\n`);
    const list = results.find((r) => r.name === 'portcullis clients list --json')!;
    process.stdout.write(`\nclients list --json: median ${fmt(list.medianMs)} ms (target at most ${TARGET_MS} ms: ${list.medianMs <= TARGET_MS ? 'met' : 'not met'}); load average before: ${load.toFixed(2)} on ${os.cpus().length} cores, node ${process.version}\n`);
    const out = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    const data = { at: new Date().toISOString(), node: process.version, cores: os.cpus().length, loadAverage: load, targetMs: TARGET_MS, results };
    fs.writeFileSync(path.join(out, 'cli.json'), JSON.stringify(data, null, 2) + '\n');
    const node = results.find((r) => r.name === 'node -e 0')!;
    const row = targetRow({
      key: 'cli.clients-list-json',
      measure: 'CLI command (`clients list --json`), wall time',
      portcullis: `${fmt(list.medianMs)} ms`,
      comparison: `node -e 0 ${fmt(node.medianMs)} ms`,
      figure: spreadOf(list.wallMs.map((ms) => ms / 1000)),
      cpu: `${fmt(list.medianCpuMs)} ms CPU / node ${fmt(node.medianCpuMs)} ms`,
      target: { op: '<=', value: TARGET_MS / 1000, unit: 's' },
    });
    return { valid: true, rows: [row], data };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

