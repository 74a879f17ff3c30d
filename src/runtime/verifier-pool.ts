import { TokenVerifier, type KeySource } from '../guard/token-verifier';
import type { PortcullisMetrics } from '../metrics/portcullis-metrics';
import { DEFAULT_TOKEN_CACHE_MIB, MIB, VerifiedTokenCache } from '../tokens/verified-token-cache';

/**
 * The runtime's token verifiers, one per set of verification settings: guards (and endpoints)
 * with the same settings share one verifier. Every verifier remembers its tokens in the one
 * verified-token cache (`tokenCache.maxMiB`, shared with the trusted issuers), each in a slot of its own.
 */
export class VerifierPool {
  private readonly verifiers = new Map<string, TokenVerifier>();
  /** The one memory of verified bearer tokens (`tokenCache.maxMiB`); the trusted issuers use it too. */
  readonly cache: VerifiedTokenCache;

  constructor(
    private readonly keys: KeySource,
    private readonly issuer: string,
    private readonly metrics: PortcullisMetrics,
    private readonly now: () => number,
    maxMiB = DEFAULT_TOKEN_CACHE_MIB,
  ) {
    this.cache = new VerifiedTokenCache(maxMiB * MIB, now);
  }

  get(leeway: number, requiredClaims: string[], maxTokenLifetime: number, issuedAtSkew = leeway): TokenVerifier {
    const key = JSON.stringify([leeway, requiredClaims, maxTokenLifetime, issuedAtSkew]);
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      const hits = this.metrics.tokenCacheHits.tally();
      const misses = this.metrics.tokenCacheMisses.tally();
      const cacheMeter = { hit: () => hits.inc(), miss: () => misses.inc() };
      verifier = new TokenVerifier(this.keys, { issuer: this.issuer, leeway, issuedAtSkew, requiredClaims, maxTokenLifetime, now: this.now, cacheMeter, cache: this.cache });
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }
}
