import type { ProtectedHeaderParameters } from 'jose';
import type { TrustedIssuerSettings } from '../config/trusted-issuer-settings';

/** Claims only an ID token (OIDC Core §2, §3.1.3.6, §3.3.2.11), a logout token or a refresh token carries. */
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash', 'events'];
/** Keycloak's own `typ` claim: `Bearer` on access tokens, these on the others. */
const NOT_ACCESS_TYPES = new Set(['id', 'refresh', 'logout', 'offline']);
/** Header `typ` values an access token may carry when `typ` is not required (RFC 9068 §4; RFC 7519 §5.1). */
const ACCESS_TYPS = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);

/**
 * Why a verified JWT is not an access token, or undefined. RFC 9068 §4 tells them apart by the
 * header `typ` `at+jwt`, but Keycloak, Auth0 (its default profile) and Entra ID send `JWT` on
 * both ID and access tokens, so where `requireTyp` is off a token must also:
 * - carry no claim only ID, logout or refresh tokens have (`nonce`, `at_hash`, `c_hash`,
 *   `s_hash`, `events`, or Keycloak's `typ` claim `ID`/`Refresh`/`Logout`/`Offline`), and this
 *   holds even where `typ` is `at+jwt` (a token cannot be both);
 * - name a header `typ`, if any, that an access token may have (not `logout+jwt`, `secevent+jwt`...);
 * - carry one of `accessTokenClaims` (by default `scope`, `scp` or `client_id`): an ID token is
 *   defined by OIDC Core without any of them, so a bare one never passes.
 * `aud` is the last line: an ID token's audience is the client, an access token's the API, and
 * the guard requires the application's audience.
 */
export function idTokenProblem(header: ProtectedHeaderParameters, claims: Record<string, unknown>, settings: Pick<TrustedIssuerSettings, 'requireTyp' | 'accessTokenClaims'>): string | undefined {
  const marker = ID_TOKEN_CLAIMS.find((claim) => claims[claim] !== undefined);
  if (marker) return `it carries ${marker}, a claim of ID tokens`;
  if (typeof claims.typ === 'string' && NOT_ACCESS_TYPES.has(claims.typ.toLowerCase())) return `its typ claim is ${claims.typ}`;
  if (settings.requireTyp) return undefined;
  if (header.typ !== undefined && !ACCESS_TYPS.has(String(header.typ).toLowerCase())) return `its typ is ${String(header.typ)}`;
  if (!settings.accessTokenClaims.some((claim) => claims[claim] !== undefined)) return `it carries none of ${settings.accessTokenClaims.join(', ')}`;
  return undefined;
}
