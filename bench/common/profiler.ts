import fs from 'node:fs';
import path from 'node:path';
import { signal, sleep } from './processes';

/** A server started with bench/profiler-preload.js (BENCH_PROF_DIR=profDir in its environment). */
export interface Profiled {
  pid: number;
  /** Where its profiles go; undefined: the server is not profiled. */
  profDir?: string;
}

/** The preload writes its files asynchronously, in the server's process. */
async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await sleep(20);
  }
}

/**
 * Runs `measured` with the server's sampling profiler on (bench/profiler-preload.js: SIGUSR2
 * starts and stops it), when the server has a profile folder; `<label>.cpuprofile` and
 * `<label>.json` (requests and duration, so bench/profile-summary.js can give time per request)
 * land there. Profiling slows the server: such figures are not the reference ones.
 */
export async function profiled<T>(server: Profiled, label: string, measured: () => Promise<T>, counts: (r: T) => { requests: number; durationS: number }): Promise<T> {
  const dir = server.profDir;
  if (!dir) return measured();
  fs.rmSync(path.join(dir, 'started'), { force: true });
  fs.writeFileSync(path.join(dir, 'label'), label);
  signal(server.pid, 'SIGUSR2');
  await waitForFile(path.join(dir, 'started'));
  const result = await measured();
  signal(server.pid, 'SIGUSR2');
  await waitForFile(path.join(dir, `${label}.cpuprofile`));
  fs.writeFileSync(path.join(dir, `${label}.json`), JSON.stringify(counts(result)));
  return result;
}
