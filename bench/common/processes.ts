import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const HOST = '127.0.0.1';

type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

/** A server process this benchmark started: tracked by PID, stopped by PID, never by name. */
export interface ServerProcess {
  pid: number;
  logFile: string;
  exited: Promise<ExitInfo>;
  exitInfo?: ExitInfo;
}

/** Sends a signal to a process that may already be gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * The child processes of one benchmark run. Every process started through it is stopped by
 * {@link stopAll} (on success, error or Ctrl-C), and killed if this process exits first.
 */
export class ProcessGroup {
  private readonly running = new Map<number, ServerProcess>();

  constructor() {
    process.on('exit', () => {
      for (const pid of this.running.keys()) signal(pid, 'SIGKILL');
    });
  }

  /** `node <args>` with stdout and stderr appended to `logFile`. */
  start(args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd: string): ServerProcess {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
    const proc: ServerProcess = {
      pid: child.pid,
      logFile,
      exited: new Promise((resolve) => child.once('exit', (code, sig) => {
        proc.exitInfo = { code, signal: sig };
        resolve(proc.exitInfo);
      })),
    };
    this.running.set(proc.pid, proc);
    return proc;
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  async stop(proc: ServerProcess): Promise<void> {
    if (!this.running.has(proc.pid)) return;
    signal(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => signal(proc.pid, 'SIGKILL'), 5000);
    await proc.exited;
    clearTimeout(timer);
    this.running.delete(proc.pid);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => this.stop(p)));
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A port: base + offset when a base is set, else a free one on 127.0.0.1. */
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
