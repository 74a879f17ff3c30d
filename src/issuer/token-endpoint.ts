import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { allowOrigin } from '../http/cors';
import { sendNoStoreJson } from '../http/send-no-store-json';
import { readForm } from '../http/read-form';
import { peerAddress } from '../http/peer-address';
import { recordOutcome } from '../http/request-outcome';
import type { ClientAuthThrottle } from '../throttle/client-auth-throttle';
import type { RateLimiter } from '../throttle/rate-limit';
import { authenticateClient, type ClientCredentials } from './client-authentication';
import type { GrantRegistry } from './grants/grant-registry';
import { excerpt } from '../errors/error-description';
import { UNSUPPORTED_GRANT, type TokenMeter } from '../metrics/token-meter';

export interface TokenEndpointDeps {
  grants: Pick<GrantRegistry, 'find'>;
  clients: ClientCredentials;
  site: ErrorSite;
  throttle: Pick<ClientAuthThrottle, 'begin'>;
  rateLimiter: Pick<RateLimiter, 'check'>;
  /** Counts requests by grant and result, and their latency. */
  meter?: TokenMeter;
}

/**
 * `POST /oauth2/token` (RFC 6749 §3.2). Authenticates the client, finds the grant in the registry
 * and lets it answer. Every response, success or error, carries `Cache-Control: no-store` (§5.1).
 * It reads and writes Node's own request and response, nothing Express adds: the gateway sends
 * this endpoint's requests to it ahead of Express (plugin/token-lane.ts).
 */
export function tokenEndpoint({ grants, clients, site, throttle, rateLimiter, meter }: TokenEndpointDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const start = performance.now();
    let grantLabel = UNSUPPORTED_GRANT;
    try {
      const params = await readForm(req);
      // The address's limit before anything else that reads the store or checks a secret; the
      // client's once it has authenticated (rate-limit.ts).
      const grantType = params.get('grant_type');
      // The metrics' label: a registered grant's name, never the raw value.
      if (grantType && grants.find(grantType)) grantLabel = grantType;
      await rateLimiter.check('token', undefined, peerAddress(req));
      if (!grantType) throw new InvalidRequest('grant_type is required');
      const client = await authenticateClient(req, params, clients, site.realm, throttle);
      if (client.method !== 'none') await rateLimiter.check('token', client.client.clientId);
      recordOutcome(req, { clientId: client.client.clientId, application: client.client.application });
      allowOrigin(req, res, client.client.allowedOrigins);
      const grant = grants.find(grantType);
      if (!grant) {
        // RFC 6749 §5.2: the description never carries raw input; a plain name may be quoted.
        const name = excerpt(grantType);
        throw new UnsupportedGrantType(name ? `grant_type ${name} is not supported` : 'unsupported grant_type');
      }
      if (client.method === 'none' && !grant.allowsPublicClients) {
        throw new UnauthorizedClient(`a public client cannot use the ${grantType} grant`);
      }
      const body = await grant.handle({ params, client });
      recordOutcome(req, { decision: 'allowed' });
      sendNoStoreJson(res, body);
      meter?.issued(grantLabel, start);
    } catch (err) {
      meter?.failed(grantLabel, err, start);
      sendError(req, res, err, site);
    }
  };
}
