import type { StatusCacheInvalidation } from '../store/status-cache';

/**
 * Where one token's revocation answer is kept: two small-integer fields of the token's own entry in
 * the verified-token cache (token-verifier.ts), instead of an entry of its own in a second cache
 * keyed by `jti` (about 150 bytes each: a map entry, the jti string, a record and its timestamp).
 */
export interface RevocationHolder {
  /** 0: no answer; else `generation * 4 + pushed * 2 + revoked` (see HeldRevocations). */
  revocation: number;
  /** When the answer was read: ms on the product clock since the memory's origin. */
  revocationAt: number;
}

/** A change of one `jti` (revoked here, or announced by the feed): answers of older generations are not trusted. */
interface Change {
  generation: number;
  /** The product clock when it was recorded (the memory's latest reading). */
  at: number;
}

/**
 * Kept below 2^30 in magnitude, the packed answer and its read time stay small integers (Smis) even
 * where V8 compresses pointers (31-bit Smis): a field that once held a larger number becomes a
 * pointer to a heap number in every entry.
 */
const SMALL = 2 ** 30;
/** Changes remembered at most at once; beyond, every answer held is dropped instead (a burst of revocations). */
const MOST_CHANGES = 100_000;

/**
 * Revocation answers held in the tokens' cache entries, with the semantics of a StatusCache
 * (src/store/status-cache.ts): on the product clock, an answer is trusted for `ttlMs` (`cacheMs`);
 * while the feed pushes, until a change names its `jti` (at most `safetyTtlMs`), and for `ttlMs`
 * only if its load overlapped a change; never across a move of the feed's epoch; never once the
 * clock went back past its read. The answers cannot be found by `jti` (they are filed under the
 * token's digest), so a change is recorded instead: the generation grows with every change, each
 * answer carries the generation of its load, and an answer older than the last change of its `jti`
 * is not trusted (the next check reads the store).
 *
 * A change is remembered until every answer loaded before it has outlived the longest lifetime on
 * the product clock: its `jti`'s older answers cannot be trusted any more anyway. That reasoning
 * needs a clock that does not go back, so a reading earlier than the last one (NTP, a resumed VM,
 * a test clock) drops every answer held (`floor`: generations below it are not trusted), as does a
 * move of the feed's epoch and a burst of more than MOST_CHANGES changes.
 */
export class HeldRevocations {
  private generation = 1;
  /** Answers of a lower generation are not trusted. */
  private floor = 1;
  /** The origin of `revocationAt`: read times are kept as small integers. */
  private origin: number;
  /** The last reading of the product clock. */
  private latest: number;
  private epoch: number;
  private readonly longest: number;
  /** The last change of each `jti` recently changed, oldest first. */
  private readonly changes = new Map<string, Change>();

  constructor(private readonly ttlMs: number, private readonly now: () => number, private readonly invalidation?: StatusCacheInvalidation) {
    this.latest = this.origin = now();
    this.epoch = invalidation?.feed.epoch() ?? 0;
    this.longest = invalidation ? Math.max(ttlMs, invalidation.safetyTtlMs) : ttlMs;
    invalidation?.feed.onChange((kind, id) => {
      if (kind === invalidation.kind) this.changed(id);
    });
  }

  /** The answer `holder` keeps for `jti`, while it may be trusted; undefined when the store must be asked. */
  peek(jti: string, holder: RevocationHolder): boolean | undefined {
    const now = this.read();
    const packed = holder.revocation;
    if (packed < this.floor * 4) return undefined; // none, or dropped since
    const generation = Math.floor(packed / 4);
    if (this.changes.size !== 0) {
      const change = this.changes.get(jti);
      if (change !== undefined && change.generation > generation) return undefined;
    }
    const at = this.origin + holder.revocationAt;
    const lifetime = packed & 2 && this.invalidation?.feed.mode === 'push' ? this.invalidation.safetyTtlMs : this.ttlMs;
    if (now < at || now - at > lifetime) return undefined;
    return (packed & 1) === 1;
  }

  /** Reads the answer with `load` and keeps it in `holder`. */
  async load(holder: RevocationHolder, load: () => Promise<boolean>): Promise<boolean> {
    const at = this.read();
    const pushed = this.invalidation?.feed.mode === 'push';
    const generation = this.generation;
    const origin = this.origin;
    const revoked = await load();
    if (generation < this.floor) holder.revocation = 0; // everything held was dropped during the load
    else {
      holder.revocation = generation * 4 + (pushed && generation === this.generation ? 2 : 0) + (revoked ? 1 : 0);
      holder.revocationAt = at - origin;
    }
    return revoked;
  }

  /** The token `jti` changed (revoked): answers about it loaded before now are not trusted. */
  changed(jti: string): void {
    this.read();
    const generation = ++this.generation;
    this.changes.delete(jti); // re-inserted last: the map stays in the order of `at`
    this.changes.set(jti, { generation, at: this.latest });
    for (const [id, change] of this.changes) {
      if (this.latest - change.at <= this.longest) break;
      this.changes.delete(id);
    }
    if (this.changes.size > MOST_CHANGES) this.dropAll();
  }

  /** Reads the clock (and the feed's epoch); drops every answer if either says they may be stale. */
  private read(): number {
    const now = this.now();
    if (now < this.latest || now - this.origin >= SMALL) {
      this.origin = now;
      this.dropAll();
    }
    this.latest = now;
    const feed = this.invalidation?.feed;
    if (feed) {
      const epoch = feed.epoch();
      if (epoch !== this.epoch) {
        this.epoch = epoch;
        this.dropAll();
      }
    }
    return now;
  }

  /** No answer held so far is trusted; the changes recorded are then moot. */
  private dropAll(): void {
    this.floor = ++this.generation;
    this.changes.clear();
  }
}
