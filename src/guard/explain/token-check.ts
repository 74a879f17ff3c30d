import { decodeJwt, decodeProtectedHeader } from 'jose';
import { InvalidToken, OAuthError } from '../../errors/oauth-errors';
import type { ExplainCheck, ExplainStep } from './explain-check';

/** The verifier's refusals that are about the key and the signature; the others are about claims. */
const SIGNATURE_REASONS = new Set(['malformed_token', 'bad_signature', 'unknown_key']);

function peekHeader(token: string): Record<string, unknown> {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function peekClaims(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * The guard's verifier on the token (the same one, so the same rules): first the key and the
 * signature, then the claims (typ, iss, exp, nbf, iat, lifetime, required claims).
 */
export const tokenCheck: ExplainCheck = async (ctx, input, state) => {
  const header = peekHeader(input.token);
  const unverified = peekClaims(input.token);
  const keyDetails = { kid: header.kid ?? null, alg: header.alg ?? null, typ: header.typ ?? null, iss: unverified.iss ?? null };
  try {
    const claims = await ctx.verifier.verify(input.token);
    state.claims = claims;
    const left = claims.exp - Math.floor(Date.now() / 1000);
    return [
      { check: 'signature', result: 'pass', reason: `signed by key ${String(header.kid)} (${String(header.alg)}) of ${claims.iss}`, details: keyDetails },
      {
        check: 'claims',
        result: 'pass',
        reason: `a valid access token of client ${claims.client_id} for ${claims.sub === claims.client_id ? 'itself' : `user ${claims.sub}`}; expires in ${left} s`,
        details: { sub: claims.sub, client_id: claims.client_id, aud: claims.aud, scope: claims.scope ?? null, roles: claims.roles ?? [], iat: claims.iat, exp: claims.exp, jti: claims.jti },
      },
    ];
  } catch (err) {
    const reason = err instanceof OAuthError ? err.description : String(err);
    const code = err instanceof InvalidToken ? err.reason : err instanceof OAuthError ? err.error : 'error';
    const failed: ExplainStep = { check: 'claims', result: 'fail', code, reason, details: { ...unverified } };
    if (SIGNATURE_REASONS.has(code)) {
      return [{ check: 'signature', result: 'fail', code, reason, details: keyDetails }, { check: 'claims', result: 'skip', reason: 'the token is not verified' }];
    }
    return [{ check: 'signature', result: 'pass', reason: `signed by key ${String(header.kid)} (${String(header.alg)})`, details: keyDetails }, failed];
  }
};
