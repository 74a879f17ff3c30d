import type { Request, Response } from 'express';
import { InvalidRequest } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { allowOrigin } from '../http/cors';
import { readForm } from '../http/read-form';
import { peerAddress } from '../http/peer-address';
import { recordOutcome } from '../http/request-outcome';
import type { ClientAuthThrottle } from '../throttle/client-auth-throttle';
import type { RateLimiter } from '../throttle/rate-limit';
import { authenticateClient } from './client-authentication';
import { findToken, ownerOf, type TokenLookupDeps } from './token-lookup';

export interface RevocationDeps extends TokenLookupDeps {
  site: ErrorSite;
  throttle: Pick<ClientAuthThrottle, 'begin'>;
  rateLimiter: Pick<RateLimiter, 'check'>;
}

/**
 * `POST /oauth2/revoke` (RFC 7009). The client authenticates; a token of its own is revoked
 * (a refresh token takes its whole grant and the access tokens issued with it, §2.1; an access
 * token is refused by the gateway within a second). Unknown, foreign or already invalid tokens
 * get the same 200 (§2.2), so the endpoint tells nothing about other clients' tokens.
 */
export function revocationEndpoint(deps: RevocationDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const params = await readForm(req);
      await deps.rateLimiter.check('revocation', undefined, peerAddress(req));
      const { client, method } = await authenticateClient(req, params, deps.clients, deps.site.realm, deps.throttle);
      // A public client's id is public: anyone could spend its budget by naming it.
      if (method !== 'none') await deps.rateLimiter.check('revocation', client.clientId);
      recordOutcome(req, { clientId: client.clientId, application: client.application });
      allowOrigin(req, res, client.allowedOrigins);
      const token = params.get('token');
      if (!token) throw new InvalidRequest('token is required');
      const found = await findToken(deps, token, params.get('token_type_hint'), deps.revocationVerifier);
      if (found && ownerOf(found) === client.clientId) {
        if (found.kind === 'refresh_token') await deps.revoker.revokeGrant(found.stored.token.grantId);
        // Revoking a revoked access token again writes the same record: no need to ask first.
        else await deps.revocations.revoke(found.claims.jti, found.claims.exp);
      }
      recordOutcome(req, { decision: 'allowed' });
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).end();
    } catch (err) {
      sendError(req, res, err, deps.site);
    }
  };
}
