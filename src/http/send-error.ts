import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyError, type ErrorResponse } from '../errors/classify-error';
import type { Logger } from '../logging/logger';
import { requestId } from './request-id';
import { recordRefusal } from './request-outcome';

/**
 * Where a JSON error is answered (see `ErrorSurface` in errors/classify-error.ts):
 * - `endpoint`: an issuer endpoint (token, revoke, introspect): RFC 6749 §5.2 JSON body;
 * - `resource`: a protected resource behind the guard: RFC 6750 §3 `WWW-Authenticate: Bearer`;
 * - `admin-api`: the admin REST API.
 */
export interface ErrorSite {
  kind: 'endpoint' | 'resource' | 'admin-api';
  /** The realm named in Bearer challenges (RFC 6750 §3). */
  realm: string;
  logger?: Logger;
  /** The message of the log line of a failure of the server (`request failed` by default). */
  logMessage?: string;
}

/**
 * The product's one error body: `{error, error_description, field?, fields?, scope?, request_id}`.
 * `field` names the (first) field at fault, `fields` every one when several are; `scope` the
 * permission an `insufficient_scope` lacked.
 */
export function errorBody(answer: ErrorResponse, id: string): Record<string, unknown> {
  const body: Record<string, unknown> = { error: answer.error, error_description: answer.error_description };
  if (answer.field) body.field = answer.field;
  if (answer.fields) body.fields = answer.fields;
  if (answer.scope) body.scope = answer.scope;
  body.request_id = id;
  return body;
}

/**
 * Writes any failure as the JSON error of its site, as `classifyError` decides it: status,
 * `Cache-Control: no-store`, the error's headers and the one body shape. Never a stack trace: the
 * cause of a failure of the server goes to the log, with the request id the client sees.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, thrown: unknown, site: ErrorSite): void {
  const answer = classifyError(thrown, { surface: site.kind, realm: site.realm });
  const id = requestId(req, res);
  // The access log and the metrics record what the guard or an endpoint decided; the admin API decides no access.
  if (site.kind !== 'admin-api') recordRefusal(req, answer);
  if (answer.log === 'error' && site.logger) {
    const detail = thrown instanceof Error ? { cause: thrown.message, stack: thrown.stack } : { cause: String(thrown) };
    site.logger.error(site.logMessage ?? 'request failed', { request_id: id, method: req.method, path: req.url?.split('?')[0], ...detail });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    // RFC 9111 §5.4: for HTTP/1.0 caches on the protocol's answers (RFC 6749 §5.1); the admin API never sent it.
    ...(site.kind === 'admin-api' ? {} : { Pragma: 'no-cache' }),
    ...answer.headers,
  };
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(errorBody(answer, id)));
}
