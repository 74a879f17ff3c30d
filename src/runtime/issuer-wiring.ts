import type { IssuerRouterDeps } from '../issuer/issuer-router';
import { TokenMeter } from '../metrics/token-meter';
import type { Portcullis } from './portcullis';

/**
 * The issuer router's deps, wired from one runtime: each endpoint gets what it uses and nothing
 * else (the issuer does not know `Portcullis`).
 */
export function issuerRouterDeps(portcullis: Portcullis): IssuerRouterDeps {
  const { settings, logger, grants, keys, origins, clients, users, revocations, clientAuthThrottle: throttle, rateLimiter } = portcullis;
  const site = portcullis.errorSite('endpoint');
  const lookup = portcullis.tokenLookupDeps();
  return {
    settings,
    grants,
    keys,
    origins,
    site,
    logger,
    token: { grants, clients, site, throttle, rateLimiter, meter: new TokenMeter(portcullis.metrics) },
    revocation: { ...lookup, site, throttle, rateLimiter },
    introspection: { ...lookup, site, throttle, rateLimiter },
    // Userinfo answers as a protected resource (RFC 6750 challenges), with introspection's verifier.
    userinfo: { verifier: lookup.verifier, revocations, clients, users, site: portcullis.errorSite('resource') },
    interactive: portcullis.interactiveDeps(),
  };
}
