import { LRUCache } from 'lru-cache';
import guardSchema from '../policies/portcullis-guard/schema.json';
import type { Store } from '../store/store';

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
 * node within a second.
 */
export class RevocationList {
  private readonly cache: LRUCache<string, { revoked: boolean }>;

  constructor(private readonly store: Store, ttlMs: number) {
    this.cache = new LRUCache({ max: 50_000, ttl: Math.max(ttlMs, 1), ttlResolution: 20 });
  }

  /** Records that the token `jti` (expiring at `exp`, epoch seconds) must no longer be accepted. */
  async revoke(jti: string, exp: number): Promise<void> {
    await this.store.put(KIND, jti, { exp }, { expiresAt: (exp + LONGEST_LEEWAY_S) * 1000 });
    this.cache.delete(jti);
  }

  /** The remembered answer without waiting, or undefined when the store must be asked. */
  peek(jti: string): boolean | undefined {
    return this.cache.get(jti)?.revoked;
  }

  async isRevoked(jti: string): Promise<boolean> {
    const hit = this.cache.get(jti);
    if (hit) return hit.revoked;
    const revoked = (await this.store.get(KIND, jti)) !== undefined;
    this.cache.set(jti, { revoked });
    return revoked;
  }
}
