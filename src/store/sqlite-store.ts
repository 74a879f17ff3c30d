import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store, StoredRecord, WriteOptions } from './store';
import { SCHEMA } from './sqlite-schema';

/** Options for {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file path, or `':memory:'` for a private in-memory database. */
  path: string;
  /** Clock used for expiry comparisons, in epoch milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

interface RecordRow {
  id: string;
  value: string;
  version: number;
  expires_at: number | null;
}

/** Expired rows are purged once every this many writes, so the file does not grow without bound. */
const CLEANUP_EVERY_WRITES = 200;

// A record is live while `now` has not passed its expiry ("once past, invisible"), which is
// also how Redis treats PEXPIREAT, so both backends agree on the boundary millisecond.
const LIVE = '(expires_at IS NULL OR expires_at >= @now)';

/**
 * Embedded {@link Store} on a single SQLite file (or memory), via better-sqlite3.
 *
 * WAL mode plus a busy timeout let several processes (the server and the CLI) share one file.
 * Every write runs in a `BEGIN IMMEDIATE` transaction so that the write lock is taken up front:
 * two processes never both read a version and then race to upgrade to a write lock.
 *
 * `put` and `compareAndSet` replace the record wholesale: expiry and indexes not passed in the
 * options are cleared, exactly like the value.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly stmts: ReturnType<typeof prepare>;
  private writesSinceCleanup = 0;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    const inMemory = options.path === ':memory:' || options.path === '';
    if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
    this.now = options.now ?? Date.now;
    this.db = new Database(options.path);
    try {
      // busy_timeout first: the WAL switch and schema creation may wait on another process.
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      this.stmts = prepare(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async get<T>(kind: string, id: string): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    const row = this.stmts.get.get({ kind, id, now: this.now() }) as RecordRow | undefined;
    return row && toRecord<T>(row);
  }

  async create<T>(kind: string, id: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    this.assertOpen();
    const json = serialise(value);
    const expiresAt = expiryOf(options);
    return this.writeTx(() => {
      const now = this.now();
      // An expired row still occupies the primary key: clear it so the insert can take its place.
      if (this.stmts.deleteExpired.run({ kind, id, now }).changes > 0) this.stmts.deleteIndexes.run({ kind, id });
      const inserted = this.stmts.insert.run({ kind, id, value: json, expiresAt });
      if (inserted.changes === 0) return false;
      this.writeIndexes(kind, id, options.indexes);
      return true;
    });
  }

  async put<T>(kind: string, id: string, value: T, options: WriteOptions = {}): Promise<number> {
    this.assertOpen();
    const json = serialise(value);
    const expiresAt = expiryOf(options);
    return this.writeTx(() => {
      const params = { kind, id, value: json, expiresAt, now: this.now() };
      const { version } = this.stmts.upsert.get(params) as { version: number };
      this.writeIndexes(kind, id, options.indexes);
      return version;
    });
  }

  async compareAndSet<T>(
    kind: string,
    id: string,
    expectedVersion: number,
    value: T,
    options: WriteOptions = {},
  ): Promise<number | undefined> {
    this.assertOpen();
    const json = serialise(value);
    const expiresAt = expiryOf(options);
    return this.writeTx(() => {
      const params = { kind, id, expectedVersion, value: json, expiresAt, now: this.now() };
      const row = this.stmts.compareAndSet.get(params) as { version: number } | undefined;
      if (!row) return undefined;
      this.writeIndexes(kind, id, options.indexes);
      return row.version;
    });
  }

  async consume<T>(kind: string, id: string): Promise<T | undefined> {
    this.assertOpen();
    return this.writeTx(() => {
      // DELETE ... RETURNING inside an immediate transaction: only one caller can see the row.
      const row = this.stmts.consume.get({ kind, id, now: this.now() }) as { value: string } | undefined;
      if (!row) return undefined;
      this.stmts.deleteIndexes.run({ kind, id });
      return JSON.parse(row.value) as T;
    });
  }

  async delete(kind: string, id: string): Promise<boolean> {
    this.assertOpen();
    return this.writeTx(() => {
      const deleted = this.stmts.deleteLive.run({ kind, id, now: this.now() }).changes > 0;
      if (deleted) this.stmts.deleteIndexes.run({ kind, id });
      return deleted;
    });
  }

  async findBy<T>(kind: string, name: string, value: string): Promise<StoredRecord<T>[]> {
    this.assertOpen();
    const rows = this.stmts.findBy.all({ kind, name, value, now: this.now() }) as RecordRow[];
    return rows.map((row) => toRecord<T>(row));
  }

  async list<T>(kind: string): Promise<StoredRecord<T>[]> {
    this.assertOpen();
    const rows = this.stmts.list.all({ kind, now: this.now() }) as RecordRow[];
    return rows.map((row) => toRecord<T>(row));
  }

  async increment(kind: string, id: string, ttlMs: number): Promise<number> {
    this.assertOpen();
    const ms = Math.ceil(ttlMs);
    if (!Number.isSafeInteger(ms) || ms < 1) throw new TypeError(`Invalid ttlMs: ${ttlMs}`);
    // One upsert in an immediate transaction: concurrent processes never lose a count.
    return this.writeTx(() => {
      const now = this.now();
      return (this.stmts.increment.get({ kind, id, now, expiresAt: now + ms }) as { count: number }).count;
    });
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.stmts.ping.get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** Deletes every expired record and its index rows; returns how many records went. */
  purgeExpired(): number {
    this.assertOpen();
    return this.db.transaction(() => {
      const now = this.now();
      this.stmts.purgeExpiredIndexes.run({ now });
      this.stmts.purgeExpiredCounters.run({ now });
      return this.stmts.purgeExpired.run({ now }).changes;
    }).immediate();
  }

  private writeTx<R>(fn: () => R): R {
    const result = this.db.transaction(fn).immediate();
    if (++this.writesSinceCleanup >= CLEANUP_EVERY_WRITES) {
      this.writesSinceCleanup = 0;
      // Housekeeping must never fail the caller's (already committed) write.
      try {
        this.purgeExpired();
      } catch {
        /* retried after the next batch of writes */
      }
    }
    return result;
  }

  private writeIndexes(kind: string, id: string, indexes: Record<string, string> | undefined): void {
    this.stmts.deleteIndexes.run({ kind, id });
    for (const [name, value] of Object.entries(indexes ?? {})) {
      this.stmts.insertIndex.run({ kind, id, name, value: String(value) });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteStore is closed');
  }
}

