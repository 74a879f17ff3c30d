import express, { type Request, type Response, type Router } from 'express';
import { MethodNotAllowed } from '../errors/oauth-errors';
import { sendError } from '../http/send-error';
import { handlePreflight } from '../http/cors';
import { answeredWithErrorPage } from '../pages/error-page';
import type { PortcullisSettings } from '../config/settings';
import type { ErrorSite } from '../http/send-error';
import type { OriginIndex } from '../clients/origin-index';
import type { KeyRing } from '../keys/key-ring';
import type { Logger } from '../logging/logger';
import { ENDPOINT_PATHS, serverMetadata } from './discovery';
import type { GrantRegistry } from './grants/grant-registry';
import type { InteractiveDeps } from './interactive/interactive-deps';
import { authorizeEndpoint, continueEndpoint } from './interactive/authorize-endpoint';
import { consentForm, consentSubmit } from './interactive/consent-endpoint';
import { loginForm, loginSubmit, logoutForm, logoutSubmit } from './interactive/login-endpoint';
import { introspectionEndpoint, type IntrospectionDeps } from './introspection-endpoint';
import { revocationEndpoint, type RevocationDeps } from './revocation-endpoint';
import { tokenEndpoint, type TokenEndpointDeps } from './token-endpoint';
import { userinfoEndpoint, type UserInfoDeps } from './userinfo-endpoint';
import { allGrantablePermissions } from '../applications/permissions';

type Handler = (req: Request, res: Response) => unknown;

/** Public, cacheable documents: a short max-age lets clients pick up rotated keys quickly. */
function sendDocument(res: Response, body: unknown, maxAge: number): void {
  res.status(200).set({ 'Cache-Control': `public, max-age=${maxAge}`, 'Access-Control-Allow-Origin': '*' }).json(body);
}

/** What the issuer's endpoints are built from: each endpoint's own deps, wired by the runtime. */
export interface IssuerRouterDeps {
  /** What discovery describes. */
  settings: Pick<PortcullisSettings, 'issuer' | 'keys' | 'pkce' | 'applications'>;
  /** Discovery's `grant_types_supported`. */
  grants: Pick<GrantRegistry, 'types'>;
  /** The JWK Set, and the algorithms discovery lists. */
  keys: Pick<KeyRing, 'jwks'>;
  /** Which browser origins a CORS preflight may come from. */
  origins: Pick<OriginIndex, 'allows'>;
  /** How the endpoints' own errors (preflight, 405) are answered. */
  site: ErrorSite;
  logger: Logger;
  token: TokenEndpointDeps;
  revocation: RevocationDeps;
  introspection: IntrospectionDeps;
  userinfo: UserInfoDeps;
  interactive: InteractiveDeps;
}

/**
 * The issuer's HTTP endpoints as one Express router: discovery (RFC 8414, OIDC Discovery), the JWK
 * Set, token, revocation, introspection, userinfo, and the browser pages (authorize, sign-in,
 * consent, sign-out).
 */
export function issuerRouter(deps: IssuerRouterDeps): Router {
  const router = express.Router();
  const { settings, logger, site, interactive } = deps;
  const permissions = allGrantablePermissions(settings.applications);
  // The algorithms of every published key: after `keys rotate --algorithm EdDSA` the metadata
  // must say so, or relying parties that trust it would refuse the new ID tokens.
  const metadata = () => serverMetadata({
    issuer: settings.issuer,
    grants: deps.grants,
    signingAlgorithms: [...new Set([settings.keys.algorithm, ...deps.keys.jwks().keys.map((k) => String(k.alg))])],
    permissions,
    allowPlainPkce: settings.pkce.allowPlain,
  });
  // Express 4 does not catch a rejected handler: without the catch a preflight during an outage
  // never got an answer (and the rejection went unhandled).
  const corsFor = (methods: string): Handler => async (req, res) => {
    try {
      await handlePreflight(req, res, methods, (origin) => deps.origins.allows(origin));
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
    sendDocument(res, deps.keys.jwks(), 60);
  });

  router.options(ENDPOINT_PATHS.token, corsFor('POST'));
  router.post(ENDPOINT_PATHS.token, tokenEndpoint(deps.token));
  router.all(ENDPOINT_PATHS.token, postOnly);
  router.options(ENDPOINT_PATHS.revocation, corsFor('POST'));
  router.post(ENDPOINT_PATHS.revocation, revocationEndpoint(deps.revocation));
  router.all(ENDPOINT_PATHS.revocation, postOnly);
  router.post(ENDPOINT_PATHS.introspection, introspectionEndpoint(deps.introspection));
  router.all(ENDPOINT_PATHS.introspection, postOnly);
  router.options(ENDPOINT_PATHS.userinfo, corsFor('GET, POST'));
  const userinfo = userinfoEndpoint(deps.userinfo);
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
