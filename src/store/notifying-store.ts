import { WATCHED_KINDS, type ChangeFeed } from './change-feed';
import type { Store } from './store';

/**
 * Wraps a store so that every write to a kind the guard caches is announced on the feed once it
 * has been applied. Every writer (admin API and pages, CLI, revocation endpoint, grant revoker)
 * goes through the store, so none can forget to announce; a read issued after the message
 * arrives sees the write, because Redis applied it before the PUBLISH.
 *
 * A write whose announcement fails rejects (503 `temporarily_unavailable` at the API, an error at
 * the CLI): the change is in the store, but other instances may keep their answers until
 * `invalidation.safetyTtlMs`, and the caller is told so instead of a success.
 */
export function notifying(store: Store, feed: ChangeFeed): Store {
  const after = <A extends [string, string, ...unknown[]], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await fn(...args);
      if (WATCHED_KINDS.has(args[0])) await feed.publish(args[0], args[1]);
      return result;
    };
  return {
    get: store.get.bind(store),
    create: after(store.create.bind(store)),
    put: after(store.put.bind(store)),
    compareAndSet: after(store.compareAndSet.bind(store)),
    consume: after(store.consume.bind(store)),
    delete: after(store.delete.bind(store)),
    findBy: store.findBy.bind(store),
    list: store.list.bind(store),
    // Counters (rate limits) are not what the guard caches: nothing to announce.
    increment: store.increment.bind(store),
    ping: store.ping.bind(store),
    close: async () => {
      await feed.close().catch(() => undefined);
      await store.close();
    },
  } satisfies Record<keyof Store, unknown> as Store;
}
