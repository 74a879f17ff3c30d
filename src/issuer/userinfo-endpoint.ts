import type { Request, Response } from 'express';
import type { ClientRegistry } from '../clients/client-registry';
import { InsufficientScope, InvalidToken } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { extractBearer } from '../guard/extract-bearer';
import type { RevocationList } from '../tokens/revocation-list';
import { decideStanding } from '../tokens/token-standing';
import { loadStanding, registrySources } from '../tokens/token-standing-facts';
import type { TokenVerifier } from '../guard/token-verifier';
import { allowOrigin } from '../http/cors';
import { recordOutcome } from '../http/request-outcome';
import { userClaims } from '../users/user-claims';
import type { UserRegistry } from '../users/user-registry';

export interface UserInfoDeps {
  verifier: Pick<TokenVerifier, 'verify'>;
  revocations: Pick<RevocationList, 'isRevoked'>;
  clients: Pick<ClientRegistry, 'find'>;
  users: Pick<UserRegistry, 'find'>;
  site: ErrorSite;
}

/**
 * `GET|POST /oauth2/userinfo` (OIDC Core §5.3): the signed-in user's claims for an access token
 * that was granted `openid`. Errors are RFC 6750 challenges. CORS for the client's origins only.
 */
export function userinfoEndpoint(deps: UserInfoDeps) {
  const sources = registrySources(deps);
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const claims = await deps.verifier.verify(extractBearer(req));
      recordOutcome(req, { clientId: claims.client_id });
      // CORS first: a browser app must be able to read the refusal too.
      const client = await deps.clients.find(claims.client_id);
      allowOrigin(req, res, client?.allowedOrigins ?? []);
      const scopes = (claims.scope ?? '').split(' ');
      const openid = scopes.includes('openid');
      // Userinfo describes the person behind the token, so its user is read whatever `sub` is;
      // without `openid` the answer is insufficient_scope and the user is not needed.
      const facts = await loadStanding(claims, sources, { client: client ?? null, withUser: openid });
      const standing = decideStanding(claims, facts);
      if (!standing.honoured) throw new InvalidToken(standing.summary);
      if (!openid) throw new InsufficientScope('userinfo needs a token granted the openid scope', 'openid');
      const user = facts.user!;
      recordOutcome(req, { decision: 'allowed', application: facts.client!.application });
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({ sub: user.userId, ...userClaims(user, scopes) });
    } catch (err) {
      sendError(req, res, err, deps.site);
    }
  };
}
