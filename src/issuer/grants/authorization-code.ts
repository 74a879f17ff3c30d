import { InvalidGrant, InvalidRequest } from '../../errors/oauth-errors';
import type { AuthorizationCodes } from '../../tokens/authorization-codes';
import type { GrantRevoker } from '../../tokens/grant-revoker';
import type { UserRegistry } from '../../users/user-registry';
import { PKCE_VALUE, verifyPkce } from '../pkce';
import { mintUserTokens, type UserTokenDeps } from '../user-tokens';
import type { GrantHandler } from './grant-handler';
import { isActiveUser } from '../../tokens/token-standing';

export interface AuthorizationCodeDeps extends UserTokenDeps {
  codes: Pick<AuthorizationCodes, 'consume' | 'findRedeemed' | 'markRedeemed'>;
  users: Pick<UserRegistry, 'find'>;
  revoker: Pick<GrantRevoker, 'revokeGrant' | 'isRevoked'>;
}

/**
 * RFC 6749 §4.1.3: exchange a code for tokens. The code is single use; it must come from the same
 * client, with the same redirect_uri, and with the PKCE verifier of its challenge (RFC 7636 §4.5).
 * A replayed code fails and revokes everything the first exchange issued (RFC 6749 §4.1.2).
 */
export function authorizationCodeGrant(deps: AuthorizationCodeDeps): GrantHandler {
  return {
    grantType: 'authorization_code',
    parameters: ['code', 'redirect_uri', 'code_verifier'],
    allowsPublicClients: true,
    async handle({ params, client: { client } }) {
      const value = params.get('code');
      if (!value) throw new InvalidRequest('code is required');
      const verifier = params.get('code_verifier');
      if (verifier !== undefined && !PKCE_VALUE.test(verifier)) throw new InvalidGrant('code_verifier is malformed');

      const code = await deps.codes.consume(value);
      if (!code) {
        const redeemed = await deps.codes.findRedeemed(value);
        if (redeemed) {
          const access = redeemed.accessJti ? [{ jti: redeemed.accessJti, exp: redeemed.accessExp! }] : [];
          await deps.revoker.revokeGrant(redeemed.grantId, access);
          throw new InvalidGrant('the authorization code was already used; the tokens issued with it are revoked');
        }
        throw new InvalidGrant('the authorization code is invalid or expired');
      }
      if (code.clientId !== client.clientId) throw new InvalidGrant('the authorization code was issued to another client');
      const redirectUri = params.get('redirect_uri');
      if ((code.redirectUriGiven || redirectUri !== undefined) && redirectUri !== code.redirectUri) {
        throw new InvalidGrant('redirect_uri does not match the authorization request');
      }
      if (code.codeChallenge) {
        if (!verifier) throw new InvalidGrant('code_verifier is required');
        if (!verifyPkce(verifier, code.codeChallenge, code.codeChallengeMethod ?? 'plain')) throw new InvalidGrant('code_verifier does not match the code_challenge');
      } else if (verifier !== undefined) {
        // RFC 9700 §4.8.2: a verifier without a challenge hints at a PKCE downgrade attack.
        throw new InvalidGrant('code_verifier sent, but the authorization request had no code_challenge');
      }
      const user = await deps.users.find(code.userId);
      if (!isActiveUser(user)) throw new InvalidGrant('the user of this authorization code is no longer active');

      // Remember the redemption before minting, so a replay racing with us still finds the grant.
      await deps.codes.markRedeemed(value, { grantId: code.grantId });
      const minted = await mintUserTokens(deps, { client, user, scopes: code.scopes, authTime: code.authTime, nonce: code.nonce, grantId: code.grantId });
      const access = { jti: minted.accessJti, exp: minted.accessExp };
      await deps.codes.markRedeemed(value, { grantId: code.grantId, accessJti: access.jti, accessExp: access.exp });
      if (await deps.revoker.isRevoked(code.grantId)) {
        // A replay revoked the grant while we were minting: what we just made must not live.
        // Fix: this exchange used to fail too, so a burst of redemptions of one code could yield
        // no 200 at all. This request was the valid first use (RFC 6749 §4.1.3: exactly one
        // redemption succeeds); the replay was the one to deny (§4.1.2), and it revoked the tokens
        // issued here, which are dead on arrival.
        await deps.revoker.revokeGrant(code.grantId, [access]);
      }
      return minted.response;
    },
  };
}
