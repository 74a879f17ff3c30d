import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOST } from '../common/processes';
import type { GatewaySettings } from './settings';
import { invalidTargets, verdicts, type Ratios, type Summary } from './report';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'gateway.json');

export interface DistFingerprint {
  sha256: string;
  newestFile: string;
}

/** The gateway runs the compiled code: fail early, with the fix, when there is none. */
export function requireDist(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
}

/** A hash of the compiled code measured (dist/ may be rebuilt between runs), and its newest file time. */
export function distFingerprint(): DistFingerprint | undefined {
  const hash = createHash('sha256');
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) {
        hash.update(path.relative(ROOT, full)).update(fs.readFileSync(full));
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  try {
    walk(path.join(ROOT, 'dist'));
    return { sha256: hash.digest('hex').slice(0, 16), newestFile: new Date(newest).toISOString() };
  } catch {
    return undefined;
  }
}

/** The commit checked out (read from .git, no git process). */
export function gitCommit(): string | undefined {
  try {
    // A worktree's .git is a file pointing at its git dir; HEAD lives there, refs in the common dir.
    let gitDir = path.join(ROOT, '.git');
    if (fs.statSync(gitDir).isFile()) gitDir = path.resolve(ROOT, fs.readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim());
    const commonFile = path.join(gitDir, 'commondir');
    const common = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    for (const dir of [gitDir, common]) {
      const loose = path.join(dir, ref);
      if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    }
    const packed = fs.readFileSync(path.join(common, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(' ' + ref));
    return line ? line.split(' ')[0] : undefined;
  } catch {
    return undefined;
  }
}

export interface RunInfo {
  settings: GatewaySettings;
  distAtStart: DistFingerprint | undefined;
  loadBefore: number;
}

/** What bench/results/gateway.json holds: every round, the settings, the machine. */
export function resultsOf(info: RunInfo, summary: Summary, ratios: Ratios) {
  const invalid = invalidTargets(summary);
  const autocannonVersion = (JSON.parse(fs.readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version;
  return {
    date: new Date().toISOString(),
    commit: gitCommit(),
    dist: info.distAtStart,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    loadAverage1m: { before: info.loadBefore, after: os.loadavg()[0] },
    cpuModel: os.cpus()[0]?.model,
    settings: { ...info.settings.load, coldTokens: info.settings.coldTokens, targets: info.settings.targets, sameUpstream: info.settings.sameUpstream, host: HOST, autocannon: autocannonVersion },
    design: 'one gateway process (with the sample echo upstream in the same process) serving four pipelines; guard, egjwt and foreign measured warm (one token) and cold (coldTokens distinct tokens in rotation); interleaved rounds with alternating order; per-target figures are medians over rounds',
    summary,
    ratios,
    targets: verdicts(ratios, info.settings.load),
    valid: invalid.length === 0,
    ...(invalid.length ? { invalidTargets: invalid } : {}),
  };
}

/** Writes bench/results/gateway.json and returns its path. */
export function writeResults(result: ReturnType<typeof resultsOf>): string {
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
  return RESULTS_FILE;
}
