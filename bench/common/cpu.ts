import fs from 'node:fs';

/** utime + stime of a process in ms (Linux /proc; clock ticks are USER_HZ = 100). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of the whole machine in ms, from /proc/stat: `tasks` (user, nice, system: time charged
 * to processes), `interrupts` (irq, softirq: mostly the loopback TCP traffic of the benchmark
 * itself, charged to no process) and `steal` (taken by the hypervisor).
 */
export interface MachineCpu {
  tasks: number;
  interrupts: number;
  steal: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { tasks: (user + nice + system) * 10, interrupts: (irq + softirq) * 10, steal: (steal || 0) * 10 };
  } catch {
    return undefined;
  }
}

/** This process's own CPU (user + system) since `since`, in ms: the load generator's share. */
export function selfCpuMs(since: NodeJS.CpuUsage): number {
  const self = process.cpuUsage(since);
  return (self.user + self.system) / 1000;
}

/**
 * CPU that other processes used during a run, in % of one core: the machine's task time minus the
 * server's and the load generator's. More than ~10% means the run competed with other work.
 */
export function otherCpuPercent(before: MachineCpu | undefined, after: MachineCpu | undefined, serverMs: number | undefined, selfMs: number, durationS: number): number | undefined {
  if (!before || !after || serverMs === undefined || !durationS) return undefined;
  return Math.max(0, (after.tasks - before.tasks - serverMs - selfMs) / (durationS * 1000)) * 100;
}
