import guardSchema from '../config/guard-params.schema.json';
import type { Store } from '../store/store';
import { StatusCache, type CacheFeed } from '../store/status-cache';
import { HeldRevocations, type RevocationHolder } from './held-revocations';

const KIND = 'revoked-access-tokens';
/**
 * A guard accepts a token until `exp` plus its `leeway` (at most the schema's maximum), so a
 * revocation is kept that much longer: forgetting it at `exp` would let a revoked token back in
 * for the rest of the leeway.
 */
export const LONGEST_LEEWAY_S = guardSchema.properties.leeway.maximum;

/**
 * Revoked access tokens, by `jti`, kept until no guard would accept the token anyway (`exp` plus
 * the longest leeway). The guard's answers are remembered for at most `ttlMs` (`cacheMs`, by
 * design the one bound by which a guard may lag behind the store), so a revocation reaches every
 * node within a second; on the product's clock, 0 = no caching; with a pushing feed, kept until
 * the revocation is announced (src/store/change-feed.ts).
 *
 * The guard keeps each answer in the token's own entry of the verified-token cache (a
 * RevocationHolder, held-revocations.ts): one memory per token in use, not two. Callers without
 * such an entry (the issuer's endpoints, the admin API) have theirs in a StatusCache by `jti`.
 */
export class RevocationList {
  private readonly answers: StatusCache<boolean>;
  private readonly held?: HeldRevocations;

  constructor(private readonly store: Store, ttlMs: number, now: () => number = Date.now, push?: CacheFeed) {
    const invalidation = push && { ...push, kind: KIND };
    this.answers = new StatusCache((jti) => this.stored(jti), ttlMs, now, 50_000, invalidation);
    if (ttlMs > 0) this.held = new HeldRevocations(ttlMs, now, invalidation);
  }

  /** Records that the token `jti` (expiring at `exp`, epoch seconds) must no longer be accepted. */
  async revoke(jti: string, exp: number): Promise<void> {
    await this.store.put(KIND, jti, { exp }, { expiresAt: (exp + LONGEST_LEEWAY_S) * 1000 });
    this.answers.forget(jti);
    this.held?.changed(jti);
  }

  /** The remembered answer without waiting (in `holder`, when given), or undefined when the store must be asked. */
  peek(jti: string, holder?: RevocationHolder): boolean | undefined {
    if (holder) return this.held?.peek(jti, holder);
    const hit = this.answers.peek(jti);
    return hit && hit.value === true;
  }

  /** Whether `jti` is revoked, from memory or the store; the answer is kept in `holder`, when given. */
  async isRevoked(jti: string, holder?: RevocationHolder): Promise<boolean> {
    if (!holder) return (await this.answers.get(jti)) === true;
    const read = () => this.stored(jti);
    if (!this.held) return read();
    return this.held.peek(jti, holder) ?? this.held.load(holder, read);
  }

  /** The store's answer: is there a revocation record for `jti`. */
  private async stored(jti: string): Promise<boolean> {
    return (await this.store.get(KIND, jti)) !== undefined;
  }
}
