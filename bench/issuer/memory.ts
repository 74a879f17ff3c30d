import fs from 'node:fs';
import path from 'node:path';
import type { IssuerUnderTest } from './issuer-under-test';
import { sleep } from '../common/processes';

const PRELOAD = path.join(__dirname, 'heap-preload.js');

/** Resident set size in MiB: now (VmRSS of /proc/<pid>/status) or the peak so far (VmHWM). */
export function rssMiB(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${which}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface Memory {
  /** RSS after the run (VmRSS), MiB. */
  rss: number | undefined;
  /** Peak RSS of the process's life (VmHWM), MiB. */
  peak: number | undefined;
  /** V8 heap in use after a full GC, MiB: the live data. */
  heapAfterGc: number | undefined;
}

/** Node arguments and environment that let {@link memoryOf} ask the process for its live heap. */
export function heapProbe(heapFile: string): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['-r', PRELOAD], env: { BENCH_HEAP_FILE: heapFile } };
}

export async function memoryOf(issuer: IssuerUnderTest): Promise<Memory> {
  const { pid } = issuer.proc;
  const memory: Memory = { rss: rssMiB(pid), peak: rssMiB(pid, 'VmHWM'), heapAfterGc: undefined };
  if (!issuer.heapFile) return memory;
  fs.rmSync(issuer.heapFile, { force: true });
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 100 && !fs.existsSync(issuer.heapFile); i++) await sleep(50);
  try {
    memory.heapAfterGc = (JSON.parse(fs.readFileSync(issuer.heapFile, 'utf8')) as { heapUsed: number }).heapUsed / 1048576;
  } catch {
    // the process did not answer in 5 s: leave the figure out
  }
  return memory;
}
