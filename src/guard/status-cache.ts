import { LRUCache } from 'lru-cache';

/**
 * Records the guard reads on every request (a client's or a user's status), remembered for at
 * most `ttlMs` (< 1 s), so that disabling takes effect on every node within a second without a
 * store read per request. A store failure propagates: the guard fails closed.
 */
export class StatusCache<V> {
  private readonly cache: LRUCache<string, { value: V | null }>;

  constructor(private readonly load: (id: string) => Promise<V | null>, ttlMs: number) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1) });
  }

  async get(id: string): Promise<V | null> {
    const hit = this.cache.get(id);
    if (hit) return hit.value;
    const value = await this.load(id);
    this.cache.set(id, { value });
    return value;
  }
}
