import { intFromEnv } from '../common/env';
import { suitePortBase } from '../common/ports';
import type { Defaults } from '../common/suite';

/** Whose tokens fill the cache, and how they are signed. */
export const CASES = ['own-es256', 'own-rs256', 'trusted-es256', 'trusted-rs256'] as const;
export type MemoryCase = (typeof CASES)[number];

/** The `BENCH_MEMORY_*` variables (bench/memory/README.md). */
export interface MemorySettings {
  /** Distinct tokens sent once each, then again (BENCH_MEMORY_TOKENS, 100,000). */
  tokens: number;
  connections: number;
  /** The guard's port, the trusted issuer's JWKS (+1), the guard process's control port (+2); 0: free ports. */
  portBase: number;
  cases: MemoryCase[];
  /** The token cache budget set when the settings have `tokenCache.maxMiB` (BENCH_MEMORY_CACHE_MIB). */
  cacheMiB: number;
}

export function memorySettings(defaults: Defaults = {}): MemorySettings {
  const d = (name: string, fallback: number) => (typeof defaults[name] === 'number' ? (defaults[name] as number) : fallback);
  const raw = (process.env.BENCH_MEMORY_CASES ?? (defaults.BENCH_MEMORY_CASES as string | undefined))?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (raw ?? []).filter((c) => !(CASES as readonly string[]).includes(c));
  if (unknown.length) throw new Error(`BENCH_MEMORY_CASES: unknown case(s) ${unknown.join(', ')}; known: ${CASES.join(', ')}`);
  return {
    tokens: intFromEnv('BENCH_MEMORY_TOKENS', d('BENCH_MEMORY_TOKENS', 100_000)),
    connections: intFromEnv('BENCH_MEMORY_CONNECTIONS', 8),
    portBase: suitePortBase('memory', 'BENCH_MEMORY_PORT_BASE'),
    cases: raw?.length ? (raw as MemoryCase[]) : [...CASES],
    cacheMiB: intFromEnv('BENCH_MEMORY_CACHE_MIB', 256),
  };
}
