import { cpuMs } from '../common/cpu';
import { request } from '../common/http';
import type { Load } from '../common/load';
import { rotatingRequest } from '../common/rotation';
import type { GuardProcess } from './guard-process';
import { PATH } from './guard-settings';

/** One pass over a list of tokens, each sent once: answers, errors, the guard process's CPU per request. */
export interface Pass {
  requests: number;
  non2xx: number;
  errors: number;
  requestsPerSec: number;
  cpuUsPerRequest: number | undefined;
}

/** Sends `tokens` in order, once each (keep-alive, `connections` at once), through the guard. */
export async function pass(load: Load, guard: GuardProcess, tokens: string[], connections: number, amount = tokens.length): Promise<Pass> {
  const before = cpuMs(guard.pid);
  const r = await load.run({ url: guard.url, connections, pipelining: 1, amount, requests: [rotatingRequest(PATH, tokens)] });
  const after = cpuMs(guard.pid);
  const answered = r.requests.total;
  return {
    requests: answered,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requestsPerSec: r.duration ? answered / r.duration : 0,
    cpuUsPerRequest: before !== undefined && after !== undefined && answered ? ((after - before) * 1000) / answered : undefined,
  };
}

/** The token cache's counters of the guard's runtime (own tokens; other issuers' tokens are not counted there). */
export async function cacheCounters(guard: GuardProcess): Promise<{ hits: number; misses: number }> {
  const res = await request(guard.controlUrl);
  return res.json as { hits: number; misses: number };
}

/** The sizes of the guard's runtime's LRU caches, by path (cache-sizes.ts). */
export async function cacheSizes(guard: GuardProcess): Promise<Record<string, number>> {
  return (await request(`${guard.controlUrl}/caches`)).json as Record<string, number>;
}

const tamper = (token: string) => {
  const dot = token.lastIndexOf('.');
  return `${token.slice(0, dot + 1)}${token[dot + 1] === 'A' ? 'B' : 'A'}${token.slice(dot + 2)}`;
};

/** A guard that lets anything through, or nothing, measures nothing: good token 200, tampered and none 401. */
export async function sanity(guard: GuardProcess, token: string): Promise<void> {
  const url = guard.url + PATH;
  const good = await request(url, { headers: { authorization: `Bearer ${token}` } });
  const bad = await request(url, { headers: { authorization: `Bearer ${tamper(token)}` } });
  const none = await request(url);
  if (good.status !== 200 || bad.status !== 401 || none.status !== 401) {
    throw new Error(`memory: sanity check failed: good token ${good.status} (200), tampered ${bad.status} (401), none ${none.status} (401): ${good.text.slice(0, 200)}`);
  }
}
