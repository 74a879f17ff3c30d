import os from 'node:os';
import { machineCpu, selfCpuMs } from '../common/cpu';
import { sleep } from '../common/processes';
import { log } from './context';

export interface Quiet {
  waitedS: number;
  /** Other processes' CPU over the last second sampled, in % of one core. */
  otherPercent: number | undefined;
}

/**
 * On a shared machine, waits (up to `waitS` seconds) until other processes use less than
 * `percent` of a core over one second, so that runs compete with as little as possible. Our
 * gateway is idle between runs, so everything measured here is someone else's work.
 */
export async function waitForQuiet(quiet: { waitS: number; percent: number }): Promise<Quiet> {
  if (!quiet.waitS) return { waitedS: 0, otherPercent: undefined };
  const start = Date.now();
  for (;;) {
    const a = machineCpu();
    const selfA = process.cpuUsage();
    if (!a) return { waitedS: 0, otherPercent: undefined };
    await sleep(1000);
    const b = machineCpu();
    const self = selfCpuMs(selfA);
    if (!b) return { waitedS: 0, otherPercent: undefined };
    const last = Math.max(0, (b.tasks - a.tasks - self) / 10);
    const waitedS = (Date.now() - start) / 1000;
    if (last < quiet.percent) return { waitedS, otherPercent: last };
    if (waitedS >= quiet.waitS) {
      log(`  the machine is busy (other processes at ${last.toFixed(0)}% of a core); measuring anyway after ${waitedS.toFixed(0)} s`);
      return { waitedS, otherPercent: last };
    }
  }
}

/** The 1-minute load average before the benchmark starts, with a note when other processes are already busy. */
export function loadAverageBefore(): number {
  const load = os.loadavg()[0];
  if (load > 0.5) log(`note: 1-min load average is already ${load.toFixed(2)} before the benchmark (other processes are busy)`);
  return load;
}
