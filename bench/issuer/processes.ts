import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const HOST = '127.0.0.1';

/** A server process this benchmark started: tracked by PID, stopped by PID, never by name. */
export interface ServerProcess {
  pid: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
}

const running = new Map<number, ServerProcess>();

export function startProcess(args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd: string): ServerProcess {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  const proc: ServerProcess = {
    pid: child.pid,
    logFile,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => {
      proc.exitInfo = { code, signal };
      resolve(proc.exitInfo);
    })),
  };
  running.set(proc.pid, proc);
  return proc;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export async function stopProcess(proc: ServerProcess): Promise<void> {
  if (!running.has(proc.pid)) return;
  signal(proc.pid, 'SIGTERM');
  const timer = setTimeout(() => signal(proc.pid, 'SIGKILL'), 5000);
  await proc.exited;
  clearTimeout(timer);
  running.delete(proc.pid);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map(stopProcess));
}

process.on('exit', () => {
  for (const pid of running.keys()) signal(pid, 'SIGKILL');
});

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A port: base + offset when BENCH_ISSUER_PORT_BASE is set, else a free one. */
export async function pickPort(base: number, offset: number): Promise<number> {
  if (base) return base + offset;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

/** Resident set size in MiB: now (VmRSS of /proc/<pid>/status) or the peak so far (VmHWM). */
export function rssMiB(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${which}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time charged to all processes (user + nice + system), in ms, from /proc/stat. */
export function machineCpuMs(): number | undefined {
  try {
    const [user, nice, system] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system) * 10;
  } catch {
    return undefined;
  }
}

/** Polls until `ready` resolves true; fails with the server log if it exits or takes > 30 s. */
export async function waitUntilReady(proc: ServerProcess, what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitInfo) throw new Error(`${what} exited during start-up (${JSON.stringify(proc.exitInfo)}):\n${tail(proc.logFile)}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after 30 s:\n${tail(proc.logFile)}`);
    await sleep(100);
  }
}
