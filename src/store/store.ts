/**
 * The one storage interface every backend implements (SQLite embedded, Redis shared).
 *
 * Records live in named collections ("kinds": `clients`, `codes`, `refresh-tokens`...), are
 * JSON-serialisable values, carry a version number for compare-and-set, may expire at an absolute
 * time, and may be tagged with secondary index values so the issuer can find them by something
 * other than their id (all refresh tokens of a family, all tokens of a client).
 *
 * Every backend is held to the same contract suite: `test/store/store-contract.ts`.
 */
export interface StoredRecord<T> {
  id: string;
  value: T;
  /** Starts at 1 and grows by one on every write; the token for compareAndSet. */
  version: number;
  /** Absolute expiry in epoch milliseconds, if the record expires. */
  expiresAt?: number;
}

export interface WriteOptions {
  /** Absolute expiry in epoch milliseconds. Once past, the record is invisible to every read. */
  expiresAt?: number;
  /** Secondary index values, e.g. `{ client: 'abc', family: 'f1' }`, queried with findBy. */
  indexes?: Record<string, string>;
}

export interface Store {
  /** A live record, or undefined if absent or expired. */
  get<T>(kind: string, id: string): Promise<StoredRecord<T> | undefined>;
  /** Creates a record; false (and nothing written) if a live record with that id exists. */
  create<T>(kind: string, id: string, value: T, options?: WriteOptions): Promise<boolean>;
  /** Creates or replaces unconditionally; returns the new version. */
  put<T>(kind: string, id: string, value: T, options?: WriteOptions): Promise<number>;
  /**
   * Replaces the record only if its current version is `expectedVersion`.
   * Returns the new version, or undefined when the record changed, expired or vanished.
   */
  compareAndSet<T>(
    kind: string,
    id: string,
    expectedVersion: number,
    value: T,
    options?: WriteOptions,
  ): Promise<number | undefined>;
  /** Atomically reads and deletes: of many concurrent callers at most one gets the value. */
  consume<T>(kind: string, id: string): Promise<T | undefined>;
  /** Deletes; true if a live record was deleted. */
  delete(kind: string, id: string): Promise<boolean>;
  /** Live records of `kind` whose index `name` has `value`. */
  findBy<T>(kind: string, name: string, value: string): Promise<StoredRecord<T>[]>;
  /** Every live record of `kind`, ordered by id. */
  list<T>(kind: string): Promise<StoredRecord<T>[]>;
  /**
   * Atomically adds one to the counter `id` of `kind` and returns its new value. A counter that
   * does not exist (or has expired) starts at 1 and expires `ttlMs` after that first increment,
   * measured on the backend's clock; later increments do not extend it. Counters live apart from
   * records: `get`, `list` and `delete` never see them. One round trip on every backend.
   */
  increment(kind: string, id: string, ttlMs: number): Promise<number>;
  /** Throws if the backend cannot serve requests (used by health checks and to fail closed). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The backend could not serve a call (down, closed, timed out); defined with the errors, kept here for the store's callers. */
export { StoreUnavailableError } from '../errors/store-unavailable-error';
