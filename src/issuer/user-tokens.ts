import type { Client } from '../clients/client';
import type { ApplicationSettings } from '../config/settings';
import type { AccessTokenIssuer } from '../tokens/access-token-issuer';
import type { IdTokenIssuer } from '../tokens/id-token-issuer';
import type { RefreshTokens } from '../tokens/refresh-tokens';
import type { User } from '../users/user';
import type { TokenResponse } from './grants/grant-handler';

export interface UserTokenDeps {
  tokens: Pick<AccessTokenIssuer, 'issue'>;
  idTokens: Pick<IdTokenIssuer, 'issue'>;
  refreshTokens: Pick<RefreshTokens, 'issue'>;
  applications: Record<string, ApplicationSettings>;
}

export interface UserGrant {
  client: Client;
  user: User;
  scopes: string[];
  /** The scope of the grant's refresh token when `scopes` was narrowed on refresh (RFC 6749 §6). */
  refreshScopes?: string[];
  authTime: number;
  nonce?: string;
  grantId: string;
}

/**
 * OAuth-only requests get a refresh token, as the first seed describes; OpenID Connect requests
 * (scope `openid`) get one only when `offline_access` was granted (OIDC Core §11).
 */
export function wantsRefreshToken(scopes: readonly string[]): boolean {
  return !scopes.includes('openid') || scopes.includes('offline_access');
}

/**
 * Mints what a user grant returns: an access token carrying the user's current roles in the
 * client's application, an ID token when `openid` was granted, and a refresh token of the grant's
 * family when the rules above allow one.
 */
export async function mintUserTokens(deps: UserTokenDeps, grant: UserGrant): Promise<{ response: TokenResponse; accessJti: string; accessExp: number }> {
  const { client, user, scopes } = grant;
  const application = deps.applications[client.application];
  const scope = scopes.length ? scopes.join(' ') : undefined;
  const access = await deps.tokens.issue({
    clientId: client.clientId,
    subject: user.userId,
    audience: application.audience,
    roles: user.roles[client.application] ?? [],
    scope,
    authTime: grant.authTime,
  });
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn };
  const refreshScopes = grant.refreshScopes ?? scopes;
  if (wantsRefreshToken(refreshScopes)) {
    const refresh = await deps.refreshTokens.issue({
      grantId: grant.grantId,
      clientId: client.clientId,
      userId: user.userId,
      scopes: refreshScopes,
      authTime: grant.authTime,
      nonce: grant.nonce,
      accessJti: access.jti,
      accessExp: access.exp,
    });
    response.refresh_token = refresh.value;
  }
  if (scopes.includes('openid')) {
    response.id_token = await deps.idTokens.issue({ user, clientId: client.clientId, scopes, authTime: grant.authTime, nonce: grant.nonce, accessToken: access.token });
  }
  if (scope) response.scope = scope;
  return { response, accessJti: access.jti, accessExp: access.exp };
}
