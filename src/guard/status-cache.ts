import { LRUCache } from 'lru-cache';

/**
 * Records the guard reads on every request (a client's or a user's status), remembered for at
 * most `ttlMs` (< 1 s), so that disabling takes effect on every node within a second without a
 * store read per request. A store failure propagates: the guard fails closed.
 * This lag is by design and documented (`cacheMs` in docs/ops-guide.md): it is the one bound by
 * which a guard's decision may trail the store; nothing else the guard remembers outlives its basis.
 */
export class StatusCache<V> {
  private readonly cache: LRUCache<string, { value: V | null }>;

  constructor(private readonly load: (id: string) => Promise<V | null>, ttlMs: number) {
    // ttlResolution: re-reading the clock every 20 ms (not every 1 ms) is plenty for a 500 ms TTL.
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1), ttlResolution: 20 });
  }

  /** The remembered answer without waiting, or undefined when the store must be asked. */
  peek(id: string): { value: V | null } | undefined {
    return this.cache.get(id);
  }

  async get(id: string): Promise<V | null> {
    const hit = this.cache.get(id);
    if (hit) return hit.value;
    const value = await this.load(id);
    this.cache.set(id, { value });
    return value;
  }
}
