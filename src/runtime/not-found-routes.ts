import type { Request, Response, Router } from 'express';
import { InvalidRequest, NotFound } from '../errors/oauth-errors';
import { isMalformedPath } from '../http/malformed-path';
import { sendError, type ErrorSite } from '../http/send-error';
import { notFoundPage } from '../pages/message-page';
import { sendPage } from '../pages/security-headers';

/** Path prefixes that belong to Portcullis: nothing else may answer there (the APIs behind the gateway do not). */
const PAGE_PREFIXES = ['/login', '/logout', '/assets'];

/** A browser's navigation asks for HTML first; a script or a client library for JSON (or anything). */
function wantsPage(req: Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html' && (req.method === 'GET' || req.method === 'HEAD');
}

/**
 * What nothing serves under the issuer's own paths: a person gets a page in the product's layout
 * (never Express's "Cannot GET /x"), a program the product's JSON `not_found`. The admin pages
 * answer their own unknown paths (admin-pages-router.ts); `/admin/api/...` paths outside v1 are
 * API paths. `/oauth2/...` holds both the protocol's endpoints and the sign-in pages, so it is
 * told by what the caller accepts.
 */
export function notFoundHere(router: Router, site: ErrorSite): void {
  // A path with a bad `%` escape is no path at all: the protocol's 400, as every route gives it
  // (RFC 3986 §2.1), not a 404 that would say it could exist.
  router.use(['/oauth2', ...PAGE_PREFIXES], (req, res, next) => (isMalformedPath(req.originalUrl) ? sendError(req, res, new InvalidRequest('malformed request path'), site) : next()));
  router.use('/oauth2', (req, res) => (wantsPage(req) ? sendPage(res, 404, notFoundPage()) : notFoundJson(site)(req, res)));
  router.use(PAGE_PREFIXES, (_req, res) => sendPage(res, 404, notFoundPage()));
}

/** The JSON `404 not_found` of an API path. */
export function notFoundJson(site: ErrorSite) {
  return (req: Request, res: Response) => sendError(req, res, new NotFound('nothing is served at this path'), site);
}
