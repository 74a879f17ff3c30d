import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from './change-feed';

/** How a StatusCache learns of changes (see src/store/change-feed.ts). */
export interface StatusCacheInvalidation {
  feed: ChangeFeed;
  /** The store kind whose records the answers are derived from (`clients`, `users`...). */
  kind: string;
  /** How long an answer is kept while the feed pushes, as a backstop (`invalidation.safetyTtlMs`). */
  safetyTtlMs: number;
}

/** A feed and its backstop, when the runtime has one: what a cache's owner passes on. */
export type CacheFeed = Omit<StatusCacheInvalidation, 'kind'>;

interface Entry<V> {
  value: V | null;
  at: number;
  epoch: number;
  /** Loaded while the feed pushed and no change of this kind arrived during the load. */
  pushed: boolean;
}

/**
 * Records the guard reads on every request (a client's or a user's status, a token's revocation
 * state). A store failure propagates: the guard fails closed.
 *
 * Without a feed, or while the feed polls, an answer is remembered for at most `ttlMs` (`cacheMs`,
 * < 1 s), so that disabling takes effect on every node within a second without a store read per
 * request: the one bound by which a guard's decision may trail the store (docs/ops-guide.md).
 * 0 means "always ask the store", in every mode.
 *
 * While the feed pushes, an answer is kept until a change names its id (or the feed's epoch moves:
 * the channel was lost or re-subscribed, the SQLite file changed), at most `safetyTtlMs`: Redis work
 * grows with changes, not with traffic. An answer whose load overlapped a change of its kind may
 * predate that change, so it gets `ttlMs` only.
 *
 * Ages are measured on the product's clock `now` (the one the runtime is given, not lru-cache's
 * own `performance.now()`). `now` is a wall clock and may be stepped back (NTP, a resumed VM); an
 * answer read at `at` is trusted only while `at <= now`.
 */
export class StatusCache<V> {
  private readonly cache?: LRUCache<string, Entry<V>>;
  /** Grows with every change of this kind, to spot loads that overlapped one. */
  private changes = 0;

  constructor(
    private readonly load: (id: string) => Promise<V | null>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    max = 10_000,
    private readonly invalidation?: StatusCacheInvalidation,
  ) {
    const ttl = invalidation ? Math.max(ttlMs, invalidation.safetyTtlMs) : ttlMs;
    // ttlResolution 0: lru-cache reads `now` on every check (one Date.now(), cheaper than the
    // timer it would otherwise set to memoise it, and a moved test clock is seen at once).
    if (ttlMs > 0) this.cache = new LRUCache({ max, ttl, ttlResolution: 0, perf: { now } });
    invalidation?.feed.onChange((kind, id) => {
      if (kind !== invalidation.kind) return;
      this.changes++;
      this.cache?.delete(id);
    });
  }

  /** The remembered answer without waiting, or undefined when the store must be asked. */
  peek(id: string): { value: V | null } | undefined {
    const hit = this.cache?.get(id);
    if (!hit) return undefined;
    const now = this.now();
    if (now >= hit.at && now - hit.at <= this.lifetime(hit)) return hit;
    this.cache?.delete(id); // too old for the current mode, or the clock went back past the read
    return undefined;
  }

  async get(id: string): Promise<V | null> {
    const hit = this.peek(id);
    if (hit) return hit.value;
    const at = this.now();
    const feed = this.invalidation?.feed;
    const epoch = feed?.epoch() ?? 0;
    const pushed = feed?.mode === 'push';
    const changes = this.changes;
    const value = await this.load(id);
    this.cache?.set(id, { value, at, epoch, pushed: pushed && changes === this.changes });
    return value;
  }

  /** Drops the remembered answer, so the next check reads the store (after a change made here). */
  forget(id: string): void {
    this.cache?.delete(id);
  }

  /** How long `entry` may be trusted now: until told, in push mode; `ttlMs` otherwise. */
  private lifetime(entry: Entry<V>): number {
    const feed = this.invalidation?.feed;
    if (!feed) return this.ttlMs;
    if (feed.epoch() !== entry.epoch) return -1;
    return entry.pushed && feed.mode === 'push' ? this.invalidation!.safetyTtlMs : this.ttlMs;
  }
}
