import { ConflictError, NotFoundError } from '../errors/domain-errors';
import type { Store, WriteOptions } from './store';

/** Enough rounds for a burst of concurrent edits of one record to all land. */
const ATTEMPTS = 50;

/**
 * Read-modify-write of one record with compare-and-set, so concurrent edits never lose each other.
 * Each failed compare-and-set means another write landed; a small random pause between attempts
 * stops writers from retrying in lockstep (where only one of them wins each round).
 */
export async function updateRecord<T>(
  store: Store,
  kind: string,
  id: string,
  what: string,
  change: (current: T) => T,
  options: (next: T) => WriteOptions = () => ({}),
): Promise<T> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    const record = await store.get<T>(kind, id);
    if (!record) throw new NotFoundError(what, id);
    const next = change(record.value);
    if ((await store.compareAndSet(kind, id, record.version, next, options(next))) !== undefined) return next;
  }
  throw new ConflictError(`${what} ${id} is being changed by someone else; try again`);
}
