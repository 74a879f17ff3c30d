import guardSchema from '../config/guard-params.schema.json';
import type { Store } from '../store/store';
import { StatusCache, type CacheFeed } from '../store/status-cache';

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
 * node within a second. These answers are a StatusCache: on the product's clock, 0 = no caching;
 * with a pushing feed, kept until the revocation is announced (src/store/change-feed.ts).
 */
export class RevocationList {
  private readonly answers: StatusCache<boolean>;

  constructor(private readonly store: Store, ttlMs: number, now: () => number = Date.now, push?: CacheFeed) {
    this.answers = new StatusCache(async (jti) => (await this.store.get(KIND, jti)) !== undefined, ttlMs, now, 50_000, push && { ...push, kind: KIND });
  }

  /** Records that the token `jti` (expiring at `exp`, epoch seconds) must no longer be accepted. */
  async revoke(jti: string, exp: number): Promise<void> {
    await this.store.put(KIND, jti, { exp }, { expiresAt: (exp + LONGEST_LEEWAY_S) * 1000 });
    this.answers.forget(jti);
  }

  /** The remembered answer without waiting, or undefined when the store must be asked. */
  peek(jti: string): boolean | undefined {
    const hit = this.answers.peek(jti);
    return hit && hit.value === true;
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.answers.get(jti)) === true;
  }
}
