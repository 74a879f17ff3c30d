import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = Symbol('portcullis.requestId');

/**
 * The request's id: a caller's `X-Request-Id` when it is short and safe to echo, otherwise a new
 * UUID. Set once per request and mirrored in the `X-Request-Id` response header so an integrator
 * can quote it and ops can find the log line.
 */
export function requestId(req: IncomingMessage, res?: ServerResponse): string {
  const holder = req as IncomingMessage & { [KEY]?: string };
  if (!holder[KEY]) {
    const incoming = req.headers['x-request-id'];
    holder[KEY] = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  }
  if (res && !res.headersSent && !res.getHeader('X-Request-Id')) res.setHeader('X-Request-Id', holder[KEY]!);
  return holder[KEY]!;
}
