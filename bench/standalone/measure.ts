import { cpuMs } from '../common/cpu';
import type { Load } from '../common/load';
import { rotatingRequest } from '../common/rotation';
import { PATH, type ContenderName } from './contenders';
import { goodToken } from './sanity';
import type { Tokens } from './tokens';
import type { StandaloneSettings } from './settings';

/** One measured thing: a contender with one token (warm) or N in rotation (cold). */
export interface Case {
  contender: ContenderName;
  cache: 'warm' | 'cold';
}

export const caseId = (c: Case): string => `${c.contender}/${c.cache}`;

/** The tokens a case rotates through: one for warm, all cold ones, all opaque ones for (e). */
export function tokensOf(c: Case, tokens: Tokens): string[] {
  if (c.contender === 'guard-introspect') return tokens.opaque;
  return c.cache === 'warm' ? [goodToken(c.contender, tokens)] : tokens.cold;
}

export interface RunResult {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU (user + system) of the contenders' process per answer, µs (/proc over the run). */
  cpuUs: number | undefined;
}

/**
 * One autocannon run. Every request goes through the same `setupRequest` (common/rotation.ts),
 * which takes the next token of the case, so warm and cold runs cost the load generator the same.
 */
export async function run(load: Load, port: number, c: Case, tokens: Tokens, settings: StandaloneSettings, duration: number, serverPid: number): Promise<RunResult> {
  const cpuBefore = cpuMs(serverPid);
  const result = await load.run({
    url: `http://127.0.0.1:${port}`,
    connections: settings.connections,
    duration,
    requests: [rotatingRequest(PATH, tokensOf(c, tokens))],
  });
  const cpuAfter = cpuMs(serverPid);
  const answers = result.requests.total;
  const cpuUs = cpuBefore !== undefined && cpuAfter !== undefined && answers ? ((cpuAfter - cpuBefore) * 1000) / answers : undefined;
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, cpuUs };
}
