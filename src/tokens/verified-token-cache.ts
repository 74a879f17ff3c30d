import { LRUCache } from 'lru-cache';

/** The default budget of the verified-token cache (settings `tokenCache.maxMiB`). */
export const DEFAULT_TOKEN_CACHE_MIB = 32;
export const MIB = 1024 * 1024;

/**
 * Bookkeeping per entry beyond what its answer holds, at the worst of the cache's growth: the
 * cache's Map entry (up to 56 B), its key, value, link and size slots (40 B, up to 60 while its
 * arrays grow), the 16-character digest (32 B); see TOKEN_ENTRY_BYTES (claims-shape.ts).
 */
const ENTRY_OVERHEAD = 160;

/**
 * An estimate of the bytes an answer made of JSON-like data keeps (another issuer's claims):
 * twice its JSON length (strings, property slots and object headers), plus the entry's bookkeeping.
 */
export function answerBytes(answer: unknown): number {
  return ENTRY_OVERHEAD + 2 * (JSON.stringify(answer)?.length ?? 0);
}

/** How often (on the product's clock) entries whose answers have all ended are swept out of memory. */
const PURGE_EVERY_MS = 10_000;

/** Whether an answer of one user has ended (the user re-checks it on every hit too). */
export type AnswerEnded<T extends CachedAnswer = CachedAnswer> = (answer: T, nowMs: number) => boolean;

/**
 * One remembered answer about a token, of one user of the cache (`slot`): a TokenVerifier with its
 * settings, a trusted issuer's JWT verifier or introspection client. Each user re-checks its own
 * answer's expiry on every hit: an entry lives until the last of the answers it holds has ended.
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
 * Memory holds only live answers: every PURGE_EVERY_MS (on the product's clock, by the next
 * lookup) the entries whose answers have all ended are swept out, each user saying when its own
 * have (`newSlot`). lru-cache keeps no TTL of its own here: its two numbers per entry (start and
 * TTL, in two arrays) would repeat what every answer carries (its `exp`, re-checked on each hit).
 */
export class VerifiedTokenCache {
  private readonly cache: LRUCache<string, CachedAnswer>;
  /** Each user's end of its answers, by slot. */
  private readonly ends: AnswerEnded[] = [];
  private purgedAt: number;

  constructor(readonly maxBytes: number = DEFAULT_TOKEN_CACHE_MIB * MIB, private readonly now: () => number = Date.now) {
    this.cache = new LRUCache({ maxSize: Math.max(1, Math.floor(maxBytes)) });
    this.purgedAt = now();
  }

  /** A place of its own for a new user (its answers are never handed to another), which says when one of them has ended. */
  newSlot<T extends CachedAnswer>(ended: AnswerEnded<T>): number {
    return this.ends.push(ended as AnswerEnded) - 1;
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

  /** Remembers `answer` (unless it has ended already), sized `bytes`; other users' answers about the token stay. */
  set(digest: string, answer: CachedAnswer, bytes: number): void {
    if (this.ends[answer.slot](answer, this.now())) return;
    let others = this.cache.peek(digest);
    if (others) {
      // Rare: keep the other users' answers, linked behind this one, in one entry.
      const kept: CachedAnswer[] = [];
      for (; others; others = others.next) if (others.slot !== answer.slot) kept.push(others);
      kept.forEach((a, i) => (a.next = kept[i + 1]));
      answer.next = kept[0];
      if (kept.length) bytes += this.cache.info(digest)?.size ?? 0;
    }
    this.cache.set(digest, answer, { size: Math.max(1, Math.ceil(bytes)) });
  }

  /** Forgets the token (every user's answer: the others just verify it again). */
  delete(digest: string): void {
    this.cache.delete(digest);
  }

  /** Sweeps entries whose answers have all ended out of memory, at most every PURGE_EVERY_MS (each user calls it on its lookups). */
  purgeIfDue(nowMs = this.now()): void {
    if (nowMs - this.purgedAt < PURGE_EVERY_MS && nowMs >= this.purgedAt) return;
    this.purgedAt = nowMs;
    const ended: string[] = [];
    this.cache.forEach((answer, digest) => {
      for (let a: CachedAnswer | undefined = answer; a; a = a.next) if (!this.ends[a.slot](a, nowMs)) return;
      ended.push(digest);
    });
    for (const digest of ended) this.cache.delete(digest);
  }
}
