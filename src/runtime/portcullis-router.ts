import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { adminApiRouter } from '../admin/api/admin-api-router';
import { adminPagesRouter } from '../admin/web/admin-pages-router';
import { ADMIN_SCRIPT, ADMIN_STYLES } from '../admin/web/views/admin-layout';
import { InvalidRequest } from '../errors/oauth-errors';
import { sendError } from '../http/send-error';
import { ENDPOINT_PATHS } from '../issuer/discovery';
import { issuerRouter } from '../issuer/issuer-router';
import { tokenEndpoint } from '../issuer/token-endpoint';
import { issuerRouterDeps } from './issuer-wiring';
import { STYLESHEET } from '../pages/layout';
import { brandResponse, brandStyles } from '../pages/brand';
import { notFoundHere, notFoundJson } from './not-found-routes';
import type { Portcullis } from './portcullis';

/**
 * Everything a Portcullis serves over HTTP, as one Express router: the issuer's endpoints, the
 * admin API and pages, and the pages' assets. The issuer does not know the admin area; this is
 * the one place where the two meet.
 */
export function portcullisRouter(portcullis: Portcullis): Router {
  return portcullisRoutes(portcullis).router;
}

/** What a Portcullis serves: the whole router, and its token endpoint on its own (see below). */
export interface PortcullisRoutes {
  router: Router;
  /**
   * `POST /oauth2/token`, the same handler as the router's, on Node's own request and response:
   * the gateway hands it that request ahead of Express (plugin/token-lane.ts).
   */
  token: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export function portcullisRoutes(portcullis: Portcullis): PortcullisRoutes {
  const router = express.Router();
  const brand = portcullis.settings.branding;
  const issuer = issuerRouterDeps(portcullis);
  const token = tokenEndpoint(issuer.token);
  // The token endpoint first: the most frequent request by far, and one no other route here
  // matches, so it need not walk past the assets, the admin routers and the issuer's GET routes.
  // It answers JSON only, never a page, so it needs no brand. (Other methods go on to the issuer
  // router: 405, or the CORS preflight.)
  router.post(ENDPOINT_PATHS.token, token);
  // Every page this router serves carries the product's brand (sendPage reads it; see pages/brand.ts).
  router.use((_req, res, next) => {
    brandResponse(res, brand);
    next();
  });
  router.get('/assets/portcullis.css', (_req, res) => {
    res.status(200).type('text/css').set('Cache-Control', 'public, max-age=3600').send(STYLESHEET + ADMIN_STYLES + brandStyles(brand));
  });
  router.get('/assets/admin.js', (_req, res) => {
    res.status(200).type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(ADMIN_SCRIPT);
  });
  router.use('/admin/api/v1', adminApiRouter(portcullis));
  // Another version of the API is an API path too: JSON, before the admin pages' HTML 404.
  router.use('/admin/api', notFoundJson(portcullis.errorSite('admin-api')));
  router.use('/admin', adminPagesRouter(portcullis));
  router.use(issuerRouter(issuer));
  notFoundHere(router, portcullis.errorSite('endpoint'));
  // Last: an error no handler answered (Express throws a URIError while it decodes the route
  // parameter of `/admin/apps/%zz`) gets the JSON error, never Express's HTML stack trace.
  const site = portcullis.errorSite('endpoint');
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(req, res, err instanceof URIError ? new InvalidRequest('malformed request path') : err, site);
  });
  return { router, token };
}
