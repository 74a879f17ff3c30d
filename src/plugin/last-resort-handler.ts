import type { Application } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequest, NotFound, OAuthError } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';

/** What Express passes to its final handler: an error with an HTTP status (body-parser, URIError), or anything. */
type Failure = { status?: unknown; statusCode?: unknown } | undefined;

/** The product's answer for what no route answered, or for an error no handler took. */
export function lastResort(req: IncomingMessage, res: ServerResponse, err: unknown, site: () => ErrorSite): void {
  if (err === undefined || err === null) return sendError(req, res, new NotFound('nothing is served at this path'), site());
  if (err instanceof OAuthError) return sendError(req, res, err, site());
  const status = Number((err as Failure)?.status ?? (err as Failure)?.statusCode);
  // Express marks a route parameter it could not decode as a 400 URIError; body parsers use 4xx too.
  if (err instanceof URIError) return sendError(req, res, new InvalidRequest('malformed request path'), site());
  if (status >= 400 && status < 500) return sendError(req, res, new InvalidRequest('the request could not be read'), site());
  sendError(req, res, err, site()); // a server_error; the cause is logged, never sent
}

/**
 * Replaces Express's final handler (finalhandler), which answers an unrouted request or an uncaught
 * error with an HTML page, and outside production with the stack trace and the installation path.
 * Express Gateway mounts its pipelines after the plugins' routes, so a last `app.use` error handler
 * would run before them; the final callback of `app.handle` is the one place after everything.
 */
export function installLastResort(app: Application, site: () => ErrorSite): void {
  const target = app as Application & { handle(req: IncomingMessage, res: ServerResponse, done?: (err?: unknown) => void): void };
  const handle = target.handle.bind(app);
  target.handle = (req, res, done) => handle(req, res, done ?? ((err?: unknown) => lastResort(req, res, err, site)));
}
