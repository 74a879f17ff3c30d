import { intFromEnv } from './env';

/**
 * Each suite's ports: its own variable (e.g. BENCH_ISSUER_PORT_BASE) when set, else
 * BENCH_PORT_BASE + the suite's offset (bench/README.md lists the ranges), else 0: free ports.
 */
export const PORT_OFFSETS = { gateway: 0, standalone: 10, issuer: 20, memory: 30 } as const;

export function suitePortBase(suite: keyof typeof PORT_OFFSETS, ownVariable: string): number {
  const own = intFromEnv(ownVariable, 0, 0);
  if (own) return own;
  const base = intFromEnv('BENCH_PORT_BASE', 0, 0);
  return base ? base + PORT_OFFSETS[suite] : 0;
}
