import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowed } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import type { ReadinessReport } from './readiness';

/** The probe paths, on the gateway's own port. */
export const HEALTH_PATHS = { liveness: '/healthz', readiness: '/readyz' } as const;

/** Seconds a load balancer or client should wait before it asks an instance that is not ready again. */
const RETRY_AFTER_S = '1';

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // A cached probe answer would hide an outage (RFC 9111 §5.2.2.5).
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  // RFC 9110 §10.2.3: tells a client of a 503 when to try again.
  if (status === 503) res.setHeader('Retry-After', RETRY_AFTER_S);
  // RFC 9110 §9.3.2: HEAD gets the same headers, without the body.
  res.end(req.method === 'HEAD' ? undefined : json);
}

/**
 * Answers the probes, before any pipeline, guard or request check sees the request, and returns
 * true; returns false for every other path.
 * - `/healthz` (liveness): the process answers. Never touches the store, so an outage of Redis
 *   does not make an orchestrator restart every instance.
 * - `/readyz` (readiness): 200 while the instance can serve, else 503 with the checks that failed.
 */
export function answerHealthProbe(
  req: IncomingMessage,
  res: ServerResponse,
  readiness: () => Promise<ReadinessReport>,
  site: ErrorSite,
): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== HEALTH_PATHS.liveness && path !== HEALTH_PATHS.readiness) return false;
  // RFC 9110 §15.5.6: a probe path answers GET and HEAD only; anything else is 405 with `Allow`.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(req, res, new MethodNotAllowed(`${path} accepts only GET and HEAD`, 'GET, HEAD'), site);
    return true;
  }
  if (path === HEALTH_PATHS.liveness) {
    send(req, res, 200, { status: 'ok' });
    return true;
  }
  readiness().then(
    (report) => send(req, res, report.ready ? 200 : 503, { status: report.ready ? 'ok' : 'unavailable', checks: report.checks }),
    () => send(req, res, 503, { status: 'unavailable', checks: { readiness: 'failed' } }),
  );
  return true;
}
