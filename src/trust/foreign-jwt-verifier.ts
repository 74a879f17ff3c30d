import { jwtVerify, type JWTPayload } from 'jose';
import { signedHeaderOf } from '../tokens/compact-jws';
import { joseRefusal } from '../errors/jose-refusal';
import type { TrustedIssuerSettings } from '../config/trusted-issuer-settings';
import { InvalidToken } from '../errors/oauth-errors';
import { audienceOf, mapClaims, subjectOf } from './claim-mapping';
import type { ForeignToken } from './foreign-token';
import { idTokenProblem } from './id-token-rule';
import type { RemoteKeySet } from './remote-key-set';
import { tokenDigest } from '../tokens/token-digest';
import { VerifiedTokenCache } from '../tokens/verified-token-cache';
import { ClaimsShapes, claimsOf, extraOf, jtiOf, rememberedBytes, type ClaimsShape } from '../tokens/claims-shape';
import type { AccessTokenClaims } from '../tokens/access-token-claims';
import { rememberToken, type RememberedToken } from '../tokens/remembered-token';

/** What the guard reads of the tokens of one shape: the same for all (they are made from the claims the shape holds). */
type SharedParts = Omit<ForeignToken, 'exp' | 'claims' | 'shared'>;

/** A verified token as remembered, as an own token is: its own claims beside a shape of the (mapped) claims many tokens share. */
type Verified = RememberedToken;

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Verifies another issuer's JWT access tokens: signature by a key its JWK Set publishes, with an
 * algorithm that key and the settings allow; `iss` exactly; `exp`/`nbf`/`iat` within the leeway;
 * `exp - iat` at most `maxTokenLifetime`; never an ID token (id-token-rule.ts). Verified tokens
 * are cached until `exp` + leeway (in the runtime's verified-token cache, keyed by the token's
 * digest; each keeps its own claims beside a shape of those it shares, claims-shape.ts), and a hit
 * still needs its key in the current key set, so a key the issuer retires stops its tokens within
 * the key set's `cacheSeconds`.
 */
export class ForeignJwtVerifier {
  private readonly slot: number;
  private readonly shapes: ClaimsShapes;
  /** What the tokens of each shape share, made once per shape. */
  private readonly parts = new WeakMap<ClaimsShape, SharedParts>();

  constructor(private readonly settings: TrustedIssuerSettings, private readonly keys: RemoteKeySet, private readonly now: () => number, private readonly cache = new VerifiedTokenCache(undefined, now)) {
    this.slot = cache.newSlot<Verified>((cached, nowMs) => this.ended(cached, nowMs));
    // As the own tokens' verifiers: a sixteenth of the budget, at least 64 KiB, for the shapes.
    this.shapes = new ClaimsShapes(Math.max(cache.maxBytes / 16, 64 * 1024), this.slot);
  }

  peek(token: string): ForeignToken | undefined {
    this.cache.purgeIfDue();
    const cached = this.cache.get<Verified>(tokenDigest(token), this.slot);
    if (!cached || this.ended(cached, this.now()) || !this.keys.cachedKey(cached.shape.kid)) return undefined;
    return this.tokenOf(cached);
  }

  async verify(token: string): Promise<ForeignToken> {
    this.cache.purgeIfDue();
    const digest = tokenDigest(token);
    const cached = this.cache.get<Verified>(digest, this.slot);
    if (cached && !this.ended(cached, this.now())) {
      if (this.keys.cachedKey(cached.shape.kid) ?? (await this.keys.verificationKey(cached.shape.kid))) return this.tokenOf(cached);
      this.cache.delete(digest);
      throw new InvalidToken('the signing key of this access token is no longer published by its issuer', 'unknown_key');
    }
    const verified = await this.verifyFully(token);
    this.cache.set(digest, verified, rememberedBytes(verified));
    return this.tokenOf(verified);
  }

  /** The one rule for when a remembered token stops being accepted (and leaves the cache): `exp` + leeway. */
  private ended(cached: Verified, nowMs: number): boolean {
    return cached.exp + this.settings.leeway <= nowMs / 1000;
  }

  /** The token as the guard reads it: the shared parts of its shape, its own `exp` and claims (a new object each time). */
  private tokenOf(verified: Verified): ForeignToken {
    const shared = this.parts.get(verified.shape)!;
    return { ...shared, exp: verified.exp, claims: claimsOf(verified) as unknown as Record<string, unknown>, shared };
  }

  private async verifyFully(token: string): Promise<Verified> {
    const header = signedHeaderOf(token);
    const key = this.keys.cachedKey(header.kid) ?? (await this.keys.verificationKey(header.kid));
    if (!key) throw new InvalidToken('the access token was not signed by a key its issuer publishes', 'unknown_key');
    const nowSeconds = this.now() / 1000;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [...key.algorithms],
        issuer: this.settings.issuer,
        typ: this.settings.requireTyp ? 'at+jwt' : undefined,
        clockTolerance: this.settings.leeway,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
        currentDate: new Date(nowSeconds * 1000),
      }));
    } catch (err) {
      throw joseRefusal(err, 'malformed_token');
    }
    const claims = payload as Record<string, unknown>;
    const problem = idTokenProblem(header, claims, this.settings);
    if (problem) throw new InvalidToken(`not an access token (${problem})`, 'invalid_claims');
    const { exp, iat } = claims;
    if (!isNumericDate(exp) || !isNumericDate(iat)) throw new InvalidToken('the access token has an invalid exp or iat claim', 'invalid_claims');
    if (iat > nowSeconds + this.settings.leeway) throw new InvalidToken('the access token was issued in the future', 'invalid_claims');
    if (exp - iat > this.settings.maxTokenLifetime) throw new InvalidToken('the access token lives longer than this issuer is trusted for (exp - iat)', 'invalid_claims');
    const mapped = mapClaims(claims, this.settings.claims);
    const subject = subjectOf(claims, mapped.clientId, true);
    const audience = audienceOf(claims);
    const normalised = { ...claims, client_id: mapped.clientId, scope: mapped.scopes.length ? mapped.scopes.join(' ') : undefined, roles: mapped.roles } as unknown as AccessTokenClaims;
    // Everything but the per-token claims (jti, iat, exp, nbf, auth_time) is in the shape, and so
    // is all that the parts below are made of (mapped into client_id, scope and roles above).
    const shape = this.shapes.intern(header.kid, normalised);
    if (!this.parts.has(shape)) this.parts.set(shape, Object.freeze({ issuer: this.settings.issuer, subject, audience: Object.freeze(audience), ...mapped, scopes: Object.freeze(mapped.scopes), roles: Object.freeze(mapped.roles) }));
    return rememberToken(shape, jtiOf(shape, normalised), iat, exp, extraOf(shape, normalised));
  }
}
