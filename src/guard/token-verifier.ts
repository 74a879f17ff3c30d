import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type KeyLike } from 'jose';
import { LRUCache } from 'lru-cache';
import { InvalidToken } from '../errors/oauth-errors';
import { ACCESS_TOKEN_TYP } from '../tokens/access-token-issuer';

/** Where the guard finds the public key for a `kid`; the key ring, or a remote JWKS. */
export interface KeySource {
  /** A key already in memory (the fast path), or undefined. */
  cachedKey(kid: string): { alg: string; publicKey: KeyLike } | undefined;
  /** The key, fetching if needed; undefined if no such published key. */
  verificationKey(kid: string): Promise<{ alg: string; publicKey: KeyLike } | undefined>;
}

/** The claims of a verified RFC 9068 access token. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  roles?: string[];
  scope?: string;
}

export interface VerifierOptions {
  issuer: string;
  /** Clock skew allowed on exp/nbf/iat, in seconds. */
  leeway: number;
  /** Claims every token must carry, beyond those RFC 9068 §2.2 already requires. */
  requiredClaims?: string[];
  now?: () => number;
  /** How many verified tokens to remember (signature checks are the guard's main cost). */
  cacheSize?: number;
}

/** RFC 9068 §2.2: claims an access token must carry. */
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

/**
 * Verifies access tokens: signature by a published key, algorithm pinned by that key (RFC 8725
 * §3.1: never taken from the token), `typ` at+jwt (RFC 9068 §4: an ID token is not an access
 * token), exact `iss`, and exp/nbf/iat within the leeway. Verified tokens are cached until
 * they expire, keyed by the whole token, so a changed byte is a cache miss and a full check.
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, AccessTokenClaims>;
  private readonly required: string[];
  private readonly now: () => number;

  constructor(private readonly keys: KeySource, private readonly options: VerifierOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000 });
    this.required = [...new Set([...RFC9068_CLAIMS, ...(options.requiredClaims ?? [])])];
    this.now = options.now ?? Date.now;
  }

  /** The claims of an already verified, unexpired token, without waiting; undefined otherwise. */
  peek(token: string): AccessTokenClaims | undefined {
    const cached = this.cache.get(token);
    return cached && cached.exp + this.options.leeway > this.now() / 1000 ? cached : undefined;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const nowSeconds = this.now() / 1000;
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.exp + this.options.leeway > nowSeconds) return cached;
      this.cache.delete(token);
      throw new InvalidToken('the access token expired');
    }
    const claims = await this.verifyFully(token, nowSeconds);
    this.cache.set(token, claims);
    return claims;
  }

  private async verifyFully(token: string, nowSeconds: number): Promise<AccessTokenClaims> {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new InvalidToken('the access token is malformed');
    }
    if (typeof header.kid !== 'string') throw new InvalidToken('the access token names no signing key');
    const key = this.keys.cachedKey(header.kid) ?? (await this.keys.verificationKey(header.kid));
    if (!key) throw new InvalidToken('the access token was not signed by a key of this issuer');
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: this.options.issuer,
        typ: ACCESS_TOKEN_TYP,
        clockTolerance: this.options.leeway,
        requiredClaims: this.required,
        currentDate: new Date(nowSeconds * 1000),
      });
      if (typeof payload.iat === 'number' && payload.iat > nowSeconds + this.options.leeway) {
        throw new InvalidToken('the access token was issued in the future');
      }
      if (typeof payload.client_id !== 'string' || typeof payload.jti !== 'string' || typeof payload.sub !== 'string') {
        throw new InvalidToken('the access token has malformed claims');
      }
      if (payload.roles !== undefined && !(Array.isArray(payload.roles) && payload.roles.every((r) => typeof r === 'string'))) {
        throw new InvalidToken('the access token has malformed roles');
      }
      return payload as AccessTokenClaims;
    } catch (err) {
      throw toInvalidToken(err);
    }
  }
}

/** Turns jose's coded errors into a specific, safe description. */
function toInvalidToken(err: unknown): InvalidToken {
  if (err instanceof InvalidToken) return err;
  if (err instanceof joseErrors.JWTExpired) return new InvalidToken('the access token expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'typ') return new InvalidToken('not an access token (typ must be at+jwt)');
    if (err.claim === 'nbf') return new InvalidToken('the access token is not valid yet');
    return new InvalidToken(`the access token has an invalid ${err.claim} claim`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new InvalidToken('the access token uses an algorithm not allowed for its key');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidToken('the access token signature is invalid');
  return new InvalidToken('the access token is invalid');
}
