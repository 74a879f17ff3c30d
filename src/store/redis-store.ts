import type { RedisConnectionSettings } from '../config/settings';
import { createRedisConnection, type RedisConnection } from './redis-connection';
import { redisKeys, type RedisKeys } from './redis-keys';
import { CONSUME_SCRIPT, INCREMENT_SCRIPT, READ_SET_SCRIPT, WRITE_SCRIPT, type LuaScript } from './redis-scripts';
import type { Store, StoredRecord, WriteOptions } from './store';
import { withDeadline } from './with-deadline';

/** Options for {@link RedisStore}. */
export interface RedisStoreOptions {
  /** e.g. `redis://127.0.0.1:6379`, `rediss://user:pass@host:6380/2` (standalone mode). */
  url: string;
  /** Cluster or Sentinel, TLS files, ACL credentials (`store.redis`); default: standalone at `url`. */
  connection?: RedisConnectionSettings;
  /** Prepended to every key so several deployments (or test runs) can share one Redis. */
  keyPrefix?: string;
  /** Upper bound for a single store operation before it rejects; default 5000 ms. */
  commandTimeoutMs?: number;
  /** How long {@link RedisStore.open} waits for the first connection; default 5000 ms. */
  connectTimeoutMs?: number;
  /** Receives connection errors (the client keeps reconnecting); default: ignore them. */
  onError?: (error: Error) => void;
  /**
   * A clock for expiry, in epoch milliseconds (tests: the runtime's controllable clock). Given,
   * a record whose `expiresAt` is before `now()` is absent to every read and write, and a counter
   * expires `ttlMs` after its first increment on this clock, exactly as on SqliteStore. Redis
   * still drops the keys, once both the expiry and as long again on its own clock have passed (a
   * test clock may lag behind the real one). Absent (production): Redis's clock alone.
   */
  now?: () => number;
}

/**
 * Shared {@link Store} on Redis, for running several issuer instances behind a load balancer.
 *
 * Layout (key names: redis-keys.ts, hash-tagged per kind in Cluster mode):
 * - a record — a hash {v: value JSON, ver, exp?, idx: indexes JSON},
 *   expiring with PEXPIREAT. A hash rather than one JSON string so the Lua scripts never have to
 *   parse or re-serialise the caller's JSON (cjson turns `[]` into `{}` and rounds numbers).
 * - the ids of a kind — a set, for `list`.
 * - an index value of a kind — a set of ids, for `findBy`.
 * - a counter of `increment` — an integer with a PEXPIRE TTL.
 *
 * Writes and consume are Lua scripts, hence atomic. Sets may keep ids of records that expired;
 * readers skip and remove them. Kinds and index names are code constants and must not contain
 * ':' (ids and index values may contain anything).
 *
 * Fails closed: while Redis is unreachable every operation rejects instead of queueing or
 * answering "not found", and `ping` rejects. Scripts touch keys not declared in KEYS (index sets,
 * the records a set names); in Cluster mode those keys carry the same hash tag as KEYS[1], so
 * every script runs on one slot of one master (while that slot is not being migrated: see the
 * resharding note in docs/ops-guide.md).
 *
 * An operation that times out may still have been applied; callers see only the rejection.
 *
 * `put` and `compareAndSet` replace the record wholesale, options included.
 */
export class RedisStore implements Store {
  private readonly client: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly now?: () => number;
  private closed = false;

  /** Use {@link RedisStore.open}; the constructor does not connect. */
  constructor(options: RedisStoreOptions) {
    this.keys = redisKeys(options.keyPrefix ?? 'portcullis:', options.connection?.mode === 'cluster');
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.now = options.now;
    this.client = createRedisConnection(options.url, options.connection, { connectTimeoutMs: this.connectTimeoutMs });
    // Without a listener an 'error' event would crash the process on every lost connection.
    const onError = options.onError ?? (() => undefined);
    this.client.on('error', (error: Error) => onError(error));
  }

