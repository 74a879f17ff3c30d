import Database from 'better-sqlite3';
import { FeedListeners, type ChangeFeed } from './change-feed';

/**
 * SQLite mode: the gateway and the CLI are separate processes on one file, and SQLite has no way
 * to push a change to another process. `PRAGMA data_version` is the cheap substitute: on a
 * connection of its own it changes whenever any other connection (another process, or this
 * process's store) commits to the file. It is read at most once every `cacheMs`, when the guard
 * consults its caches; if it moved, every cached answer is dropped (the epoch grows). So a change
 * is seen within `cacheMs` (the 1 s bound), and while nothing is written, answers are kept
 * without reading a record. Changes made in this process are announced to its caches at once.
 */
export class SqliteChangeFeed implements ChangeFeed {
  readonly mode = 'push' as const;
  private readonly listeners = new FeedListeners();
  private readonly db: Database.Database;
  private readonly dataVersion: Database.Statement;
  private version: number;
  private checkedAt: number;
  private generation = 0;
  private lookedNowAt = -Infinity;

  constructor(path: string, private readonly cacheMs: number, private readonly now: () => number = Date.now) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
    this.version = this.dataVersion.get() as number;
    this.checkedAt = now();
  }

  epoch(): number {
    const at = this.now();
    // A clock stepped back counts as time passed: better one read too many than an answer kept.
    if (at - this.checkedAt >= this.cacheMs || at < this.checkedAt) this.check(at);
    return this.generation;
  }

  /**
   * The epoch after reading `data_version` now, whatever the time since the last read: for the
   * token endpoint's caches (store/pushed-cache.ts), which must not trail another process's change
   * by `cacheMs`. One pragma read (at most one a millisecond), cheaper than the record reads it saves.
   */
  epochNow(): number {
    // Reads within one millisecond (the client and the roles of one token request, concurrent
    // requests) share one look: the same as if the request had come that much earlier. Measured
    // on the monotonic clock, not `now`: this spaces out reads, it ages no answer.
    const at = performance.now();
    if (at - this.lookedNowAt >= 1 || at < this.lookedNowAt) {
      this.lookedNowAt = at;
      this.check(this.now());
    }
    return this.generation;
  }

  private check(at: number): void {
    this.checkedAt = at;
    let version: number | undefined;
    try {
      version = this.dataVersion.get() as number;
    } catch {
      // Unreadable: drop everything, so the next answers come from the store (which fails closed).
      version = undefined;
    }
    if (version === undefined || version !== this.version) {
      this.version = version ?? -1;
      this.generation++;
    }
  }

  onChange(listener: (kind: string, id: string) => void): () => void {
    return this.listeners.onChange(listener);
  }

  onModeChange(): () => void {
    return () => undefined;
  }

  async publish(kind: string, id: string): Promise<void> {
    this.listeners.changed(kind, id);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
