import { StoreUnavailableError, type Store } from './store';

/**
 * Wraps a store so that any failure of the backend surfaces as one typed error, which the error
 * module answers with 503 `temporarily_unavailable`: when Redis or the SQLite file is unavailable,
 * nobody is let in and nobody sees an internal message.
 */
export function failClosed(store: Store): Store {
  const wrap = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof StoreUnavailableError || err instanceof TypeError) throw err;
        throw new StoreUnavailableError(name, err);
      }
    };
  return {
    get: wrap('get', store.get.bind(store)),
    create: wrap('create', store.create.bind(store)),
    put: wrap('put', store.put.bind(store)),
    compareAndSet: wrap('compareAndSet', store.compareAndSet.bind(store)),
    consume: wrap('consume', store.consume.bind(store)),
    delete: wrap('delete', store.delete.bind(store)),
    findBy: wrap('findBy', store.findBy.bind(store)),
    list: wrap('list', store.list.bind(store)),
    increment: wrap('increment', store.increment.bind(store)),
    ping: wrap('ping', store.ping.bind(store)),
    close: () => store.close(),
  } satisfies Record<keyof Store, unknown> as Store;
}
