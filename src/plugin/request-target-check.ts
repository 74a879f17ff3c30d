import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequest } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../errors/send-error';
import { isMalformedPath, pathOf } from '../http/malformed-path';

/**
 * Before the gateway routes a request to its pipelines: a malformed path is answered here, as the
 * guard would (RFC 6750 §3.1 `invalid_request` with a Bearer challenge) when a guarded
 * apiEndpoint's path covers it, and with the product's JSON error everywhere else.
 */
export function checkRequestTarget(req: IncomingMessage, res: ServerResponse, guarded: (path: string) => boolean, realm: string): boolean {
  const url = req.url ?? '/';
  if (!isMalformedPath(url)) return true;
  const site: ErrorSite = { kind: guarded(pathOf(url)) ? 'resource' : 'endpoint', realm };
  sendError(req, res, new InvalidRequest('malformed request path'), site);
  return false;
}
