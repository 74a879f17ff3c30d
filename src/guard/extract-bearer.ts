import type { IncomingMessage } from 'node:http';
import { InvalidRequest, MissingToken } from '../errors/oauth-errors';
import { headerLines } from '../http/header-lines';

/** RFC 6750 §2.1 b64token syntax. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Takes the access token from the one place this guard accepts it: the Authorization header
 * (RFC 6750 §2.1; the scheme name is case-insensitive per RFC 7235 §2.1).
 * RFC 6750 §2.3 query tokens leak into logs and Referer headers (RFC 9700 §4.3.2), so this guard
 * does not support that method: a token only in the query string is a request without credentials
 * (RFC 6750 §3.1: 401 with the bare challenge), and a token in both places uses more than one
 * method (`invalid_request`).
 */
export function extractBearer(req: IncomingMessage): string {
  // Node keeps only the first of repeated Authorization headers, so count the raw ones.
  const headers = headerLines(req, 'authorization');
  if (headers > 1) throw new InvalidRequest('more than one Authorization header');
  const inQuery = hasQueryToken(req.url ?? '');
  if (inQuery && headers) throw new InvalidRequest('the access token was sent in more than one way');
  if (inQuery) throw new MissingToken('access tokens are accepted only in the Authorization header');

  const header = req.headers.authorization;
  if (header === undefined) throw new MissingToken('an access token is required');
  const match = BEARER.exec(header);
  if (match) return match[1];
  if (/^bearer(\s|$)/i.test(header)) throw new InvalidRequest('malformed Bearer credentials');
  // Another scheme (Basic, ...) carries no bearer token: answer with the bare challenge.
  throw new MissingToken('an access token is required');
}

function hasQueryToken(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).has('access_token');
}
