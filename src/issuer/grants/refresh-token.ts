import { InvalidGrant, InvalidRequest, InvalidScope } from '../../errors/oauth-errors';
import type { GrantRevoker } from '../../tokens/grant-revoker';
import type { RefreshTokens, StoredRefreshToken } from '../../tokens/refresh-tokens';
import type { UserRegistry } from '../../users/user-registry';
import { parseScope } from '../scope';
import { mintUserTokens, type UserTokenDeps } from '../user-tokens';
import type { GrantHandler } from './grant-handler';
import { isActiveUser } from '../../tokens/token-standing';
import { excerptList } from '../../errors/error-description';

export interface RefreshTokenDeps extends UserTokenDeps {
  refreshTokens: Pick<RefreshTokens, 'issue' | 'find' | 'markUsed'>;
  users: Pick<UserRegistry, 'find'>;
  revoker: Pick<GrantRevoker, 'revokeGrant' | 'isRevoked'>;
  /** Seconds in which a client's retry of the same refresh still gets an answer. */
  reuseWindow: number;
  now: () => number;
}

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh token works once and is replaced.
 * Presented again after the reuse window, it is taken as stolen and the whole family, with its
 * access tokens, is revoked. Within the window (a client retrying after a lost response) the
 * retry gets new tokens. Scope can only narrow; the token is bound to its client.
 */
export function refreshTokenGrant(deps: RefreshTokenDeps): GrantHandler {
  /** Claims the token for this exchange; throws if it was used outside the window. */
  async function claim(stored: StoredRefreshToken, value: string): Promise<void> {
    let current: StoredRefreshToken | undefined = stored;
    if (!current.token.usedAt && (await deps.refreshTokens.markUsed(current, ''))) return;
    // Used already, or just now by a concurrent request: re-read and apply the window.
    current = await deps.refreshTokens.find(value);
    const usedAt = current?.token.usedAt ?? 0;
    if (!current || deps.now() - usedAt > deps.reuseWindow * 1000) {
      await deps.revoker.revokeGrant(stored.token.grantId);
      throw new InvalidGrant('the refresh token was already used; every token of this grant is revoked');
    }
  }

  return {
    grantType: 'refresh_token',
    parameters: ['refresh_token', 'scope'],
    allowsPublicClients: true,
    async handle({ params, client: { client } }) {
      const value = params.get('refresh_token');
      if (!value) throw new InvalidRequest('refresh_token is required');
      const stored = await deps.refreshTokens.find(value);
      if (!stored) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      const { token } = stored;
      if (token.clientId !== client.clientId) throw new InvalidGrant('the refresh token was issued to another client');
      if (await deps.revoker.isRevoked(token.grantId)) throw new InvalidGrant('the refresh token was revoked');

      const requested = parseScope(params.get('scope'));
      const wider = requested.filter((s) => !token.scopes.includes(s));
      if (wider.length) throw new InvalidScope(excerptList(wider) ? `scope can only narrow on refresh; not granted: ${excerptList(wider)}` : 'scope can only narrow on refresh');
      const scopes = requested.length ? requested : token.scopes;

      await claim(stored, value);
      const user = await deps.users.find(token.userId);
      if (!isActiveUser(user)) throw new InvalidGrant('the user of this refresh token is no longer active');

      // RFC 6749 §6: a narrowed scope narrows the access token only; "the refresh token scope MUST
      // be identical to that of the refresh token included by the client in the request".
      const minted = await mintUserTokens(deps, { client, user, scopes, refreshScopes: token.scopes, authTime: token.authTime, nonce: undefined, grantId: token.grantId });
      if (await deps.revoker.isRevoked(token.grantId)) {
        await deps.revoker.revokeGrant(token.grantId, [{ jti: minted.accessJti, exp: minted.accessExp }]);
        throw new InvalidGrant('the refresh token was revoked');
      }
      return minted.response;
    },
  };
}
