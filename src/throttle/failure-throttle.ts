import { createHash } from 'node:crypto';
import type { Store, StoredRecord } from '../store/store';
import { cachedWhilePushed } from '../store/pushed-cache';
import type { CacheFeed } from '../store/status-cache';

/** One counter: attempts counted in the current window, and the lock they caused. */
interface Counter {
  /** Attempts that began in this window and were not refunded by a success. */
  count: number;
  /** Epoch ms when the current counting window ends (it starts at its first attempt). */
  windowEndsAt: number;
  /** Epoch ms until which the key is locked (0: never locked). */
  lockedUntil: number;
  /** Locks so far, remembered for `maxLockoutSeconds` after the last one: each lasts twice as long. */
  lockouts: number;
}

/** A key to count an attempt under, and how many failures in one window it may have. */
export interface ThrottleKey {
  id: string;
  limit: number;
}

export interface FailureThrottleOptions {
  /** Failures are counted over this many seconds; the first lock lasts this long too. */
  windowSeconds: number;
  /** Repeated locks double in length up to this bound: a lock is never for good. */
  maxLockoutSeconds: number;
}

/** How {@link FailureThrottle.lockedFor} may keep what it read: while every change is pushed (pushed-cache.ts). */
export interface LockReadCache {
  cacheMs: number;
  push: CacheFeed;
}

/** Compare-and-set retries for one update; past them the attempt is refused (fail closed). */
const CAS_ATTEMPTS = 50;

/**
 * Counts failures (wrong passwords, wrong client secrets) per key in the store, so every gateway
 * instance sharing a Redis store (or a SQLite file) shares the counts, and locks a key that has
 * more than `limit` within one window.
 *
 * An attempt is counted when it begins, before the secret is checked, and refunded if it
 * succeeds: so a burst of parallel guesses cannot all pass the check before the first failure is
 * recorded. The attempt after the `limit`-th failure locks the key. The first lock lasts
 * `windowSeconds`; each further lock of the same key (while it is remembered) lasts twice as long
 * as the one before, up to `maxLockoutSeconds`: a patient attacker is slowed more and more, a
 * legitimate user is never locked out for good. Attempts refused during a lock are not counted.
 *
 * Updates are compare-and-set loops on TTL records, atomic on SQLite and on Redis alike.
 */
export class FailureThrottle {
  /** The stored counter of a key, as {@link lockedFor} reads it. */
  private readonly counterOf: (id: string) => Promise<Counter | undefined>;

  constructor(
    private readonly store: Store,
    private readonly kind: string,
    private readonly options: FailureThrottleOptions,
    private readonly now: () => number = Date.now,
    lockReads?: LockReadCache,
  ) {
    const read = async (id: string) => (await this.store.get<Counter>(this.kind, id))?.value;
    // The counters change only by writes through the store, which announce them (the kind is
    // watched, change-feed.ts): while the feed pushes, a read is kept until a write names its key,
    // as the client record is. Counting (`update`) always reads the store itself, for its CAS.
    this.counterOf = lockReads ? cachedWhilePushed(read, kind, lockReads.cacheMs, lockReads.push, now) : read;
  }

  /**
   * Begins an attempt: counts it under every key and answers 0, or, if one key is locked (or this
   * attempt locks it), counts nothing and answers the seconds to wait (at least 1).
   */
  async begin(keys: ThrottleKey[]): Promise<number> {
    const counted: string[] = [];
    for (const key of keys) {
      let wait = 0;
      const done = await this.update(key.id, (current) => {
        wait = 0;
        const now = this.now();
        if (current && current.lockedUntil > now) {
          wait = seconds(current.lockedUntil - now);
          return undefined;
        }
        const counter = this.inWindow(current, now);
        counter.count += 1;
        if (counter.count > key.limit) {
          const locked = this.lock(counter, now);
          wait = seconds(locked.lockedUntil - now);
          return locked;
        }
        return counter;
      });
      if (!done) wait = Math.max(wait, 1);
      if (wait > 0) {
        await this.succeeded(counted);
        return wait;
      }
      counted.push(key.id);
    }
    return 0;
  }

  /** Seconds until `id` is unlocked (rounded up), or 0 when it is not locked. Reads only. */
  async lockedFor(id: string): Promise<number> {
    const counter = await this.counterOf(storeId(id));
    const left = (counter?.lockedUntil ?? 0) - this.now();
    return left > 0 ? seconds(left) : 0;
  }

  /**
   * Counts a failure of an attempt that was not begun with {@link begin} (a caller trusted enough
   * to skip the counting in advance). The `limit`-th failure locks the key at once, so, as with
   * `begin`, every attempt after the `limit`-th failure is refused.
   */
  async recordFailure(keys: ThrottleKey[]): Promise<void> {
    for (const key of keys) {
      await this.update(key.id, (current) => {
        const now = this.now();
        if (current && current.lockedUntil > now) return undefined;
        const counter = this.inWindow(current, now);
        counter.count += 1;
        return counter.count >= key.limit ? this.lock(counter, now) : counter;
      });
    }
  }

  /** The attempt begun under `ids` succeeded: it is refunded, it was not a failure. */
  async succeeded(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.update(id, (current) => (current && current.count > 0 && current.lockedUntil <= this.now() ? { ...current, count: current.count - 1 } : undefined));
    }
  }

  /** Forgets `id`'s failures and lock history unless it is locked now (a success that proves the secret). */
  async resetUnlessLocked(id: string): Promise<void> {
    const record = await this.store.get<Counter>(this.kind, storeId(id));
    if (record && record.value.lockedUntil <= this.now()) await this.store.delete(this.kind, storeId(id));
  }

  /** Locks a counter: the first lock lasts windowSeconds, each further one twice as long, up to the cap. */
  private lock(counter: Counter, now: number): Counter {
    const lockSeconds = Math.min(this.options.windowSeconds * 2 ** counter.lockouts, this.options.maxLockoutSeconds);
    return { count: 0, windowEndsAt: now, lockedUntil: now + lockSeconds * 1000, lockouts: counter.lockouts + 1 };
  }

  /** The counter as it stands for an attempt at `now`: a new window once the old one has ended. */
  private inWindow(current: Counter | undefined, now: number): Counter {
    if (current && now < current.windowEndsAt) return { ...current };
    return { count: 0, windowEndsAt: now + this.options.windowSeconds * 1000, lockedUntil: current?.lockedUntil ?? 0, lockouts: current?.lockouts ?? 0 };
  }

  /**
   * Applies `change` atomically (compare-and-set, retried); `change` returning undefined writes
   * nothing. False if the update could not be applied for contention.
   */
  private async update(key: string, change: (current: Counter | undefined) => Counter | undefined): Promise<boolean> {
    const id = storeId(key);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const record: StoredRecord<Counter> | undefined = await this.store.get<Counter>(this.kind, id);
      const next = change(record?.value);
      if (!next) return true;
      // Kept while it counts, and while its lock history matters for the next lock's length.
      const options = { expiresAt: Math.max(next.windowEndsAt, next.lockedUntil + this.options.maxLockoutSeconds * 1000) };
      if (!record ? await this.store.create(this.kind, id, next, options) : (await this.store.compareAndSet(this.kind, id, record.version, next, options)) !== undefined) {
        return true;
      }
    }
    return false;
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Keys come from requests (a username, a claimed client id): long ones are stored as a hash, so no request makes a huge record id. */
const storeId = (key: string) => (key.length <= 128 ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`);
