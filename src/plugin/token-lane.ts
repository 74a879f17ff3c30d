import type { Application } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENDPOINT_PATHS } from '../issuer/discovery';

/** Answers one request on Node's own request and response. */
export type LaneHandler = (req: IncomingMessage, res: ServerResponse) => void;

const PATH = ENDPOINT_PATHS.token;

/**
 * True for a request Express would route to the token endpoint's POST handler and to nothing
 * before it: the exact path, with or without a query. Any other spelling Express would also match
 * (another case, a trailing slash) still goes through Express, to the same handler.
 */
export function isTokenRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  return url.length === PATH.length ? url === PATH : url.startsWith(PATH) && url.charCodeAt(PATH.length) === 63; // '?'
}

/**
 * Sends `POST /oauth2/token` to `lane()` ahead of Express Gateway's app, when it gives a handler
 * (the runtime is open; otherwise the request goes the usual way, to the 503).
 *
 * Why: a token costs little more than its signature only if nothing else runs per request. On
 * the way to the plugin's routes, Express re-prototypes the request and the response, parses
 * the query, runs passport's initialize and walks its router's layers. In a profile of ES256 tokens
 * (`BENCH_ISSUER_CPU_PROF=1 npm run bench:issuer`) the main thread's time per token went from
 * 619 to 332 µs once these requests skipped it (with the address-lock cache), for a handler that uses
 * none of it (it reads and writes Node's own objects). The lane takes only what Express would
 * hand to that same handler, and runs what the gateway runs first for every request (the request
 * context: client address, request id, access log), so the answer on the wire is the same.
 *
 * Like installLastResort, it wraps `app.handle`, which Express's app function calls for every
 * request: the one place ahead of every middleware, whichever server (http, https) serves the app.
 */
export function installTokenLane(app: Application, lane: () => LaneHandler | undefined): void {
  const target = app as Application & { handle(req: IncomingMessage, res: ServerResponse, done?: (err?: unknown) => void): void };
  const handle = target.handle.bind(app);
  target.handle = (req, res, done) => {
    const handler = isTokenRequest(req) ? lane() : undefined;
    if (handler) handler(req, res);
    else handle(req, res, done);
  };
}
