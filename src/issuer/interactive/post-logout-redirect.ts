import { compactVerify, decodeProtectedHeader } from 'jose';
import { matchesRedirectUri } from '../../clients/redirect-uri-match';
import { InvalidRequest } from '../../errors/oauth-errors';
import { compactJwsProblem } from '../../tokens/compact-jws';
import type { FormParams } from '../../http/read-form';
import type { KeyRing } from '../../keys/key-ring';
import { ID_TOKEN_TYP } from '../../tokens/id-token-issuer';
import type { InteractiveDeps } from './interactive-deps';

/** Where to send the browser after sign-out, if the relying party asked and may. */
export interface PostLogoutTarget {
  redirectUri: string;
  state?: string;
  clientId: string;
}

/**
 * The client an `id_token_hint` was issued to: our signature and issuer, expiry ignored (§2).
 * §2: the hint is an ID token this OP issued, and the same keys also sign access tokens, so the
 * header `typ` must be the one of our ID tokens (RFC 8725 §3.11): an access token (`at+jwt`) or
 * any other kind of JWT is refused like any other invalid hint.
 */
async function clientOfHint(hint: string, keys: Pick<KeyRing, 'verificationKey'>, issuer: string): Promise<string> {
  try {
    // RFC 7515 §2: one spelling per token, as for access tokens.
    if (compactJwsProblem(hint)) throw new Error('not a canonical compact JWS');
    const { kid, typ } = decodeProtectedHeader(hint);
    if (typ !== ID_TOKEN_TYP) throw new Error('not an ID token');
    const key = kid ? await keys.verificationKey(kid) : undefined;
    if (!key) throw new Error('unknown key');
    const { payload } = await compactVerify(hint, key.publicKey, { algorithms: [key.alg] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: string; sub?: unknown; aud?: string | string[] };
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    // OIDC Core §2: an ID token names its subject.
    if (claims.iss !== issuer || typeof claims.sub !== 'string' || typeof aud !== 'string') throw new Error('not ours');
    return aud;
  } catch {
    throw new InvalidRequest('id_token_hint is not an ID token of this issuer');
  }
}

/**
 * OpenID Connect RP-Initiated Logout 1.0 §2-§3: a relying party may send the user to sign out and
 * come back to `post_logout_redirect_uri`, which must match one of the client's registered
 * redirect URIs as `matchesRedirectUri` compares them (so sign-out is never an open redirector). The client comes from `client_id` or
 * from the `id_token_hint`; when both are given they must agree.
 */
export async function postLogoutTarget(params: FormParams, deps: InteractiveDeps): Promise<PostLogoutTarget | undefined> {
  const redirectUri = params.get('post_logout_redirect_uri');
  const hint = params.get('id_token_hint');
  let clientId = params.get('client_id');
  if (hint) {
    const fromHint = await clientOfHint(hint, deps.keys, deps.settings.issuer);
    if (clientId && clientId !== fromHint) throw new InvalidRequest('client_id does not match the id_token_hint');
    clientId = fromHint;
  }
  if (!redirectUri) return undefined;
  if (!clientId) throw new InvalidRequest('post_logout_redirect_uri needs client_id or id_token_hint');
  const client = await deps.clients.find(clientId);
  if (!client || client.status !== 'active' || !matchesRedirectUri(client.redirectUris, redirectUri)) {
    throw new InvalidRequest('post_logout_redirect_uri is not registered for this client');
  }
  const state = params.get('state');
  return { redirectUri, clientId, ...(state !== undefined && state.length <= 1024 ? { state } : {}) };
}

/** The URL to send the browser to after sign-out. */
export function postLogoutUrl(target: PostLogoutTarget): string {
  const url = new URL(target.redirectUri);
  if (target.state !== undefined) url.searchParams.append('state', target.state);
  return url.toString();
}
