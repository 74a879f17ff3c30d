import { intFromEnv } from '../common/env';
import { suitePortBase } from '../common/ports';
import type { Defaults } from '../common/suite';

/** The `BENCH_*` variables of `npm run bench:standalone` (bench/standalone/README.md). */
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
  /** The cases measured (`guard/warm`, ...; BENCH_STANDALONE_CASES); undefined: all of them. */
  cases?: string[];
}

/** `defaults`: what `npm run bench` gives the suite, under the variables. */
export function readSettings(defaults: Defaults = {}): StandaloneSettings {
  const d = (name: string, fallback: number) => (typeof defaults[name] === 'number' ? (defaults[name] as number) : fallback);
  const cases = (process.env.BENCH_STANDALONE_CASES ?? (defaults.BENCH_STANDALONE_CASES as string | undefined))?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    duration: intFromEnv('BENCH_DURATION', d('BENCH_DURATION', 10)),
    warmup: intFromEnv('BENCH_WARMUP', d('BENCH_WARMUP', 2), 0),
    connections: intFromEnv('BENCH_CONNECTIONS', 10),
    rounds: intFromEnv('BENCH_ROUNDS', d('BENCH_ROUNDS', 3)),
    tokens: intFromEnv('BENCH_TOKENS', d('BENCH_TOKENS', 11000)),
    portBase: suitePortBase('standalone', 'BENCH_STANDALONE_PORT_BASE'),
    introspectionCacheSeconds: intFromEnv('BENCH_INTROSPECTION_CACHE', 60),
    ...(cases?.length && cases[0] !== 'all' ? { cases } : {}),
  };
}