function prepare(db: Database.Database) {
  const columns = 'id, value, version, expires_at';
  return {
    get: db.prepare(`SELECT ${columns} FROM records WHERE kind = @kind AND id = @id AND ${LIVE}`),
    insert: db.prepare(
      `INSERT OR IGNORE INTO records (kind, id, value, version, expires_at) VALUES (@kind, @id, @value, 1, @expiresAt)`,
    ),
    // Replacing an expired row restarts its version history: it is a new record.
    upsert: db.prepare(
      `INSERT INTO records (kind, id, value, version, expires_at) VALUES (@kind, @id, @value, 1, @expiresAt)
       ON CONFLICT (kind, id) DO UPDATE SET
         value = excluded.value,
         expires_at = excluded.expires_at,
         version = CASE WHEN records.expires_at < @now THEN 1 ELSE records.version + 1 END
       RETURNING version`,
    ),
    compareAndSet: db.prepare(
      `UPDATE records SET value = @value, expires_at = @expiresAt, version = version + 1
       WHERE kind = @kind AND id = @id AND version = @expectedVersion AND ${LIVE}
       RETURNING version`,
    ),
    consume: db.prepare(`DELETE FROM records WHERE kind = @kind AND id = @id AND ${LIVE} RETURNING value`),
    deleteLive: db.prepare(`DELETE FROM records WHERE kind = @kind AND id = @id AND ${LIVE}`),
    deleteExpired: db.prepare(`DELETE FROM records WHERE kind = @kind AND id = @id AND expires_at < @now`),
    deleteIndexes: db.prepare(`DELETE FROM record_indexes WHERE kind = @kind AND id = @id`),
    insertIndex: db.prepare(
      `INSERT INTO record_indexes (kind, name, value, id) VALUES (@kind, @name, @value, @id)`,
    ),
    findBy: db.prepare(
      `SELECT r.id, r.value, r.version, r.expires_at FROM record_indexes i
       JOIN records r ON r.kind = i.kind AND r.id = i.id
       WHERE i.kind = @kind AND i.name = @name AND i.value = @value
         AND (r.expires_at IS NULL OR r.expires_at >= @now)
       ORDER BY r.id`,
    ),
    list: db.prepare(`SELECT ${columns} FROM records WHERE kind = @kind AND ${LIVE} ORDER BY id`),
    purgeExpiredIndexes: db.prepare(
      `DELETE FROM record_indexes WHERE (kind, id) IN (SELECT kind, id FROM records WHERE expires_at < @now)`,
    ),
    purgeExpired: db.prepare(`DELETE FROM records WHERE expires_at < @now`),
    // An expired counter starts again at 1 with a new expiry, the way Redis recreates an expired key.
    increment: db.prepare(
      `INSERT INTO counters (kind, id, count, expires_at) VALUES (@kind, @id, 1, @expiresAt)
       ON CONFLICT (kind, id) DO UPDATE SET
         count = CASE WHEN counters.expires_at < @now THEN 1 ELSE counters.count + 1 END,
         expires_at = CASE WHEN counters.expires_at < @now THEN excluded.expires_at ELSE counters.expires_at END
       RETURNING count`,
    ),
    purgeExpiredCounters: db.prepare(`DELETE FROM counters WHERE expires_at < @now`),
    ping: db.prepare('SELECT 1'),
  };
}

/** Expiry column value. NaN would bind as NULL, silently making the record immortal. */
function expiryOf(options: WriteOptions): number | null {
  if (options.expiresAt === undefined) return null;
  const expiresAt = Math.trunc(options.expiresAt);
  if (!Number.isSafeInteger(expiresAt)) throw new TypeError(`Invalid expiresAt: ${options.expiresAt}`);
  return expiresAt;
}

function toRecord<T>(row: RecordRow): StoredRecord<T> {
  const record: StoredRecord<T> = { id: row.id, value: JSON.parse(row.value) as T, version: row.version };
  if (row.expires_at !== null) record.expiresAt = row.expires_at;
  return record;
}

/** JSON text for a value; rejects what JSON cannot carry instead of storing a corrupt row. */
function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('Store values must be JSON-serialisable (got undefined or a function)');
  return json;
}
