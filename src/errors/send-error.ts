import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestId } from '../http/request-id';
import { recordRefusal } from '../http/request-outcome';
import type { Logger } from '../logging/logger';
import { StoreUnavailableError } from '../store/store';
import { InsufficientScope, MissingToken, OAuthError, ServerError, TemporarilyUnavailable } from './oauth-errors';
import { safeDescription } from './error-description';

/**
 * Where the error happened decides its headers:
 * - `endpoint`: an issuer endpoint (token, revoke, introspect): RFC 6749 §5.2 JSON body;
 * - `resource`: a protected resource behind the guard: RFC 6750 §3 `WWW-Authenticate: Bearer`.
 */
export interface ErrorSite {
  kind: 'endpoint' | 'resource';
  /** The realm named in Bearer challenges (RFC 6750 §3). */
  realm: string;
  logger?: Logger;
}

/** Any thrown value as a protocol error; unknown ones become a detail-free `server_error`. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof StoreUnavailableError) return new TemporarilyUnavailable('the service is temporarily unavailable; try again shortly');
  return new ServerError('The server could not complete the request.');
}

/**
 * RFC 6750 §3: auth-param values are quoted-strings limited to %x20-21 / %x23-5B / %x5D-7E,
 * so quotes, backslashes and non-ASCII are dropped rather than escaped.
 */
function quoteSafe(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/** The `WWW-Authenticate: Bearer ...` challenge for a resource error (RFC 6750 §3). */
export function bearerChallenge(err: OAuthError, realm: string): string {
  const params = [`realm="${quoteSafe(realm)}"`];
  // RFC 6750 §3.1: a request with no authentication information gets no error code.
  if (!(err instanceof MissingToken)) {
    params.push(`error="${err.error}"`, `error_description="${safeDescription(err.description)}"`);
    if (err instanceof InsufficientScope && err.scope) params.push(`scope="${quoteSafe(err.scope)}"`);
  }
  return `Bearer ${params.join(', ')}`;
}

/**
 * The single place where a failure becomes a response: status, `Cache-Control: no-store`,
 * challenge headers and a JSON body `{error, error_description, request_id}`. Never a stack trace.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, thrown: unknown, site: ErrorSite): void {
  const err = toOAuthError(thrown);
  const id = requestId(req, res);
  recordRefusal(req, err);
  if ((err instanceof ServerError || err instanceof TemporarilyUnavailable) && site.logger) {
    const detail = thrown instanceof Error ? { cause: thrown.message, stack: thrown.stack } : { cause: String(thrown) };
    site.logger.error('request failed', { request_id: id, method: req.method, path: req.url?.split('?')[0], ...detail });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...err.headers,
  };
  // RFC 6750 §3: a resource answers every client error (400 invalid_request too) with a challenge.
  if (site.kind === 'resource' && err.status >= 400 && err.status < 500) {
    headers['WWW-Authenticate'] = bearerChallenge(err, site.realm);
  }
  // RFC 6749 §5.2: the last line before the wire keeps the description to its character set.
  const body: Record<string, string> = { error: err.error, error_description: safeDescription(err.description) };
  if (err instanceof InsufficientScope && err.scope) body.scope = err.scope;
  body.request_id = id;
  res.statusCode = err.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}
