import { intFromEnv } from '../common/env';

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
}

/** The settings from BENCH_* variables (bench/gateway/main.ts and bench/README.md list them). */
export function settingsFromEnv(): GatewaySettings {
  return {
    load: {
      duration: intFromEnv('BENCH_DURATION', 10),
      warmup: intFromEnv('BENCH_WARMUP', 3, 0),
      connections: intFromEnv('BENCH_CONNECTIONS', 10),
      rounds: intFromEnv('BENCH_ROUNDS', 3),
      pipelining: intFromEnv('BENCH_PIPELINING', 1),
      rate: intFromEnv('BENCH_RATE', 0, 0),
      workers: 1,
    },
    quiet: { waitS: intFromEnv('BENCH_QUIET_WAIT', 20, 0), percent: intFromEnv('BENCH_QUIET_PERCENT', 25) },
    sameUpstream: process.env.BENCH_SAME_UPSTREAM === '1',
    cpuProf: process.env.BENCH_CPU_PROF === '1',
    keepTmp: process.env.BENCH_KEEP_TMP === '1',
    coldTokens: intFromEnv('BENCH_TOKENS', 5000),
  };
}
