import { LRUCache } from 'lru-cache';

/**
 * Records the guard reads on every request (a client's or a user's status, a token's revocation
 * state), remembered for at most `ttlMs` (< 1 s), so that disabling takes effect on every node
 * within a second without a store read per request. A store failure propagates: the guard fails
 * closed. This lag is by design and documented (`cacheMs` in docs/ops-guide.md): it is the one
 * bound by which a guard's decision may trail the store; nothing else the guard remembers outlives
 * its basis. 0 means "always ask the store".
 *
 * `ttlMs` is measured on the product's clock `now` (the one the runtime is given, not lru-cache's
 * own `performance.now()`), so the clock the product is told decides every expiry. `now` is a wall
 * clock and may be stepped back (NTP, a resumed VM); lru-cache would then age an entry by a
 * negative amount and trust it for the size of the step. So an answer read at `at` is trusted only
 * while `at <= now <= at + ttlMs`.
 */
export class StatusCache<V> {
  private readonly cache?: LRUCache<string, { value: V | null; at: number }>;

  constructor(
    private readonly load: (id: string) => Promise<V | null>,
    ttlMs: number,
    private readonly now: () => number = Date.now,
    max = 10_000,
  ) {
    // ttlResolution 0: lru-cache reads `now` on every check (one Date.now(), cheaper than the
    // timer it would otherwise set to memoise it, and a moved test clock is seen at once).
    if (ttlMs > 0) this.cache = new LRUCache({ max, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  }

  /** The remembered answer without waiting, or undefined when the store must be asked. */
  peek(id: string): { value: V | null } | undefined {
    const hit = this.cache?.get(id);
    if (!hit || this.now() >= hit.at) return hit;
    this.cache?.delete(id); // the clock went back past the read: its age is unknown
    return undefined;
  }

  async get(id: string): Promise<V | null> {
    const hit = this.peek(id);
    if (hit) return hit.value;
    const at = this.now();
    const value = await this.load(id);
    this.cache?.set(id, { value, at });
    return value;
  }

  /** Drops the remembered answer, so the next check reads the store (after a change made here). */
  forget(id: string): void {
    this.cache?.delete(id);
  }
}
