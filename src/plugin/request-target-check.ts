import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequest } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { headerLines } from '../http/header-lines';
import { isMalformedPath, pathOf } from '../http/malformed-path';

/** RFC 9112 §3.2 / RFC 3986 §3.2.2-§3.2.3: `uri-host [":" port]` (an empty Host is allowed). */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d*)?$/;

/**
 * What makes the target of a request ambiguous before any route is chosen, or undefined.
 * RFC 9112 §3.2: a server MUST answer 400 to a request with more than one Host line or a Host
 * value that is not `uri-host [":" port]`: Node keeps the first Host of several, while a proxy in
 * front, an apiEndpoint's `host` or the upstream may read another one.
 */
function targetProblem(req: IncomingMessage, url: string): string | undefined {
  if (isMalformedPath(url)) return 'malformed request path';
  const hosts = headerLines(req, 'host');
  if (hosts > 1) return 'more than one Host header';
  if (hosts === 1 && !HOST.test(req.headers.host ?? '')) return 'malformed Host header';
  return undefined;
}

/**
 * Before the gateway routes a request to its pipelines: a malformed path or Host is answered here,
 * as the guard would (RFC 6750 §3.1 `invalid_request` with a Bearer challenge) when a guarded
 * apiEndpoint's path covers it, and with the product's JSON error everywhere else. The issuer's
 * own endpoints never read Host (the issuer URL is configured), so only pipelines need this.
 */
export function checkRequestTarget(req: IncomingMessage, res: ServerResponse, guarded: (path: string) => boolean, realm: string): boolean {
  const url = req.url ?? '/';
  const problem = targetProblem(req, url);
  if (!problem) return true;
  const site: ErrorSite = { kind: guarded(pathOf(url)) ? 'resource' : 'endpoint', realm };
  sendError(req, res, new InvalidRequest(problem), site);
  return false;
}
