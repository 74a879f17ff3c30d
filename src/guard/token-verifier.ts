import { jwtVerify, type KeyLike } from 'jose';
import { joseRefusal } from '../errors/jose-refusal';
import { InvalidToken } from '../errors/oauth-errors';
import { ACCESS_TOKEN_TYP } from '../tokens/access-token-issuer';
import { tokenDigest } from '../tokens/token-digest';
import { VerifiedTokenCache } from '../tokens/verified-token-cache';
import { checkAccessTokenClaims, type AccessTokenClaims } from '../tokens/access-token-claims';
import { ClaimsShapes, claimsOf, extraOf, jtiOf, rememberedBytes } from '../tokens/claims-shape';
import { signedHeaderOf } from '../tokens/compact-jws';
import { rememberToken, type RememberedToken } from '../tokens/remembered-token';

export type { AccessTokenClaims } from '../tokens/access-token-claims';

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
  /**
   * The memory of verified tokens (signature checks are the guard's main cost), shared with the
   * runtime's other verifiers; without it, one of `cacheMaxBytes` of this verifier's own.
   */
  cache?: VerifiedTokenCache;
  /** The budget of the cache of its own, in bytes (default `tokenCache.maxMiB`'s default, 32 MiB). */
  cacheMaxBytes?: number;
  /** Counts answers from the cache (hit) and full verifications (miss), for the metrics. */
  cacheMeter?: { hit(): void; miss(): void };
}

export { RememberedToken } from '../tokens/remembered-token';

/** RFC 9068 §2.2: claims an access token must carry. */
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

const KEY_GONE = 'the signing key of this access token is no longer published';

export { TOKEN_ENTRY_BYTES } from '../tokens/claims-shape';

/**
 * Verifies access tokens: one canonical compact serialization (RFC 7515 §2, §7.1), signature by a
 * published key, algorithm pinned by that key (RFC 8725 §3.1: never taken from the token), `typ`
 * at+jwt (RFC 9068 §4: an ID token is not an access token), exact `iss`, exp/nbf/iat within the
 * leeway, and every claim the product reads of the right type (access-token-claims.ts).
 *
 * Verified tokens are remembered (verified-token-cache.ts), keyed by the token's SHA-256 (one
 * spelling per token, so a changed byte is a miss and a full check), each with only what is its
 * own (jti, iat, exp...) beside a shared shape of the claims many tokens have in common
 * (tokens/claims-shape.ts). A cached verification is only as good as what it was based on: every hit
 * re-checks `exp` (+ leeway) and that the key which verified it is still published (a map lookup
 * in the key ring), so retiring a key ends its tokens here too. Entries end at `exp` + leeway.
 */
export class TokenVerifier {
  private readonly cache: VerifiedTokenCache;
  private readonly slot: number;
  private readonly shapes: ClaimsShapes;
  private readonly required: string[];
  private readonly now: () => number;

  constructor(private readonly keys: KeySource, private readonly options: VerifierOptions) {
    this.now = options.now ?? Date.now;
    this.cache = options.cache ?? new VerifiedTokenCache(options.cacheMaxBytes, this.now);
    this.slot = this.cache.newSlot<RememberedToken>((cached, nowMs) => !this.alive(cached, nowMs / 1000));
    // The intern table is bounded too: a sixteenth of the budget, at least 64 KiB (tokens pay for the shapes they keep alive).
    this.shapes = new ClaimsShapes(Math.max(this.cache.maxBytes / 16, 64 * 1024), this.slot);
    this.required = [...new Set([...RFC9068_CLAIMS, ...(options.requiredClaims ?? [])])];
  }

  /** How many verified tokens are held in memory, in the cache this verifier uses (expired ones leave within the purge interval). */
  get cachedTokens(): number {
    return this.cache.size;
  }

  /**
   * The claims of an already verified, unexpired token whose key is still published, without
   * waiting; undefined otherwise (then `verify` gives the answer and the reason).
   */
  peek(token: string): AccessTokenClaims | undefined {
    const remembered = this.peekRemembered(token);
    return remembered && claimsOf(remembered);
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    return claimsOf(await this.verifyRemembered(token));
  }

  /** `peek`, as the entry that remembers the token (the guard keeps the token's revocation answer in it). */
  peekRemembered(token: string): RememberedToken | undefined {
    const nowMs = this.now();
    this.cache.purgeIfDue(nowMs);
    const cached = this.cache.get<RememberedToken>(tokenDigest(token), this.slot);
    if (!cached || !this.alive(cached, nowMs / 1000) || !this.keys.cachedKey(cached.shape.kid)) return undefined;
    this.options.cacheMeter?.hit();
    return cached;
  }

  /** `verify`, as the entry that remembers the token (a new one, not kept, when the cache has no room for it). */
  async verifyRemembered(token: string): Promise<RememberedToken> {
    const nowMs = this.now();
    this.cache.purgeIfDue(nowMs);
    const nowSeconds = nowMs / 1000;
    const digest = tokenDigest(token);
    const cached = this.cache.get<RememberedToken>(digest, this.slot);
    if (cached) {
      if (!this.alive(cached, nowSeconds)) {
        this.cache.delete(digest);
        throw new InvalidToken('the access token expired', 'expired');
      }
      if (this.keys.cachedKey(cached.shape.kid) ?? (await this.keys.verificationKey(cached.shape.kid))) {
        this.options.cacheMeter?.hit();
        return cached;
      }
      this.cache.delete(digest);
      throw new InvalidToken(KEY_GONE, 'unknown_key');
    }
    this.options.cacheMeter?.miss();
    const verified = await this.verifyFully(token, nowSeconds);
    // The entry is swept once `alive` would refuse it anyway: at exp + leeway.
    this.cache.set(digest, verified, rememberedBytes(verified));
    return verified;
  }

  private alive(cached: RememberedToken, nowSeconds: number): boolean {
    return cached.exp + this.options.leeway > nowSeconds;
  }

  private async verifyFully(token: string, nowSeconds: number): Promise<RememberedToken> {
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
      const checked = checkAccessTokenClaims(payload, { nowSeconds, leeway: this.options.issuedAtSkew ?? this.options.leeway, maxLifetime: this.options.maxTokenLifetime });
      const shape = this.shapes.intern(kid, checked);
      return rememberToken(shape, jtiOf(shape, checked), checked.iat, checked.exp, extraOf(shape, checked));
    } catch (err) {
      throw joseRefusal(err);
    }
  }
}
