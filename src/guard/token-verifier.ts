import { jwtVerify, type KeyLike } from 'jose';
import { joseRefusal } from '../errors/jose-refusal';
import { LRUCache } from 'lru-cache';
import { InvalidToken } from '../errors/oauth-errors';
import { ACCESS_TOKEN_TYP } from '../tokens/access-token-issuer';
import { checkAccessTokenClaims, type AccessTokenClaims } from './access-token-claims';
import { signedHeaderOf } from '../tokens/compact-jws';

export type { AccessTokenClaims } from './access-token-claims';

/** Where the guard finds the public key for a `kid`; the key ring, or a remote JWKS. */
export interface KeySource {
  /**
   * A published key already in memory (the fast path), or undefined: unknown, no longer
   * published, or the in-memory key set is too old to be trusted without a re-read.
   */
  cachedKey(kid: string): { alg: string; publicKey: KeyLike } | undefined;
  /** The published key, re-reading the key set if needed; undefined if no such published key. */
  verificationKey(kid: string): Promise<{ alg: string; publicKey: KeyLike } | undefined>;
}

export interface VerifierOptions {
  issuer: string;
  /** Clock skew allowed on exp/nbf/iat, in seconds. */
  leeway: number;
  /**
   * Seconds an `iat` may lie in the future (another instance's clock a little ahead); default
   * `leeway`. Lets an endpoint that allows no leeway on `exp` (introspection, userinfo) still accept
   * a token minted a moment ago by a node whose clock runs ahead.
   */
  issuedAtSkew?: number;
  /** The longest lifetime (`exp - iat`, seconds) a token may claim; longer ones are refused. */
  maxTokenLifetime: number;
  /** Claims every token must carry, beyond those RFC 9068 §2.2 already requires. */
  requiredClaims?: string[];
  now?: () => number;
  /** How many verified tokens to remember (signature checks are the guard's main cost). */
  cacheSize?: number;
  /** Counts answers from the cache (hit) and full verifications (miss), for the metrics. */
  cacheMeter?: { hit(): void; miss(): void };
}

/** A verified token as remembered: its claims and the key that verified it. */
interface Verified {
  claims: AccessTokenClaims;
  kid: string;
}

/** RFC 9068 §2.2: claims an access token must carry. */
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

const KEY_GONE = 'the signing key of this access token is no longer published';

/** How often (on the product's clock) entries past their TTL are swept out of memory. */
const PURGE_EVERY_MS = 10_000;

/**
 * Verifies access tokens: one canonical compact serialization (RFC 7515 §2, §7.1), signature by a
 * published key, algorithm pinned by that key (RFC 8725 §3.1: never taken from the token), `typ`
 * at+jwt (RFC 9068 §4: an ID token is not an access token), exact `iss`, exp/nbf/iat within the
 * leeway, and every claim the product reads of the right type (access-token-claims.ts).
 *
 * Verified tokens are cached, keyed by the whole token (one spelling per token, so a changed byte
 * is a miss and a full check). A cached verification is only as good as what it was based on:
 * every hit re-checks `exp` (+ leeway) and that the key which verified it is still published
 * (a map lookup in the key ring), so retiring a key ends its tokens here too.
 *
 * Memory holds only live tokens: each entry's TTL ends at its `exp` plus the leeway, on the
 * product's clock `now`, and entries past it are swept out at most every
 * PURGE_EVERY_MS by the next request (lru-cache alone drops an expired entry only when that very
 * token is presented again, or when the cache is full).
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, Verified>;
  private readonly required: string[];
  private readonly now: () => number;
  private purgedAt: number;

  constructor(private readonly keys: KeySource, private readonly options: VerifierOptions) {
    this.now = options.now ?? Date.now;
    // Entries expire on the product's clock; ttlResolution 0: `now` is read on every check (see status-cache.ts).
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000, ttlResolution: 0, perf: { now: this.now } });
    this.required = [...new Set([...RFC9068_CLAIMS, ...(options.requiredClaims ?? [])])];
    this.purgedAt = this.now();
  }

  /** How many verified tokens are held in memory (expired ones leave within PURGE_EVERY_MS). */
  get cachedTokens(): number {
    return this.cache.size;
  }

  /**
   * The claims of an already verified, unexpired token whose key is still published, without
   * waiting; undefined otherwise (then `verify` gives the answer and the reason).
   */
  peek(token: string): AccessTokenClaims | undefined {
    const nowMs = this.now();
    this.purgeIfDue(nowMs);
    const cached = this.cache.get(token);
    if (!cached || !this.alive(cached, nowMs / 1000) || !this.keys.cachedKey(cached.kid)) return undefined;
    this.options.cacheMeter?.hit();
    return cached.claims;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const nowMs = this.now();
    this.purgeIfDue(nowMs);
    const nowSeconds = nowMs / 1000;
    const cached = this.cache.get(token);
    if (cached) {
      if (!this.alive(cached, nowSeconds)) {
        this.cache.delete(token);
        throw new InvalidToken('the access token expired', 'expired');
      }
      if (this.keys.cachedKey(cached.kid) ?? (await this.keys.verificationKey(cached.kid))) {
        this.options.cacheMeter?.hit();
        return cached.claims;
      }
      this.cache.delete(token);
      throw new InvalidToken(KEY_GONE, 'unknown_key');
    }
    this.options.cacheMeter?.miss();
    const verified = await this.verifyFully(token, nowSeconds);
    // The entry ends where `alive` would refuse it anyway: at exp + leeway.
    const ttl = Math.ceil((verified.claims.exp + this.options.leeway) * 1000 - this.now());
    if (ttl > 0) this.cache.set(token, verified, { ttl });
    return verified.claims;
  }

  /** Sweeps expired entries out of memory, at most every PURGE_EVERY_MS. */
  private purgeIfDue(nowMs: number): void {
    if (nowMs - this.purgedAt < PURGE_EVERY_MS && nowMs >= this.purgedAt) return;
    this.purgedAt = nowMs;
    this.cache.purgeStale();
  }

  private alive(cached: Verified, nowSeconds: number): boolean {
    return cached.claims.exp + this.options.leeway > nowSeconds;
  }

  private async verifyFully(token: string, nowSeconds: number): Promise<Verified> {
    const { kid } = signedHeaderOf(token);
    const key = this.keys.cachedKey(kid) ?? (await this.keys.verificationKey(kid));
    if (!key) throw new InvalidToken('the access token was not signed by a key of this issuer', 'unknown_key');
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: this.options.issuer,
        typ: ACCESS_TOKEN_TYP,
        clockTolerance: this.options.leeway,
        requiredClaims: this.required,
        currentDate: new Date(nowSeconds * 1000),
      });
      const claims = checkAccessTokenClaims(payload, { nowSeconds, leeway: this.options.issuedAtSkew ?? this.options.leeway, maxLifetime: this.options.maxTokenLifetime });
      return { claims, kid };
    } catch (err) {
      throw joseRefusal(err);
    }
  }
}
