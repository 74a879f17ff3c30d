import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DomainError, ValidationError } from '../../errors/domain-errors';
import { InvalidFields } from '../../errors/field-problems';
import { ContentTooLarge, InvalidRequest, InvalidToken, MalformedCredentials, MissingToken, UnsupportedContentEncoding } from '../../errors/oauth-errors';
import { isMalformedPath } from '../../http/malformed-path';
import type { PortcullisSettings } from '../../config/settings';
import type { Csrf } from '../../http/csrf';
import type { Logger } from '../../logging/logger';
import { sendError, type ErrorSite } from '../../http/send-error';
import { resolveActor, type ActorDeps } from '../admin-actor';
import { openApiDocument } from './openapi';
import { InvalidJson, readJson } from './read-json';
import { ADMIN_ROUTES, type AdminRouteDeps } from './routes';

/** What the admin API uses: who calls, the admin operations, CSRF, the logger, issuer and realm. */
export interface AdminApiDeps extends ActorDeps, AdminRouteDeps {
  csrf: Pick<Csrf, 'token' | 'verify'>;
  logger: Logger;
  settings: Pick<PortcullisSettings, 'applications' | 'issuer' | 'realm'>;
}

/** The API's (snake_case) name of a field the registries name in camelCase (own keys only: a field may be `__proto__`). */
const API_FIELDS: Record<string, string> = { redirectUris: 'redirect_uris', allowedOrigins: 'allowed_origins', adminRole: 'admin_role' };

/** A validation error as the API names its field; any other failure as it is. */
function inApiTerms(err: unknown): unknown {
  if (err instanceof InvalidFields) return new InvalidFields(err.problems.map((p) => ({ ...p, field: Object.hasOwn(API_FIELDS, p.field) ? API_FIELDS[p.field] : p.field })));
  if (err instanceof ValidationError && err.field && Object.hasOwn(API_FIELDS, err.field)) return new ValidationError(API_FIELDS[err.field], err.message);
  return err;
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
  const site: ErrorSite = { kind: 'admin-api', realm: p.settings.realm, logger: p.logger, logMessage: 'admin api failed' };
  /** The one way the API answers a failure: the product's error body, as errors/classify-error.ts maps it. */
  const fail = (req: Request, res: Response, err: unknown) => sendError(req, res, inApiTerms(err), site);
  // Before any route decodes `:id`: a path with a bad `%` escape is a bad request (RFC 3986 §2.1).
  router.use((req, res, next) => (isMalformedPath(req.originalUrl) ? fail(req, res, new InvalidRequest('malformed request path')) : next()));
  router.get('/openapi.json', (_req, res) => res.json(openApiDocument(p.settings.issuer)));
  router.use(readJson);
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    // RFC 9110 §15.5.14: a body over the limit is a 413, with the headers it needs (Connection: close).
    if (err instanceof ContentTooLarge) return fail(req, res, new ContentTooLarge('request body too large (at most 64 KiB)'));
    if (err instanceof UnsupportedContentEncoding) return fail(req, res, err);
    if (err instanceof InvalidJson && err.message) return fail(req, res, new DomainError('invalid_json', err.message));
    if (err) return fail(req, res, new DomainError('invalid_json', 'the request body must be a JSON object of at most 64 KiB'));
    next();
  });

  for (const route of ADMIN_ROUTES) {
    router[route.method](toExpressPath(route.path), async (req: Request, res: Response) => {
      try {
        const who = await resolveActor(req, p);
        if (who.kind === 'anonymous') return fail(req, res, new MissingToken('sign in as an admin or send a bearer token'));
        if (who.kind === 'invalid-token') return fail(req, res, who.malformed ? new MalformedCredentials(who.reason) : new InvalidToken(who.reason));
        if (who.kind === 'not-admin') return fail(req, res, new DomainError('forbidden', `${who.name} is not an admin`));
        if (who.via === 'session' && UNSAFE.has(req.method) && !p.csrf.verify(req, req.get('X-CSRF-Token'))) {
          return fail(req, res, new DomainError('csrf', 'missing or wrong X-CSRF-Token header (GET /admin/api/v1/session gives one), or a cross-site request (Origin or Sec-Fetch-Site)'));
        }
        if (req.body !== undefined && UNSAFE.has(req.method) && (typeof req.body !== 'object' || Array.isArray(req.body))) {
          return fail(req, res, new DomainError('invalid_json', 'the request body must be a JSON object'));
        }
        const result = await route.handle(p, who.actor, req, res);
        res.status(route.status).set('Cache-Control', 'no-store').json(result);
      } catch (err) {
        fail(req, res, err);
      }
    });
  }
  router.use((req, res) => fail(req, res, new DomainError('not_found', `no admin API route ${req.method} ${req.path}`)));
  // Express throws a URIError while it decodes `:id` from a malformed path (`/apps/%zz`).
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    fail(req, res, err instanceof URIError ? new InvalidRequest('malformed request path') : err);
  });
  return router;
}
