import type { Request, Response } from 'express';
import { InvalidClient, InvalidRequest } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { readForm } from '../http/read-form';
import { peerAddress } from '../http/peer-address';
import { recordOutcome } from '../http/request-outcome';
import type { ClientAuthThrottle } from '../throttle/client-auth-throttle';
import type { RateLimiter } from '../throttle/rate-limit';
import { authenticateClient } from './client-authentication';
import { decideStanding } from '../tokens/token-standing';
import { loadStanding, registrySources } from '../tokens/token-standing-facts';
import { findToken, type FoundToken, type TokenLookupDeps } from './token-lookup';

/** RFC 7662 §2.2 response for a found token. */
async function describe(found: FoundToken, deps: TokenLookupDeps, caller: string): Promise<Record<string, unknown>> {
  if (found.kind === 'refresh_token') {
    const t = found.stored.token;
    // Refresh tokens are revealed only to the client they were issued to.
    if (t.clientId !== caller) return { active: false };
    return { active: true, token_type: 'refresh_token', client_id: t.clientId, sub: t.userId, scope: t.scopes.join(' '), exp: Math.floor(t.expiresAt / 1000) };
  }
  const c = found.claims;
  // Not honoured (a guard would refuse it: client, user, revocation) means not active.
  if (!decideStanding(c, await loadStanding(c, registrySources(deps))).honoured) return { active: false };
  // A caller learns about its own tokens and about tokens meant for its application (a resource
  // server of that API), nothing else (RFC 7662 §4: the server decides who may introspect what).
  const callerClient = await deps.clients.find(caller);
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  const callerAudience = callerClient ? deps.audienceOf(callerClient.application) : undefined;
  if (c.client_id !== caller && !(callerAudience && audiences.includes(callerAudience))) return { active: false };
  return {
    active: true,
    token_type: 'Bearer',
    client_id: c.client_id,
    sub: c.sub,
    aud: c.aud,
    iss: c.iss,
    exp: c.exp,
    iat: c.iat,
    jti: c.jti,
    ...(c.scope ? { scope: c.scope } : {}),
    roles: c.roles ?? [],
  };
}

export interface IntrospectionDeps extends TokenLookupDeps {
  site: ErrorSite;
  throttle: Pick<ClientAuthThrottle, 'begin'>;
  rateLimiter: Pick<RateLimiter, 'check'>;
}

/**
 * `POST /oauth2/introspect` (RFC 7662) for authenticated confidential clients (typically resource
 * servers). Anything not active, known and ours is `{"active": false}` and nothing more (§2.2).
 */
export function introspectionEndpoint(deps: IntrospectionDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const params = await readForm(req);
      await deps.rateLimiter.check('introspection', undefined, peerAddress(req));
      const { client, method } = await authenticateClient(req, params, deps.clients, deps.site.realm, deps.throttle);
      recordOutcome(req, { clientId: client.clientId, application: client.application });
      if (method === 'none') throw new InvalidClient('introspection requires client authentication', false, deps.site.realm);
      await deps.rateLimiter.check('introspection', client.clientId);
      const token = params.get('token');
      if (!token) throw new InvalidRequest('token is required');
      const found = await findToken(deps, token, params.get('token_type_hint'));
      const body = found ? await describe(found, deps, client.clientId) : { active: false };
      recordOutcome(req, { decision: 'allowed' });
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(body);
    } catch (err) {
      sendError(req, res, err, deps.site);
    }
  };
}
