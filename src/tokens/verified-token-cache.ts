import { LRUCache } from 'lru-cache';

/** The default budget of the verified-token cache (settings `tokenCache.maxMiB`). */
export const DEFAULT_TOKEN_CACHE_MIB = 32;
export const MIB = 1024 * 1024;

/** Bookkeeping per entry beyond what its answer holds: the cache's Map entry, links, TTL and size slots, the digest. */
const ENTRY_OVERHEAD = 160;

/**
 * An estimate of the bytes an answer made of JSON-like data keeps (another issuer's claims):
 * twice its JSON length (strings, property slots and object headers), plus the entry's bookkeeping.
 */
export function answerBytes(answer: unknown): number {
  return ENTRY_OVERHEAD + 2 * (JSON.stringify(answer)?.length ?? 0);
}

/** How often (on the product's clock) entries past their TTL are swept out of memory. */
const PURGE_EVERY_MS = 10_000;

/**
 * One remembered answer about a token, of one user of the cache (`slot`): a TokenVerifier with its
 * settings, a trusted issuer's JWT verifier or introspection client. Each user re-checks its own
 * answer's expiry on every hit: an entry's TTL is the longest of the answers it holds.
 */
export interface CachedAnswer {
  readonly slot: number;
  /** Another user's answer about the same token (rare: one token checked at two places). */
  next?: CachedAnswer;
}

/**
 * The memory of verified tokens, one budget in bytes shared by every place that verifies bearer
 * tokens (`tokenCache.maxMiB`): the own tokens' verifiers and the trusted issuers'. Keyed by the
 * token's digest (token-digest.ts), never the token; each entry is sized by its user's estimate
 * of what it keeps (lru-cache `maxSize`), and the least recently used go first when full.
 * Memory holds only live answers: each entry expires at the end of its answer (TTL, on the
 * product's clock) and expired ones are swept out at most every PURGE_EVERY_MS by the next
 * lookup (lru-cache alone drops an expired entry only when it is asked for, or when full).
 */
export class VerifiedTokenCache {
  private readonly cache: LRUCache<string, CachedAnswer>;
  private slots = 0;
  private purgedAt: number;

  constructor(readonly maxBytes: number = DEFAULT_TOKEN_CACHE_MIB * MIB, private readonly now: () => number = Date.now) {
    // ttlResolution 0: `now` is read on every check (see store/status-cache.ts).
    this.cache = new LRUCache({ maxSize: Math.max(1, Math.floor(maxBytes)), ttlResolution: 0, perf: { now } });
    this.purgedAt = now();
  }

  /** A place of its own for a new user (its answers are never handed to another). */
  newSlot(): number {
    return this.slots++;
  }

  /** How many tokens are held (expired ones leave within PURGE_EVERY_MS). */
  get size(): number {
    return this.cache.size;
  }

  /** The bytes held, by the users' estimates. */
  get bytes(): number {
    return this.cache.calculatedSize;
  }

  /** The answer of `slot` about the token with this digest, while its entry lives. */
  get<T extends CachedAnswer>(digest: string, slot: number): T | undefined {
    let answer = this.cache.get(digest);
    while (answer && answer.slot !== slot) answer = answer.next;
    return answer as T | undefined;
  }

  /** Remembers `answer` for `ttl` ms, sized `bytes`; other users' answers about the token stay. */
  set(digest: string, answer: CachedAnswer, ttl: number, bytes: number): void {
    if (ttl <= 0) return;
    let others = this.cache.peek(digest);
    if (others) {
      // Rare: keep the other users' answers, linked behind this one, in one entry.
      const kept: CachedAnswer[] = [];
      for (; others; others = others.next) if (others.slot !== answer.slot) kept.push(others);
      kept.forEach((a, i) => (a.next = kept[i + 1]));
      answer.next = kept[0];
      if (kept.length) {
        bytes += this.cache.info(digest)?.size ?? 0;
        ttl = Math.max(ttl, this.cache.getRemainingTTL(digest));
      }
    }
    this.cache.set(digest, answer, { ttl: Math.ceil(ttl), size: Math.max(1, Math.ceil(bytes)) });
  }

  /** Forgets the token (every user's answer: the others just verify it again). */
  delete(digest: string): void {
    this.cache.delete(digest);
  }

  /** Sweeps expired entries out of memory, at most every PURGE_EVERY_MS (each user calls it on its lookups). */
  purgeIfDue(nowMs = this.now()): void {
    if (nowMs - this.purgedAt < PURGE_EVERY_MS && nowMs >= this.purgedAt) return;
    this.purgedAt = nowMs;
    this.cache.purgeStale();
  }
}
