import { intFromEnv } from '../common/env';
import { suitePortBase } from '../common/ports';
import type { Defaults } from '../common/suite';

/** What a run measures and how long, from the environment (see bench/README.md, "Issuer throughput"). */
export interface BenchSettings {
  /** Seconds measured per run (code exchanges: the number of codes minted for about that long). */
  duration: number;
  /** Seconds of unmeasured load before each run (0 to skip). */
  warmup: number;
  rounds: number;
  connections: number;
  /** First of the ports to bind (each server takes the next ones); 0 = free ports picked at start. */
  portBase: number;
  redisUrl: string;
  /** Only the operations named (comma list of cc-rs256, cc-es256, code, refresh); all by default. */
  only?: string[];
  keepTmp: boolean;
  /** Milliseconds of signing alone (jose, in this process) per algorithm after each round. */
  signMs: number;
}

/** `defaults`: what `npm run bench` gives the suite (e.g. client credentials only), under the variables. */
export function settingsFromEnv(defaults: Defaults = {}): BenchSettings {
  const d = (name: string, fallback: number) => (typeof defaults[name] === 'number' ? (defaults[name] as number) : fallback);
  const only = (process.env.BENCH_ISSUER_ONLY ?? (defaults.BENCH_ISSUER_ONLY as string | undefined))?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    duration: intFromEnv('BENCH_ISSUER_DURATION', d('BENCH_ISSUER_DURATION', 5)),
    warmup: intFromEnv('BENCH_ISSUER_WARMUP', d('BENCH_ISSUER_WARMUP', 2), 0),
    rounds: intFromEnv('BENCH_ISSUER_ROUNDS', d('BENCH_ISSUER_ROUNDS', 3)),
    connections: intFromEnv('BENCH_ISSUER_CONNECTIONS', 10),
    portBase: suitePortBase('issuer', 'BENCH_ISSUER_PORT_BASE'),
    redisUrl: process.env.BENCH_ISSUER_REDIS_URL || 'redis://127.0.0.1:6379',
    ...(only?.length ? { only } : {}),
    keepTmp: process.env.BENCH_KEEP_TMP === '1',
    signMs: intFromEnv('BENCH_ISSUER_SIGN_MS', d('BENCH_ISSUER_SIGN_MS', 1000)),
  };
}
