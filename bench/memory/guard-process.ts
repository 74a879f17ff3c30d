import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { signal, sleep } from '../common/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const HEAP_PRELOAD = path.join(ROOT, 'bench', 'issuer', 'heap-preload.js');

/** The guard's process: its pid (for /proc CPU), its ports, its live heap on demand, stop by PID. */
export interface GuardProcess {
  pid: number;
  url: string;
  controlUrl: string;
  /** V8 heap in use after a full GC, bytes (heap-preload.js on SIGWINCH), with the rest of process.memoryUsage(). */
  heap(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export function startGuardProcess(settings: Record<string, unknown>, port: number, controlPort: number, dir: string, name: string): Promise<GuardProcess> {
  const heapFile = path.join(dir, `${name}.heap.json`);
  const child: ChildProcess = spawn(process.execPath, ['-r', HEAP_PRELOAD, '--import', 'tsx', path.join(__dirname, 'server.ts'), JSON.stringify({ settings, port, controlPort })], {
    cwd: ROOT,
    env: { ...process.env, BENCH_HEAP_FILE: heapFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the guard's process exited (${code}) before it was ready`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /ready (\d+) (\d+)/.exec(chunk.toString());
      if (!m) return;
      const pid = child.pid!;
      resolve({
        pid,
        url: `http://127.0.0.1:${m[1]}`,
        controlUrl: `http://127.0.0.1:${m[2]}`,
        async heap() {
          fs.rmSync(heapFile, { force: true });
          signal(pid, 'SIGWINCH');
          for (let i = 0; i < 200 && !fs.existsSync(heapFile); i++) await sleep(50);
          await sleep(50); // written in one call, but let it land
          return JSON.parse(fs.readFileSync(heapFile, 'utf8')) as NodeJS.MemoryUsage;
        },
        async stop() {
          if (child.exitCode !== null) return;
          signal(pid, 'SIGTERM');
          const timer = setTimeout(() => signal(pid, 'SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}
