import { intFromEnv } from '../common/env';
import { suitePortBase } from '../common/ports';
import type { Defaults } from '../common/suite';
import { TARGETS, type TargetName } from './targets';

/** How each run sends load; logged and written to the results as they are. */
export interface LoadSettings {
  /** Seconds measured per run. */
  duration: number;
  /** Seconds of unmeasured load before each run (0 to skip). */
  warmup: number;
  connections: number;
  /** Rounds: each target is measured once per round. */
  rounds: number;
  pipelining: number;
  /** Fixed-rate mode: req/s offered to every target (all connections together); 0 = as fast as possible. */
  rate: number;
  /** autocannon in this process: two cores are shared by the load generator and the gateway. */
  workers: 1;
}

export interface GatewaySettings {
  load: LoadSettings;
  /** BENCH_QUIET_WAIT / BENCH_QUIET_PERCENT: before each run, wait up to `waitS` for other processes to use < `percent` of a core. */
  quiet: { waitS: number; percent: number };
  /** Diagnostic: noauth and egjwt requests also carry the guard's identity headers (same upstream work). */
  sameUpstream: boolean;
  /** Profile the gateway during each measured run (bench/profiler-preload.js). */
  cpuProf: boolean;
  keepTmp: boolean;
  /** BENCH_TOKENS: how many distinct tokens each cold target rotates through. */
  coldTokens: number;
  /** BENCH_GATEWAY_TARGETS: the targets measured (comma list, or `all`); the pipelines are all checked either way. */
  targets: TargetName[];
  /** The gateway's port and the echo upstream's (+1); 0: free ports. */
  portBase: number;
}

/** Every target, or those of a comma list (BENCH_GATEWAY_TARGETS); noauth and guard always, the ratios need them. */
function targetsFrom(raw: string | undefined): TargetName[] {
  if (!raw || raw === 'all') return TARGETS.map((t) => t.name);
  const asked = new Set(['noauth', 'guard', ...raw.split(',').map((s) => s.trim())]);
  const unknown = [...asked].filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length) throw new Error(`BENCH_GATEWAY_TARGETS: unknown target(s) ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  return TARGETS.filter((t) => asked.has(t.name)).map((t) => t.name);
}

/**
 * The settings from BENCH_* variables (bench/gateway/README.md lists them); `defaults` are those
 * `npm run bench` gives the suite (shorter runs, more rounds), under the variables.
 */
export function settingsFromEnv(defaults: Defaults = {}): GatewaySettings {
  const d = (name: string, fallback: number) => (typeof defaults[name] === 'number' ? (defaults[name] as number) : fallback);
  return {
    load: {
      duration: intFromEnv('BENCH_DURATION', d('BENCH_DURATION', 10)),
      warmup: intFromEnv('BENCH_WARMUP', d('BENCH_WARMUP', 3), 0),
      connections: intFromEnv('BENCH_CONNECTIONS', 10),
      rounds: intFromEnv('BENCH_ROUNDS', d('BENCH_ROUNDS', 3)),
      pipelining: intFromEnv('BENCH_PIPELINING', 1),
      rate: intFromEnv('BENCH_RATE', 0, 0),
      workers: 1,
    },
    quiet: { waitS: intFromEnv('BENCH_QUIET_WAIT', d('BENCH_QUIET_WAIT', 20), 0), percent: intFromEnv('BENCH_QUIET_PERCENT', 25) },
    sameUpstream: process.env.BENCH_SAME_UPSTREAM === '1',
    cpuProf: process.env.BENCH_CPU_PROF === '1',
    keepTmp: process.env.BENCH_KEEP_TMP === '1',
    coldTokens: intFromEnv('BENCH_TOKENS', d('BENCH_TOKENS', 11000)),
    targets: targetsFrom(process.env.BENCH_GATEWAY_TARGETS ?? (defaults.BENCH_GATEWAY_TARGETS as string | undefined)),
    portBase: suitePortBase('gateway', 'BENCH_GATEWAY_PORT_BASE'),
  };
}
