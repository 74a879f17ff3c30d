/**
 * How an instance learns that a record its guard caches has changed, so that its caches can keep
 * answers until told otherwise instead of re-reading the store every `cacheMs` (issue 10, part 7).
 *
 * - `push`: every change reaches this instance (Redis pub/sub subscribed, or SQLite's
 *   `data_version` watched): cached answers are kept until a change names them, or until
 *   `invalidation.safetyTtlMs` as a backstop against a change written without a notification.
 * - `polling`: no such guarantee (push off, channel down or not yet subscribed): cached answers are
 *   trusted for `cacheMs` only, as before.
 *
 * The epoch grows whenever answers cached before may have missed a change (the channel was lost or
 * (re)subscribed, another process committed to the SQLite file): answers of an older epoch are
 * never used.
 */
export type InvalidationMode = 'push' | 'polling';

export interface ChangeFeed {
  /** Whether cached answers may be kept until told (see above). */
  readonly mode: InvalidationMode;
  /** The current epoch; may look at the backend (at most every `cacheMs`) first. */
  epoch(): number;
  /**
   * The current epoch after looking at the backend now, for a feed that otherwise looks only every
   * `cacheMs` (SQLite's `data_version`); absent where every change is pushed as it happens.
   */
  epochNow?(): number;
  /** Calls `listener` with the kind and id of every changed record; returns the unsubscriber. */
  onChange(listener: (kind: string, id: string) => void): () => void;
  /** Calls `listener` on every change of mode (for the `portcullis_invalidation_push_up` gauge). */
  onModeChange(listener: (mode: InvalidationMode) => void): () => void;
  /** Tells this instance (at once) and every other one that a record changed; after the write. */
  publish(kind: string, id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store kinds other instances keep answers from: client status, user status, revoked access
 * tokens, API keys and the roles admins made (one record per application): the guard's caches;
 * the signing keys with their active-key pointer (`meta`); and the client-authentication failure
 * counters, whose lock the token endpoint reads on every request (throttle/failure-throttle.ts).
 * A write to any other kind needs no notification.
 */
export const WATCHED_KINDS: ReadonlySet<string> = new Set(['clients', 'users', 'revoked-access-tokens', 'signing-keys', 'meta', 'api-keys', 'roles', 'client-auth-failures']);

/** The kinds whose change makes the key ring re-read the keys. */
export const KEY_KINDS: ReadonlySet<string> = new Set(['signing-keys', 'meta']);

/** Listener lists shared by the feeds. */
export class FeedListeners {
  private readonly changes = new Set<(kind: string, id: string) => void>();
  private readonly modes = new Set<(mode: InvalidationMode) => void>();

  onChange(listener: (kind: string, id: string) => void): () => void {
    this.changes.add(listener);
    return () => this.changes.delete(listener);
  }

  onModeChange(listener: (mode: InvalidationMode) => void): () => void {
    this.modes.add(listener);
    return () => this.modes.delete(listener);
  }

  changed(kind: string, id: string): void {
    for (const listener of this.changes) listener(kind, id);
  }

  modeChanged(mode: InvalidationMode): void {
    for (const listener of this.modes) listener(mode);
  }
}

/**
 * No notifications: every cached answer lasts `cacheMs` (push turned off, a store handed in by a
 * test, SQLite in memory). Changes made here are not announced either, so an instance behaves the
 * same for its own changes as for anyone else's, exactly as before push existed.
 */
export class PollingFeed implements ChangeFeed {
  readonly mode = 'polling' as const;
  epoch(): number {
    return 0;
  }
  onChange(): () => void {
    return () => undefined;
  }
  onModeChange(): () => void {
    return () => undefined;
  }
  async publish(): Promise<void> {}
  async close(): Promise<void> {}
}
