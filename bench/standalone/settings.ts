import { intFromEnv } from '../common/env';

/** The `BENCH_*` variables of `npm run bench:standalone` (bench/README.md, "Standalone"). */
export interface StandaloneSettings {
  /** Seconds measured per run. */
  duration: number;
  /** Seconds of unmeasured load before each run (0: none). */
  warmup: number;
  connections: number;
  rounds: number;
  /** Distinct tokens of the cold runs. */
  tokens: number;
  /** First port of the contenders (a..e, then the control port); 0: free ports. */
  portBase: number;
  /** Seconds an introspection answer is cached by the guard (contender e). */
  introspectionCacheSeconds: number;
}

export function readSettings(): StandaloneSettings {
  return {
    duration: intFromEnv('BENCH_DURATION', 10),
    warmup: intFromEnv('BENCH_WARMUP', 2, 0),
    connections: intFromEnv('BENCH_CONNECTIONS', 10),
    rounds: intFromEnv('BENCH_ROUNDS', 3),
    tokens: intFromEnv('BENCH_TOKENS', 5000),
    portBase: intFromEnv('BENCH_PORT_BASE', 0, 0),
    introspectionCacheSeconds: intFromEnv('BENCH_INTROSPECTION_CACHE', 60),
  };
}
