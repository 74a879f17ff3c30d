import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface GatewayProcess {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  /** Everything the process printed so far. */
  output(): string;
  /** Runs `portcullis <args>` with the gateway's environment (same config, same SQLite file). */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
  /** Sends a signal to the gateway process (a shutdown under test: its exit is expected, not reported). */
  signal(name: NodeJS.Signals): void;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A fresh temp folder for one test's SQLite file. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-test-'));
}

/** Runs the real CLI as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Environment for a gateway on free ports with its own SQLite file. */
export async function gatewayEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const port = await freePort();
  return {
    ...process.env,
    PORT: String(port),
    PORTCULLIS_ECHO_PORT: String(await freePort()),
    // Every test gateway gets its own metrics port: two gateways must not both want 9464.
    PORTCULLIS_METRICS_PORT: String(await freePort()),
    PORTCULLIS_SQLITE_PATH: path.join(tempDir(), 'portcullis.db'),
    PORTCULLIS_LOG_LEVEL: 'warn',
    EG_DISABLE_CONFIG_WATCH: 'true',
    ...extra,
  };
}

/**
 * Starts `portcullis start --sample-upstream` as a child process (the real product, as `npm start`
 * runs it) and resolves once it printed that the issuer is ready.
 */
export async function startGateway(extraEnv: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const env = await gatewayEnv(extraEnv);
  const child = spawn(process.execPath, [BIN, 'start', '--sample-upstream'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // A gateway that dies under a test says why in the test log, instead of a bare ECONNREFUSED.
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`\n[gateway on port ${env.PORT} exited: code=${code} signal=${signal}]\n${output}\n`);
  });
  await waitFor(child, () => output.includes('Portcullis issuer') && output.includes(' ready'), () => output);
  return {
    baseUrl: `http://127.0.0.1:${env.PORT}`,
    env,
    output: () => output,
    cli: (args) => runCli(args, env),
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
    signal: (name) => {
      stopping = true;
      child.kill(name);
    },
    exited,
  };
}

/** Runs `portcullis start` expecting it to fail; resolves with its exit code and output. */
export async function startExpectingFailure(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--sample-upstream'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

function waitFor(child: ChildProcess, ready: () => boolean, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null || Date.now() - started > 20_000) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`gateway did not start:\n${output()}`));
      }
    }, 50);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
