import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Load } from '../common/load';
import { HOST, pickPort, ProcessGroup } from '../common/processes';
import type { GatewaySettings } from './settings';

/**
 * Everything one benchmark run shares, passed to each step instead of module variables: the temp
 * dir and its files, the ports, the child processes and the load generator.
 */
export interface BenchContext {
  settings: GatewaySettings;
  dir: string;
  configDir: string;
  sqlitePath: string;
  port: number;
  echoPort: number;
  gatewayUrl: string;
  /** The issuer URL: the gateway itself. */
  issuer: string;
  /** The sample echo upstream, served by the gateway process on its own port. */
  echoUrl: string;
  /** With BENCH_CPU_PROF=1: where the gateway's profiles go. */
  profDir?: string;
  procs: ProcessGroup;
  load: Load;
  /** Set when the run failed: the temp dir (logs) is kept. */
  failed: boolean;
}

export async function createContext(settings: GatewaySettings): Promise<BenchContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
  const configDir = path.join(dir, 'config');
  fs.mkdirSync(configDir);
  // BENCH_GATEWAY_PORT_BASE (or BENCH_PORT_BASE + 0): the gateway on +0, the echo upstream on +1.
  const port = await pickPort(settings.portBase, 0);
  let echoPort = await pickPort(settings.portBase, 1);
  while (echoPort === port) echoPort = await pickPort(0, 0);
  const profDir = settings.cpuProf ? path.join(dir, 'cpu-prof') : undefined;
  if (profDir) fs.mkdirSync(profDir);
  return {
    settings,
    dir,
    configDir,
    sqlitePath: path.join(dir, 'portcullis.db'),
    port,
    echoPort,
    gatewayUrl: `http://${HOST}:${port}`,
    issuer: `http://${HOST}:${port}`,
    echoUrl: `http://${HOST}:${echoPort}`,
    ...(profDir ? { profDir } : {}),
    procs: new ProcessGroup(),
    load: new Load(),
    failed: false,
  };
}

/** Stops the load and every child by PID, then removes the temp dir unless it is wanted. */
export async function closeContext(ctx: BenchContext): Promise<void> {
  ctx.load.stop();
  await ctx.procs.stopAll();
  if (ctx.settings.keepTmp || ctx.settings.cpuProf || ctx.failed) process.stderr.write(`temporary files kept in ${ctx.dir}\n`);
  else fs.rmSync(ctx.dir, { recursive: true, force: true });
}

/** Ctrl-C or SIGTERM: stop the load and the gateway by PID, clean up, exit 130. Returns the handlers' removal (the run is over). */
export function closeOnSignals(ctx: BenchContext): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      process.stderr.write(`\n${signal}: stopping the gateway\n`);
      void closeContext(ctx).finally(() => process.exit(130));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};
