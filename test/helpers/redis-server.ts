import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * A throwaway redis-server of a test's own, on a random loopback port, to be killed (a real
 * outage, not a mock). The same approach as test/store/redis-store.test.ts.
 */
export interface RedisServer {
  url: string;
  /** Kills this server (by its own handle, i.e. its PID) and waits until it has exited. */
  kill(): Promise<void>;
  /** Starts a new, empty redis-server on the same port (after kill). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that keeps its connections open but answers nothing (a hung Redis). */
  pause(): void;
  resume(): void;
}

/** True when `redis-server` can be started on this machine. */
export const hasRedisServer = () => !spawnSync('redis-server', ['--version']).error;

/**
 * Spawns `redis-server <args>` and resolves once its output says `ready`; rejects (and kills it)
 * if it exits first or takes over 10 s. The one place every Redis-running test starts a server.
 */
export function spawnRedisServer(args: string[], ready = 'Ready to accept connections'): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server ${args.join(' ')} did not start:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server ${args.join(' ')} exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

/** Kills a server a test started (by its own handle, i.e. its PID) and waits until it has exited. */
export async function killRedisServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const startOn = (port: number) => spawnRedisServer(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);

/** Starts a redis-server on a random port (a few attempts, in case a port is taken). */
export async function startRedisServer(): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    try {
      let child = await startOn(port);
      return {
        url: `redis://127.0.0.1:${port}`,
        kill: () => killRedisServer(child),
        restart: async () => {
          child = await startOn(port);
        },
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
      };
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}
