import type { RevocationHolder } from './held-revocations';
import type { CachedAnswer } from './verified-token-cache';
import type { ClaimsShape, TokenFacts } from './claims-shape';

/**
 * A verified token as the verified-token cache remembers it (own tokens, guard/token-verifier.ts, and
 * other issuers' JWTs, trust/foreign-jwt-verifier.ts): its own claims (jti, iat, exp) beside its
 * shape (the claims it shares with many tokens, and the key that verified it), and the guard's
 * answer about its revocation (held-revocations.ts): one entry per token in use holds both.
 *
 * Every field is set in the constructor (the revocation ones to 0, "no answer"), so that all
 * entries share one hidden class with every field inside the object (8 bytes each): its user
 * (`slot`) is read from the shape (each verifier interns shapes of its own) and the rare extra
 * per-token claims (nbf, auth_time) are a field of a subclass only, not 8 bytes in every entry.
 */
export class RememberedToken implements CachedAnswer, TokenFacts, RevocationHolder {
  declare next?: CachedAnswer;
  declare readonly extra?: readonly unknown[];
  revocation = 0;
  revocationAt = 0;

  constructor(
    readonly shape: ClaimsShape,
    /** A string in Portcullis's own tokens; another issuer's may lack it or have another type. */
    readonly jti: unknown,
    readonly iat: number,
    readonly exp: number,
  ) {}

  get slot(): number {
    return this.shape.slot;
  }
}

/** One with the values of its shape's `extra` claims. */
class RememberedWithExtra extends RememberedToken {
  constructor(shape: ClaimsShape, jti: unknown, iat: number, exp: number, override readonly extra: readonly unknown[]) {
    super(shape, jti, iat, exp);
  }
}

/** The entry of a verified token of this shape; `extra`: the values of the shape's extra claims, if it has any. */
export function rememberToken(shape: ClaimsShape, jti: unknown, iat: number, exp: number, extra: readonly unknown[] | undefined): RememberedToken {
  return extra ? new RememberedWithExtra(shape, jti, iat, exp, extra) : new RememberedToken(shape, jti, iat, exp);
}
