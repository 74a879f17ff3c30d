import { StoreUnavailableError, type Store } from '../store/store';
import type { PortcullisMetrics } from './portcullis-metrics';

/** The store operations that are timed (close is not: it happens once). */
const OPERATIONS = ['get', 'create', 'put', 'compareAndSet', 'consume', 'delete', 'findBy', 'list', 'increment', 'ping'] as const satisfies readonly Exclude<keyof Store, 'close'>[];

/**
 * Wraps a (fail-closed) store so that every operation's latency is observed and every backend
 * failure counted, by operation name: the label values are the ten method names, nothing from
 * the records. A caller's mistake (a TypeError) is not a store error and is not counted.
 */
export function meteredStore(store: Store, metrics: PortcullisMetrics): Store {
  const metered: Partial<Store> = { close: () => store.close() };
  for (const name of OPERATIONS) {
    const timer = metrics.storeDuration.tally({ operation: name });
    const errors = metrics.storeErrors.labels(name);
    const fn = (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    (metered as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof StoreUnavailableError) errors.inc();
        throw err;
      } finally {
        timer.observe((performance.now() - start) / 1000);
      }
    };
  }
  return metered as Store;
}
