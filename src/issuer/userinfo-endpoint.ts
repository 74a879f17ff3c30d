import type { Request, Response } from 'express';
import { acceptsTokenIssuedAt } from '../clients/client';
import type { ClientRegistry } from '../clients/client-registry';
import { InsufficientScope, InvalidToken } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { extractBearer } from '../guard/extract-bearer';
import type { RevocationList } from '../tokens/revocation-list';
import type { TokenVerifier } from '../guard/token-verifier';
import { allowOrigin } from '../http/cors';
import { recordOutcome } from '../http/request-outcome';
import { userClaims } from '../users/user-claims';
import type { UserRegistry } from '../users/user-registry';

export interface UserInfoDeps {
  verifier: TokenVerifier;
  revocations: RevocationList;
  clients: ClientRegistry;
  users: UserRegistry;
  site: ErrorSite;
}

/**
 * `GET|POST /oauth2/userinfo` (OIDC Core §5.3): the signed-in user's claims for an access token
 * that was granted `openid`. Errors are RFC 6750 challenges. CORS for the client's origins only.
 */
export function userinfoEndpoint(deps: UserInfoDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const claims = await deps.verifier.verify(extractBearer(req));
      recordOutcome(req, { clientId: claims.client_id });
      const client = await deps.clients.find(claims.client_id);
      allowOrigin(req, res, client?.allowedOrigins ?? []);
      if (!client || !acceptsTokenIssuedAt(client, claims.iat)) throw new InvalidToken('the client of this access token is not active');
      if (await deps.revocations.isRevoked(claims.jti)) throw new InvalidToken('the access token was revoked');
      const scopes = (claims.scope ?? '').split(' ');
      if (!scopes.includes('openid')) throw new InsufficientScope('userinfo needs a token granted the openid scope', 'openid');
      const user = await deps.users.find(claims.sub);
      if (!user || user.status !== 'active') throw new InvalidToken('the user of this access token is not active');
      recordOutcome(req, { decision: 'allowed', application: client.application });
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({ sub: user.userId, ...userClaims(user, scopes) });
    } catch (err) {
      sendError(req, res, err, deps.site);
    }
  };
}
