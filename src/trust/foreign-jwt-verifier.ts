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
import { answerBytes, VerifiedTokenCache, type CachedAnswer } from '../tokens/verified-token-cache';

interface Verified extends CachedAnswer {
  token: ForeignToken;
  kid: string;
  exp: number;
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Verifies another issuer's JWT access tokens: signature by a key its JWK Set publishes, with an
 * algorithm that key and the settings allow; `iss` exactly; `exp`/`nbf`/`iat` within the leeway;
 * `exp - iat` at most `maxTokenLifetime`; never an ID token (id-token-rule.ts). Verified tokens
 * are cached until `exp` + leeway (in the runtime's verified-token cache, keyed by the token's
 * digest, sized by their claims), and a hit still needs its key in the current key set, so a key
 * the issuer retires stops its tokens within the key set's `cacheSeconds`.
 */
export class ForeignJwtVerifier {
  private readonly slot: number;

  constructor(private readonly settings: TrustedIssuerSettings, private readonly keys: RemoteKeySet, private readonly now: () => number, private readonly cache = new VerifiedTokenCache(undefined, now)) {
    this.slot = cache.newSlot();
  }

  peek(token: string): ForeignToken | undefined {
    this.cache.purgeIfDue();
    const cached = this.cache.get<Verified>(tokenDigest(token), this.slot);
    if (!cached || cached.exp + this.settings.leeway <= this.now() / 1000 || !this.keys.cachedKey(cached.kid)) return undefined;
    return cached.token;
  }

  async verify(token: string): Promise<ForeignToken> {
    this.cache.purgeIfDue();
    const digest = tokenDigest(token);
    const cached = this.cache.get<Verified>(digest, this.slot);
    if (cached && cached.exp + this.settings.leeway > this.now() / 1000) {
      if (this.keys.cachedKey(cached.kid) ?? (await this.keys.verificationKey(cached.kid))) return cached.token;
      this.cache.delete(digest);
      throw new InvalidToken('the signing key of this access token is no longer published by its issuer', 'unknown_key');
    }
    const verified = await this.verifyFully(token);
    const ttl = (verified.exp + this.settings.leeway) * 1000 - this.now();
    this.cache.set(digest, verified, ttl, answerBytes(verified.token));
    return verified.token;
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
    const normalised = { ...claims, client_id: mapped.clientId, scope: mapped.scopes.length ? mapped.scopes.join(' ') : undefined, roles: mapped.roles };
    return { slot: this.slot, token: { issuer: this.settings.issuer, subject, audience, exp, claims: normalised, ...mapped }, kid: header.kid, exp };
  }
}
