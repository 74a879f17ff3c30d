import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../../errors/domain-errors';
import { ContentTooLarge, InvalidRequest, UnsupportedContentEncoding } from '../../errors/oauth-errors';
import { bearerChallenge, toOAuthError } from '../../errors/send-error';
import { isMalformedPath } from '../../http/malformed-path';
import { requestId } from '../../http/request-id';
import type { PortcullisSettings } from '../../config/settings';
import type { Csrf } from '../../http/csrf';
import type { Logger } from '../../logging/logger';
import { resolveActor, type ActorDeps } from '../admin-actor';
import { Forbidden } from '../admin-authorization';
import { openApiDocument } from './openapi';
import { InvalidJson, readJson } from './read-json';
import { ADMIN_ROUTES, type AdminRouteDeps } from './routes';

/** What the admin API uses: who calls, the admin operations, CSRF, the logger, issuer and realm. */
export interface AdminApiDeps extends ActorDeps, AdminRouteDeps {
  csrf: Pick<Csrf, 'token' | 'verify'>;
  logger: Logger;
  settings: Pick<PortcullisSettings, 'applications' | 'issuer' | 'realm'>;
}

/** Sends the admin API's error shape: `{error, message, field?, request_id}`, never a stack. */
function fail(req: Request, res: Response, status: number, error: string, message: string, field?: string): void {
  res.status(status).set('Cache-Control', 'no-store').json({ error, message, ...(field ? { field } : {}), request_id: requestId(req, res) });
}

/** The API's (snake_case) name of a field the registries name in camelCase (own keys only: a field may be `__proto__`). */
const API_FIELDS: Record<string, string> = { redirectUris: 'redirect_uris', allowedOrigins: 'allowed_origins', adminRole: 'admin_role' };

/** Domain errors to HTTP: 404 unknown id, 409 conflict, 422 invalid field, 403 forbidden. */
function sendDomainError(req: Request, res: Response, err: unknown, p: AdminApiDeps): void {
  if (err instanceof NotFoundError) return fail(req, res, 404, err.code, err.message);
  if (err instanceof ConflictError) return fail(req, res, 409, err.code, err.message);
  if (err instanceof ValidationError) return fail(req, res, 422, err.code, err.message, err.field && (Object.hasOwn(API_FIELDS, err.field) ? API_FIELDS[err.field] : err.field));
  if (err instanceof Forbidden) return fail(req, res, 403, err.code, err.message);
  if (err instanceof DomainError) return fail(req, res, 400, err.code, err.message);
  // Everything else through the one mapping of any failure to a protocol error: an outage is 503
  // with Retry-After, anything unexpected a detail-free 500, as at every other endpoint.
  const error = toOAuthError(err);
  if (error.status >= 500) p.logger.error('admin api failed', { request_id: requestId(req, res), cause: err instanceof Error ? err.message : String(err) });
  res.set(error.headers);
  fail(req, res, error.status, error.error, error.description);
}

const toExpressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const UNSAFE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * `/admin/api/v1`: the admin REST API. Callers are admins by session (changes need the
 * X-CSRF-Token header) or by a bearer token whose subject holds an admin role (a service client
 * with an admin role, or an admin user's token granted the `portcullis:admin` scope).
 */
export function adminApiRouter(p: AdminApiDeps): Router {
  const router = express.Router();
  // Before any route decodes `:id`: a path with a bad `%` escape is a bad request (RFC 3986 §2.1).
  router.use((req, res, next) => (isMalformedPath(req.originalUrl) ? fail(req, res, 400, 'invalid_request', 'malformed request path') : next()));
  router.get('/openapi.json', (_req, res) => res.json(openApiDocument(p.settings.issuer)));
  router.use(readJson);
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    // RFC 9110 §15.5.14: a body over the limit is a 413, with the headers it needs (Connection: close).
    if (err instanceof ContentTooLarge) {
      res.set(err.headers);
      return fail(req, res, 413, 'invalid_request', 'request body too large (at most 64 KiB)');
    }
    if (err instanceof UnsupportedContentEncoding) {
      res.set(err.headers);
      return fail(req, res, 415, 'invalid_request', err.description);
    }
    if (err instanceof InvalidJson && err.message) return fail(req, res, 400, 'invalid_json', err.message);
    if (err) return fail(req, res, 400, 'invalid_json', 'the request body must be a JSON object of at most 64 KiB');
    next();
  });

  for (const route of ADMIN_ROUTES) {
    router[route.method](toExpressPath(route.path), async (req: Request, res: Response) => {
      try {
        const who = await resolveActor(req, p);
        if (who.kind === 'anonymous') {
          res.set('WWW-Authenticate', `Bearer realm="${p.settings.realm}"`);
          return fail(req, res, 401, 'unauthorized', 'sign in as an admin or send a bearer token');
        }
        if (who.kind === 'invalid-token' && who.malformed) {
          res.set('WWW-Authenticate', bearerChallenge(new InvalidRequest(who.reason), p.settings.realm));
          return fail(req, res, 400, 'invalid_request', who.reason);
        }
        if (who.kind === 'invalid-token') {
          res.set('WWW-Authenticate', `Bearer realm="${p.settings.realm}", error="invalid_token"`);
          return fail(req, res, 401, 'invalid_token', who.reason);
        }
        if (who.kind === 'not-admin') return fail(req, res, 403, 'forbidden', `${who.name} is not an admin`);
        if (who.via === 'session' && UNSAFE.has(req.method) && !p.csrf.verify(req, req.get('X-CSRF-Token'))) {
          return fail(req, res, 403, 'csrf', 'missing or wrong X-CSRF-Token header (GET /admin/api/v1/session gives one), or a cross-site request (Origin or Sec-Fetch-Site)');
        }
        if (req.body !== undefined && UNSAFE.has(req.method) && (typeof req.body !== 'object' || Array.isArray(req.body))) {
          return fail(req, res, 400, 'invalid_json', 'the request body must be a JSON object');
        }
        const result = await route.handle(p, who.actor, req, res);
        res.status(route.status).set('Cache-Control', 'no-store').json(result);
      } catch (err) {
        sendDomainError(req, res, err, p);
      }
    });
  }
  router.use((req, res) => fail(req, res, 404, 'not_found', `no admin API route ${req.method} ${req.path}`));
  // Express throws a URIError while it decodes `:id` from a malformed path (`/apps/%zz`).
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof URIError) return fail(req, res, 400, 'invalid_request', 'malformed request path');
    sendDomainError(req, res, err, p);
  });
  return router;
}
