import { StatusCache, type CacheFeed } from './status-cache';

/**
 * A record the issuer reads on every token request (the client it authenticates, the roles admins
 * made in its application), remembered only while changes are pushed to this instance
 * (`invalidation.push`, src/store/change-feed.ts). The guard may trail the store by `cacheMs` while
 * the feed polls; the issuer must not (a deactivated client gets no new token, a rotated secret
 * stops working at once), so without push every request asks the store, as before.
 *
 * While the feed pushes, an answer is kept until a change names it, the feed's epoch moves (the
 * channel was lost or re-subscribed, another process committed to the SQLite file: looked at on
 * every read here, not every `cacheMs` as the guard does), or
 * `safetyTtlMs` passes; a load that overlapped a change of its kind is kept for 1 ms only (it may
 * predate that change). Changes made by this process are announced at once (every push feed does).
 * `cacheMs: 0` ("trust nothing") turns it off. A store failure propagates: the caller fails closed.
 */
export class PushedCache<V> {
  private readonly cache?: StatusCache<V>;

  constructor(
    private readonly load: (id: string) => Promise<V>,
    kind: string,
    cacheMs: number,
    private readonly push?: CacheFeed,
    now?: () => number,
  ) {
    if (push && cacheMs > 0) this.cache = new StatusCache<V>(load, 1, now, 10_000, { ...push, kind });
  }

  async get(id: string): Promise<V> {
    const feed = this.push?.feed;
    if (!this.cache || feed!.mode !== 'push') return this.load(id);
    // SQLite: another process's commit is seen now, not within cacheMs (the epoch moves, answers go).
    feed!.epochNow?.();
    return (await this.cache.get(id)) as V;
  }
}

/** `load` through a {@link PushedCache} of `kind`. */
export function cachedWhilePushed<V>(load: (id: string) => Promise<V>, kind: string, cacheMs: number, push?: CacheFeed, now?: () => number): (id: string) => Promise<V> {
  const cache = new PushedCache(load, kind, cacheMs, push, now);
  return (id) => cache.get(id);
}
