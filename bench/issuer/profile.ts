import fs from 'node:fs';
import path from 'node:path';
import type { IssuerUnderTest } from './issuer-under-test';
import { sleep } from './processes';

async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await sleep(20);
  }
}

/**
 * Runs `measured` with the issuer's sampling profiler on (bench/profiler-preload.js, SIGUSR2 starts
 * and stops it), when BENCH_ISSUER_CPU_PROF=1 gave it a profile folder; `<label>.cpuprofile` and
 * `<label>.json` (requests, for bench/profile-summary.js) land there. Profiled figures are slower.
 */
export async function profiled<T extends { requests: number; durationS: number }>(issuer: IssuerUnderTest, label: string, measured: () => Promise<T>): Promise<T> {
  const dir = issuer.profDir;
  if (!dir) return measured();
  fs.rmSync(path.join(dir, 'started'), { force: true });
  fs.writeFileSync(path.join(dir, 'label'), label);
  process.kill(issuer.proc.pid, 'SIGUSR2');
  await waitForFile(path.join(dir, 'started'));
  const result = await measured();
  process.kill(issuer.proc.pid, 'SIGUSR2');
  await waitForFile(path.join(dir, `${label}.cpuprofile`));
  fs.writeFileSync(path.join(dir, `${label}.json`), JSON.stringify({ requests: result.requests, durationS: result.durationS }));
  return result;
}
