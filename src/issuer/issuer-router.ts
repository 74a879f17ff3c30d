import express, { type Request, type Response, type Router } from 'express';
import { MethodNotAllowed } from '../errors/oauth-errors';
import { sendError } from '../http/send-error';
import { handlePreflight } from '../http/cors';
import { answeredWithErrorPage } from '../pages/error-page';
import type { Portcullis } from '../runtime/portcullis';
import { ENDPOINT_PATHS, serverMetadata } from './discovery';
import { authorizeEndpoint, continueEndpoint } from './interactive/authorize-endpoint';
import { consentForm, consentSubmit } from './interactive/consent-endpoint';
import { loginForm, loginSubmit, logoutForm, logoutSubmit } from './interactive/login-endpoint';
import { introspectionEndpoint } from './introspection-endpoint';
import { revocationEndpoint } from './revocation-endpoint';
import { tokenEndpoint } from './token-endpoint';
import { userinfoEndpoint } from './userinfo-endpoint';
import { allGrantablePermissions } from '../applications/permissions';
import { TokenMeter } from '../metrics/token-meter';

type Handler = (req: Request, res: Response) => unknown;

/** Public, cacheable documents: a short max-age lets clients pick up rotated keys quickly. */
function sendDocument(res: Response, body: unknown, maxAge: number): void {
  res.status(200).set({ 'Cache-Control': `public, max-age=${maxAge}`, 'Access-Control-Allow-Origin': '*' }).json(body);
}

/**
 * The issuer's HTTP endpoints as one Express router: discovery (RFC 8414, OIDC Discovery), the JWK
 * Set, token, revocation, introspection, userinfo, and the browser pages (authorize, sign-in,
 * consent, sign-out).
 */
export function issuerRouter(portcullis: Portcullis): Router {
  const router = express.Router();
  const { settings, logger } = portcullis;
  const site = portcullis.errorSite('endpoint');
  const resourceSite = portcullis.errorSite('resource');
  const interactive = portcullis.interactiveDeps();
  const lookup = portcullis.tokenLookupDeps();
  const throttle = portcullis.clientAuthThrottle;
  const rateLimiter = portcullis.rateLimiter;
  const permissions = allGrantablePermissions(settings.applications);
  // The algorithms of every published key: after `keys rotate --algorithm EdDSA` the metadata
  // must say so, or relying parties that trust it would refuse the new ID tokens.
  const metadata = () => serverMetadata({
    issuer: settings.issuer,
    grants: portcullis.grants,
    signingAlgorithms: [...new Set([settings.keys.algorithm, ...portcullis.keys.jwks().keys.map((k) => String(k.alg))])],
    permissions,
    allowPlainPkce: settings.pkce.allowPlain,
  });
  // Express 4 does not catch a rejected handler: without the catch a preflight during an outage
  // never got an answer (and the rejection went unhandled).
  const corsFor = (methods: string): Handler => async (req, res) => {
    try {
      await handlePreflight(req, res, methods, (origin) => portcullis.origins.allows(origin));
    } catch (err) {
      sendError(req, res, err, site);
    }
  };
  // RFC 6749 §3.2: the protocol endpoints are POST only; 405 with `Allow` and the protocol's error body.
  const postOnly: Handler = (req, res) => sendError(req, res, new MethodNotAllowed(`${req.path} accepts only POST`, 'POST'), site);
  /** Browser pages: any failure is a page, never a stack trace. */
  const page = (handler: Handler): Handler => answeredWithErrorPage(handler, logger);

  router.get(ENDPOINT_PATHS.openidConfiguration, (_req, res) => sendDocument(res, metadata(), 300));
  router.get(ENDPOINT_PATHS.oauthServerMetadata, (_req, res) => sendDocument(res, metadata(), 300));
  router.get(ENDPOINT_PATHS.jwks, (_req, res) => {
    res.type('application/jwk-set+json');
    sendDocument(res, portcullis.keys.jwks(), 60);
  });

  router.options(ENDPOINT_PATHS.token, corsFor('POST'));
  router.post(ENDPOINT_PATHS.token, tokenEndpoint({ grants: portcullis.grants, clients: portcullis.clients, site, throttle, rateLimiter, meter: new TokenMeter(portcullis.metrics) }));
  router.all(ENDPOINT_PATHS.token, postOnly);
  router.options(ENDPOINT_PATHS.revocation, corsFor('POST'));
  router.post(ENDPOINT_PATHS.revocation, revocationEndpoint({ ...lookup, site, throttle, rateLimiter }));
  router.all(ENDPOINT_PATHS.revocation, postOnly);
  router.post(ENDPOINT_PATHS.introspection, introspectionEndpoint({ ...lookup, site, throttle, rateLimiter }));
  router.all(ENDPOINT_PATHS.introspection, postOnly);
  router.options(ENDPOINT_PATHS.userinfo, corsFor('GET, POST'));
  const userinfo = userinfoEndpoint({ verifier: lookup.verifier, revocations: portcullis.revocations, clients: portcullis.clients, users: portcullis.users, site: resourceSite });
  router.get(ENDPOINT_PATHS.userinfo, userinfo);
  router.post(ENDPOINT_PATHS.userinfo, userinfo);

  router.get(ENDPOINT_PATHS.authorization, page(authorizeEndpoint(interactive)));
  router.post(ENDPOINT_PATHS.authorization, page(authorizeEndpoint(interactive)));
  router.get(`${ENDPOINT_PATHS.authorization}/continue`, page(continueEndpoint(interactive)));
  router.get('/login', page(loginForm(interactive)));
  router.post('/login', page(loginSubmit(interactive)));
  router.get('/logout', page(logoutForm(interactive)));
  router.post('/logout', page(logoutSubmit(interactive)));
  router.get('/oauth2/consent', page(consentForm(interactive)));
  router.post('/oauth2/consent', page(consentSubmit(interactive)));
  return router;
}
