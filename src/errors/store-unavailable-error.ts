/**
 * The store's backend could not serve a call (down, closed, timed out). Callers fail closed on it.
 * It lives here, below the store, so the error classifier knows it without importing the store;
 * `store/store.ts` re-exports it for the store's callers.
 */
export class StoreUnavailableError extends Error {
  constructor(readonly operation: string, cause: unknown, context = `store ${operation} failed`) {
    super(`${context}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}
