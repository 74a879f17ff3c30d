import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestState } from './request-state';

/** A caller's id is kept only if it is a short token of safe characters (it is echoed and logged). */
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fixes the request's id once, at the start of the request: the incoming `X-Request-Id` when the
 * TCP peer is a trusted proxy (`trustedProxies`) and the id is safe, otherwise a new UUID. An id
 * from anyone else is replaced: a client must not be able to plant ids in the logs or upstream.
 * The id is also set on the request's headers, so the upstream receives it as `X-Request-Id`.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse, fromTrustedProxy: boolean): string {
  const state = requestState(req);
  const incoming = req.headers['x-request-id'];
  state.id = fromTrustedProxy && typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  req.headers['x-request-id'] = state.id;
  return requestId(req, res);
}

/**
 * The request's id (a new UUID if nothing assigned one yet: a plain Express app without the
 * request context). Mirrored in the `X-Request-Id` response header so an integrator can quote it
 * and ops can find the log line.
 */
export function requestId(req: IncomingMessage, res?: ServerResponse): string {
  const state = requestState(req);
  const id = (state.id ??= randomUUID());
  if (res && !res.headersSent && !res.hasHeader('x-request-id')) res.setHeader('X-Request-Id', id);
  return id;
}