  /** Creates a store and waits for its first connection; rejects if Redis is unreachable. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const store = new RedisStore(options);
    await store.connect();
    return store;
  }

  /** Connects, giving up (and releasing the client) after `connectTimeoutMs`. */
  async connect(): Promise<void> {
    try {
      // connect() retries under reconnectStrategy forever, so bound it ourselves.
      await withDeadline(this.client.connect(), this.connectTimeoutMs, 'Redis connect');
    } catch (error) {
      this.closed = true;
      await this.destroyQuietly();
      throw error;
    }
  }

  async get<T>(kind: string, id: string): Promise<StoredRecord<T> | undefined> {
    const [v, ver, exp] = await this.run(() => this.client.hmGet(this.recordKey(kind, id), ['v', 'ver', 'exp']));
    if (v == null || ver == null) return undefined;
    if (this.now && exp && Number(exp) < this.now()) return undefined;
    return toRecord<T>(id, v, ver, exp ?? '');
  }

  async create<T>(kind: string, id: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    return (await this.write('create', kind, id, 0, value, options)) !== undefined;
  }

  async put<T>(kind: string, id: string, value: T, options: WriteOptions = {}): Promise<number> {
    const version = await this.write('put', kind, id, 0, value, options);
    if (version === undefined) throw new Error('RedisStore: put unexpectedly refused');
    return version;
  }

  async compareAndSet<T>(
    kind: string,
    id: string,
    expectedVersion: number,
    value: T,
    options: WriteOptions = {},
  ): Promise<number | undefined> {
    return this.write('cas', kind, id, expectedVersion, value, options);
  }

