import path from 'node:path';
import type { Load } from '../common/load';
import { pickPort } from '../common/processes';
import { startGuardProcess } from './guard-process';
import { rawSettings, type GuardSetup } from './guard-settings';
import { startJwksIssuer, type JwksIssuer } from './jwks-issuer';
import { grownBy } from './cache-sizes';
import { cacheCounters, cacheSizes, pass, sanity, type Pass } from './measure';
import type { MemoryCase, MemorySettings } from './settings';
import { assertDistinct, mintOwnTokens, signTrustedTokens } from './tokens';

/** Distinct tokens of the warm-up (their first sightings JIT the miss path), outside the measured ones. */
const WARMUP_TOKENS = 500;
const MIB = 1024 * 1024;

export interface CaseResult {
  name: MemoryCase;
  tokens: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** Live heap after a full GC, after the first pass, minus before it. */
  deltaMiB: number;
  /** Tokens the cache held after the first pass: the second pass's hits (counted, or estimated from CPU). */
  held: number;
  heldFrom: 'counters' | 'cache size' | 'cpu';
  /** The share of a miss's extra CPU the second pass saved (1: every request a hit): the last resort for `held`. */
  cpuSavedShare: number;
  /** The runtime's LRU caches that grew during the first pass, and by how many entries (cache-sizes.ts). */
  grownCaches: { added: number; caches: Record<string, number> };
  /** Net entries the token cache gained in the first pass (its size after minus before), else `held`. */
  entriesAdded: number;
  /** deltaMiB per entry added, times 100,000. */
  per100kMiB: number;
  firstPass: Pass;
  secondPass: Pass;
  /** CPU per request of one token repeated (every request a cache hit): the hit cost the CPU estimate uses. */
  hitCpuUs: number | undefined;
  counters: { before: { hits: number; misses: number }; afterFirst: { hits: number; misses: number }; afterSecond: { hits: number; misses: number } };
  cacheBudgetMiB: number | undefined;
}

const log = (m: string) => process.stderr.write(`[bench:memory] ${m}\n`);

/**
 * One case: tokens minted (own) or signed (trusted) outside the guard's process; the guard's
 * process started and checked; a warm-up; the live heap; every token sent once (first pass); the
 * live heap again; every token sent again in reverse order (second pass): a token still cached is
 * a hit, and in reverse order the hits are exactly the tokens the cache held (LRU: the last held
 * are the first asked). Hits are the runtime's own counters for Portcullis's tokens; for another
 * issuer's, which those counters leave out, the entries its LRU cache gained in the first pass
 * (cache-sizes.ts), or failing that the share of a miss's extra CPU the second pass saved.
 */
export async function runCase(name: MemoryCase, s: MemorySettings, load: Load, dir: string, cacheBudgetMiB: number | undefined): Promise<CaseResult> {
  const alg = name.endsWith('rs256') ? 'RS256' : 'ES256';
  const own = name.startsWith('own');
  let issuer: JwksIssuer | undefined;
  const [port, jwksPort, controlPort] = [await pickPort(s.portBase, 0), await pickPort(s.portBase, 1), await pickPort(s.portBase, 2)];
  try {
    if (!own) issuer = await startJwksIssuer(alg, jwksPort);
    const setup: GuardSetup = { sqlitePath: path.join(dir, `${name}.db`), alg, ...(issuer ? { trusted: { issuer: issuer.issuer, jwksUri: issuer.jwksUri, alg } } : {}), ...(cacheBudgetMiB ? { cacheMiB: cacheBudgetMiB } : {}) };
    const started = Date.now();
    const all = own ? await mintOwnTokens(setup, s.tokens + WARMUP_TOKENS) : await signTrustedTokens(issuer!, s.tokens + WARMUP_TOKENS);
    assertDistinct(all, s.tokens + WARMUP_TOKENS);
    log(`${name}: ${all.length} distinct ${alg} tokens ${own ? 'minted by the runtime' : 'signed by the trusted issuer'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const warm = all.slice(s.tokens);
    const tokens = all.slice(0, s.tokens);
    const guard = await startGuardProcess(rawSettings(setup), port, controlPort, dir, name);
    try {
      await sanity(guard, warm[0]);
      await pass(load, guard, warm, s.connections, warm.length * 2);
      const hit = await pass(load, guard, [warm[0]], s.connections, 5000);
      const before = await cacheCounters(guard);
      const sizesBefore = await cacheSizes(guard);
      const heapBefore = (await guard.heap()).heapUsed;
      const firstPass = await pass(load, guard, tokens, s.connections);
      const heapAfter = (await guard.heap()).heapUsed;
      const afterFirst = await cacheCounters(guard);
      const grown = grownBy(sizesBefore, await cacheSizes(guard));
      const secondPass = await pass(load, guard, [...tokens].reverse(), s.connections);
      const afterSecond = await cacheCounters(guard);
      const counted = afterSecond.hits - afterFirst.hits + (afterSecond.misses - afterFirst.misses) >= s.tokens;
      const share = (a?: number, b?: number, h?: number) => (a !== undefined && b !== undefined && h !== undefined && a > h ? Math.min(1, Math.max(0, (a - b) / (a - h))) : 0);
      // The CPU estimate is rough (other processes move CPU per request a little): 90% saved or more counts as all held.
      const saved = share(firstPass.cpuUsPerRequest, secondPass.cpuUsPerRequest, hit.cpuUsPerRequest);
      const sized = !counted && grown.added > 0;
      const held = counted ? Math.min(s.tokens, afterSecond.hits - afterFirst.hits) : sized ? Math.min(s.tokens, grown.added) : saved >= 0.9 ? s.tokens : Math.round(s.tokens * saved);
      const heldFrom = counted ? 'counters' : sized ? 'cache size' : 'cpu';
      // The divisor: the hits counted (own tokens; other caches such as revocation answers grow per jti too), else the token cache's net growth.
      const entriesAdded = counted ? held : grown.added > 0 ? Math.min(grown.added, s.tokens) : held;
      const deltaMiB = (heapAfter - heapBefore) / MIB;
      const result: CaseResult = {
        name, tokens: s.tokens, heapBeforeMiB: heapBefore / MIB, heapAfterMiB: heapAfter / MIB, deltaMiB, held, heldFrom, cpuSavedShare: saved, grownCaches: grown,
        entriesAdded, per100kMiB: entriesAdded ? (deltaMiB / entriesAdded) * 100_000 : NaN, firstPass, secondPass, hitCpuUs: hit.cpuUsPerRequest,
        counters: { before, afterFirst, afterSecond }, cacheBudgetMiB,
      };
      log(`${name}: heap ${result.heapBeforeMiB.toFixed(1)} -> ${result.heapAfterMiB.toFixed(1)} MiB after ${s.tokens} tokens; held ${held} (${result.heldFrom}); ${result.per100kMiB.toFixed(1)} MiB per 100,000; CPU/req first pass ${firstPass.cpuUsPerRequest?.toFixed(0)} µs, second ${secondPass.cpuUsPerRequest?.toFixed(0)} µs, one token ${hit.cpuUsPerRequest?.toFixed(0)} µs`);
      return result;
    } finally {
      await guard.stop();
    }
  } finally {
    await issuer?.close();
  }
}
