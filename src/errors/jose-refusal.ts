import { errors as joseErrors } from 'jose';
import { InvalidToken, type TokenRefusalReason } from './oauth-errors';

/**
 * Turns jose's coded errors into a specific, safe `invalid_token` (never jose's own text, which
 * can quote the token). One mapping for Portcullis's own tokens (guard/token-verifier.ts) and
 * other issuers' (trust/foreign-jwt-verifier.ts); `otherwise` is the reason of anything else.
 */
export function joseRefusal(err: unknown, otherwise: TokenRefusalReason = 'invalid_token'): InvalidToken {
  if (err instanceof InvalidToken) return err;
  if (err instanceof joseErrors.JWTExpired) return new InvalidToken('the access token expired', 'expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'typ') return new InvalidToken('not an access token (typ must be at+jwt)', 'invalid_claims');
    if (err.claim === 'nbf' && err.reason === 'check_failed') return new InvalidToken('the access token is not valid yet', 'not_yet_valid');
    return new InvalidToken(`the access token has an invalid ${err.claim} claim`, 'invalid_claims');
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new InvalidToken('the access token uses an algorithm not allowed for its key', 'bad_signature');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidToken('the access token signature is invalid', 'bad_signature');
  return new InvalidToken('the access token is invalid', otherwise);
}
