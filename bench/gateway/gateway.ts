import { execFile } from 'node:child_process';
import path from 'node:path';
import { request } from '../common/http';
import { HOST, waitUntilReady, type ServerProcess } from '../common/processes';
import { log, type BenchContext } from './context';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const PROFILER_PRELOAD = path.join(ROOT, 'bench', 'profiler-preload.js');

/** The gateway process, with where it writes its CPU profiles (BENCH_CPU_PROF=1). */
export interface Gateway {
  proc: ServerProcess;
  pid: number;
  profDir?: string;
}

/** The environment of the gateway and of the CLI: the temp dir's config and SQLite file, our ports. */
function portcullisEnv(ctx: BenchContext): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORTCULLIS_CONFIG_DIR: ctx.configDir,
    PORTCULLIS_HOME: ctx.dir,
    PORTCULLIS_SQLITE_PATH: ctx.sqlitePath,
    PORTCULLIS_STORE: 'sqlite',
    PORTCULLIS_HOST: HOST,
    PORT: String(ctx.port),
    PORTCULLIS_ISSUER: ctx.issuer,
    PORTCULLIS_ECHO_PORT: String(ctx.echoPort),
    PORTCULLIS_ECHO_URL: ctx.echoUrl,
    PORTCULLIS_LOG_LEVEL: 'warn',
    LOG_LEVEL: 'warn',
  };
}

/**
 * The echo upstream (dist/sample/echo-upstream.js) in a process of its own, as a backend is in a
 * deployment: the gateway's CPU per request is then the gateway's alone. In the gateway's process
 * (`start --sample-upstream`, as before 2026-12-02) every identity header the guard adds was also
 * parsed and echoed there, and counted as the guard's cost.
 */
export async function startEcho(ctx: BenchContext): Promise<ServerProcess> {
  const logFile = path.join(ctx.dir, 'echo-upstream.log');
  const script = `require(${JSON.stringify(ECHO)}).startEchoUpstream(${ctx.echoPort}, ${JSON.stringify(HOST)})`;
  const proc = ctx.procs.start(['-e', script], { ...process.env }, logFile, ctx.dir);
  log(`echo upstream pid ${proc.pid} on ${ctx.echoUrl}, log ${logFile}`);
  await waitUntilReady(proc, 'echo upstream', async () => (await request(`${ctx.echoUrl}/`)).status === 200);
  return proc;
}

const ECHO = path.resolve(__dirname, '..', '..', 'dist', 'sample', 'echo-upstream.js');

/**
 * `bin/portcullis.js start` on the temp
 * dir's config; resolves once its discovery document names our issuer. With BENCH_CPU_PROF=1 the
 * profiler preload is loaded, idle until the first measured run toggles it.
 */
export async function startGateway(ctx: BenchContext, label: string): Promise<Gateway> {
  const logFile = path.join(ctx.dir, `gateway-${label}.log`);
  const nodeArgs = ctx.profDir ? ['-r', PROFILER_PRELOAD] : [];
  const env = { ...portcullisEnv(ctx), ...(ctx.profDir ? { BENCH_PROF_DIR: ctx.profDir } : {}) };
  const proc = ctx.procs.start([...nodeArgs, BIN, 'start'], env, logFile, ctx.dir);
  log(`gateway (${label}) pid ${proc.pid} on ${ctx.issuer}, log ${logFile}`);
  await waitUntilReady(proc, 'gateway', async () => {
    const res = await request(`${ctx.gatewayUrl}/.well-known/openid-configuration`);
    return res.status === 200 && res.json?.issuer === ctx.issuer;
  });
  return { proc, pid: proc.pid, ...(ctx.profDir ? { profDir: ctx.profDir } : {}) };
}

export async function stopGateway(ctx: BenchContext, gw: Gateway): Promise<void> {
  await ctx.procs.stop(gw.proc);
}

/** `portcullis <args>` on the same config and store as the gateway; resolves with its stdout. */
export function cli(ctx: BenchContext, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ctx.dir, env: portcullisEnv(ctx), timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`portcullis ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}