  async consume<T>(kind: string, id: string): Promise<T | undefined> {
    const json = await this.remove(kind, id);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async delete(kind: string, id: string): Promise<boolean> {
    return (await this.remove(kind, id)) !== null;
  }

  async findBy<T>(kind: string, name: string, value: string): Promise<StoredRecord<T>[]> {
    return this.readSet<T>(kind, this.indexKey(kind, name, value), [name, String(value)]);
  }

  async list<T>(kind: string): Promise<StoredRecord<T>[]> {
    return this.readSet<T>(kind, this.idsKey(kind), []);
  }

  async increment(kind: string, id: string, ttlMs: number): Promise<number> {
    const reply = await this.script(INCREMENT_SCRIPT, [this.counterKey(kind, id)], [ttlArg(ttlMs), this.nowArg(), this.redisExpiryArg(this.now ? this.now() + Math.ceil(ttlMs) : undefined)]);
    return Number(reply);
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A graceful close waits for replies, which never come from a dead server.
    if (this.client.isReady) await this.client.close().catch(() => this.destroyQuietly());
    else if (this.client.isOpen) await this.destroyQuietly();
  }

  /** Drops every socket now; the Sentinel client's destroy is async and may reject. */
  private async destroyQuietly(): Promise<void> {
    try {
      await this.client.destroy();
    } catch {
      // Already closed: nothing left to release.
    }
  }

  private async write(
    mode: 'create' | 'put' | 'cas',
    kind: string,
    id: string,
    expectedVersion: number,
    value: unknown,
    options: WriteOptions,
  ): Promise<number | undefined> {
    const indexes = Object.entries(options.indexes ?? {}).map(([n, v]) => [n, String(v)]);
    const args = [
      mode,
      String(expectedVersion),
      serialise(value),
      expiryArg(options.expiresAt),
      JSON.stringify(Object.fromEntries(indexes)),
      this.indexPrefix(kind),
      id,
      this.nowArg(),
      this.redisExpiryArg(options.expiresAt),
      ...indexes.flat(),
    ];
    const reply = await this.script(WRITE_SCRIPT, [this.recordKey(kind, id), this.idsKey(kind)], args);
    const version = Number(reply);
    return version > 0 ? version : undefined;
  }

  /** Atomically deletes a record and its index entries; its value JSON, or null if absent. */
  private async remove(kind: string, id: string): Promise<string | null> {
    const keys = [this.recordKey(kind, id), this.idsKey(kind)];
    const reply = await this.script(CONSUME_SCRIPT, keys, [this.indexPrefix(kind), id, this.nowArg()]);
    return typeof reply === 'string' ? reply : null;
  }

  private async readSet<T>(kind: string, setKey: string, indexFilter: string[]): Promise<StoredRecord<T>[]> {
    const reply = await this.script(READ_SET_SCRIPT, [setKey], [this.recordPrefix(kind), this.nowArg(), ...indexFilter]);
    const flat = reply as string[];
    const records: StoredRecord<T>[] = [];
    for (let i = 0; i < flat.length; i += 4) records.push(toRecord<T>(flat[i], flat[i + 1], flat[i + 2], flat[i + 3]));
    // Byte order of the UTF-8 ids, the order SQLite's BINARY collation gives the other backend.
    return records.sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  }

  /** EVALSHA, loading the script with EVAL the first time (or after a SCRIPT FLUSH / failover). */
  private async script({ source, sha }: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    return this.run(() =>
      this.client.evalSha(sha, { keys, arguments: args }).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
          return this.client.eval(source, { keys, arguments: args });
        }
        throw error;
      }),
    );
  }

  /** The scripts' `now` argument: '' leaves expiry to Redis's clock. */
  private nowArg(): string {
    return this.now ? String(Math.trunc(this.now())) : '';
  }

  /**
   * When Redis drops a key expiring at `expiresAt` on the injected clock: at `expiresAt`, or as
   * long from now on Redis's clock if later, so that a lagging test clock never sees a live
   * record vanish. '' (without an injected clock): at `expiresAt` itself.
   */
  private redisExpiryArg(expiresAt: number | undefined): string {
    if (!this.now || expiresAt === undefined || !Number.isSafeInteger(Math.trunc(expiresAt))) return '';
    return String(Math.trunc(Math.max(expiresAt, Date.now() + (expiresAt - this.now()))));
  }

  /** Runs one Redis round trip with the closed check and the per-operation deadline. */
  private async run<R>(op: () => Promise<R>): Promise<R> {
    if (this.closed) throw new Error('RedisStore is closed');
    return withDeadline(op(), this.commandTimeoutMs, 'Redis command');
  }

  private recordPrefix = (kind: string) => this.keys.recordPrefix(kind);
  private recordKey = (kind: string, id: string) => this.keys.record(kind, id);
  private idsKey = (kind: string) => this.keys.ids(kind);
  private indexPrefix = (kind: string) => this.keys.indexPrefix(kind);
  private indexKey = (kind: string, name: string, value: string) => this.keys.index(kind, name, value);
  private counterKey = (kind: string, id: string) => this.keys.counter(kind, id);
}

function toRecord<T>(id: string, v: string, ver: string, exp: string): StoredRecord<T> {
  const record: StoredRecord<T> = { id, value: JSON.parse(v) as T, version: Number(ver) };
  if (exp !== '') record.expiresAt = Number(exp);
  return record;
}

/** JSON text for a value; rejects what JSON cannot carry instead of storing a corrupt record. */
function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('Store values must be JSON-serialisable (got undefined or a function)');
  return json;
}

/**
 * PEXPIREAT argument ('' for none). Checked here because a Lua error half-way through a script
 * would leave its earlier writes in place: Redis does not roll scripts back.
 */
function expiryArg(expiresAt: number | undefined): string {
  if (expiresAt === undefined) return '';
  if (!Number.isSafeInteger(Math.trunc(expiresAt))) throw new TypeError(`Invalid expiresAt: ${expiresAt}`);
  return String(Math.trunc(expiresAt));
}

/** PEXPIRE argument: a positive whole number of milliseconds (a Lua error would be a 503). */
function ttlArg(ttlMs: number): string {
  const ms = Math.ceil(ttlMs);
  if (!Number.isSafeInteger(ms) || ms < 1) throw new TypeError(`Invalid ttlMs: ${ttlMs}`);
  return String(ms);
}
