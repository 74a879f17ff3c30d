import type { JWTPayload } from 'jose';
import { InvalidToken } from '../errors/oauth-errors';

/** The claims of a verified RFC 9068 access token, each of the type checked below. */
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
  auth_time?: number;
}

export interface ClaimLimits {
  nowSeconds: number;
  /** Clock skew allowed on `iat` in the future, in seconds. */
  leeway: number;
  /** The longest lifetime (`exp - iat`) accepted, in seconds. */
  maxLifetime: number;
}

/** Visible ASCII: what the guard may copy into an identity header (no CR/LF, no spaces). */
const VISIBLE = /^[\x21-\x7E]+$/;
/** RFC 6749 §3.3: scope-tokens of %x21 / %x23-5B / %x5D-7E, separated by single spaces. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** A role name as the identity header lists them (comma-separated, so no comma). */
const ROLE = /^[\x21-\x2B\x2D-\x7E]+$/;

const isString = (v: unknown, syntax = VISIBLE): v is string => typeof v === 'string' && syntax.test(v);
/** RFC 7519 §2 NumericDate: a JSON number of seconds since the epoch. `1e309` parses as Infinity. */
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function claimError(claim: string, what: string): InvalidToken {
  return new InvalidToken(`the access token has an invalid ${claim} claim (${what})`, 'invalid_claims');
}

/**
 * The one place that type-checks every claim the product reads from an access token (the guard,
 * userinfo, introspection and the admin API), after the signature was verified. RFC 8725 §3.10/§3.11:
 * a signed token is still input, and a claim of an unexpected type must be a refusal
 * (`invalid_token`), never an exception. Also refuses a token that claims to live longer than
 * the issuer ever issues (`exp - iat` above `maxLifetime`): a key that signed it must not be able
 * to mint a token that outlives its own retirement.
 */
export function checkAccessTokenClaims(payload: JWTPayload, limits: ClaimLimits): AccessTokenClaims {
  const p = payload as Record<string, unknown>;
  if (typeof p.iss !== 'string') throw claimError('iss', 'must be a string');
  for (const claim of ['sub', 'client_id', 'jti']) {
    if (!isString(p[claim])) throw claimError(claim, 'must be a non-empty string of visible ASCII');
  }
  const aud = p.aud;
  if (!(isString(aud) || (Array.isArray(aud) && aud.length > 0 && aud.every((a) => isString(a))))) {
    throw claimError('aud', 'must be a string or a non-empty array of strings');
  }
  for (const claim of ['exp', 'iat']) {
    if (!isNumericDate(p[claim])) throw claimError(claim, 'must be a finite, non-negative NumericDate');
  }
  for (const claim of ['nbf', 'auth_time']) {
    if (p[claim] !== undefined && !isNumericDate(p[claim])) throw claimError(claim, 'must be a finite, non-negative NumericDate');
  }
  const { exp, iat } = p as { exp: number; iat: number };
  if (iat > limits.nowSeconds + limits.leeway) throw new InvalidToken('the access token was issued in the future', 'invalid_claims');
  if (exp <= iat) throw claimError('exp', 'must be after iat');
  if (exp - iat > limits.maxLifetime) throw new InvalidToken('the access token lives longer than this issuer allows (exp - iat)', 'invalid_claims');
  if (p.scope !== undefined && !isString(p.scope, SCOPE)) throw claimError('scope', 'must be a string of space-separated scope tokens');
  if (p.roles !== undefined && !(Array.isArray(p.roles) && p.roles.every((r) => isString(r, ROLE)))) {
    throw new InvalidToken('the access token has malformed roles', 'invalid_claims');
  }
  return payload as AccessTokenClaims;
}
