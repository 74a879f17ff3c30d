import type { IncomingMessage } from 'node:http';
import { InvalidRequest, MissingToken } from '../errors/oauth-errors';
import { headerLines } from '../http/header-lines';
import { isB64Token } from '../tokens/b64token';

/**
 * Takes the access token from the one place this guard accepts it: the Authorization header
 * (RFC 6750 §2.1; the scheme name is case-insensitive per RFC 7235 §2.1), with the b64token syntax.
 * RFC 6750 §2.3 query tokens leak into logs and Referer headers (RFC 9700 §4.3.2), so this guard
 * does not support that method: a token only in the query string is a request without credentials
 * (RFC 6750 §3.1: 401 with the bare challenge), and a token in both places uses more than one
 * method (`invalid_request`).
 */
export function extractBearer(req: IncomingMessage): string {
  return checkedBearer(req, bearerOf(authorizationHeader(req)));
}

/**
 * The token `extractBearer` would return, without checking its characters, for a lookup in the
 * caches of tokens already verified; undefined when the header has not even the shape
 * `Bearer <token>`. Every refusal about where the token was sent is thrown here, as by
 * `extractBearer`. The characters are what a hit spares: a remembered token is always well formed
 * (a JWS that verified is base64url and dots, since its signature covers those very characters,
 * and an opaque token is introspected only with that syntax, see introspection-client.ts), and
 * checking its ~1,000 characters again cost as much as the rest of the guard's cached decision.
 * A lookup that misses must go on with `checkedBearer`, which refuses a malformed token.
 */
export function bearerForLookup(req: IncomingMessage): string | undefined {
  return bearerOf(authorizationHeader(req));
}

/** `lookup` (from `bearerForLookup(req)`) once its characters are checked; throws the refusal otherwise. */
export function checkedBearer(req: IncomingMessage, lookup: string | undefined): string {
  if (lookup !== undefined && isB64Token(lookup)) return lookup;
  if (/^bearer(\s|$)/i.test(req.headers.authorization ?? '')) throw new InvalidRequest('malformed Bearer credentials');
  // Another scheme (Basic, ...) carries no bearer token: answer with the bare challenge.
  throw new MissingToken('an access token is required');
}

/** What follows `Bearer` (any case) and at least one space, without the spaces around it. */
function bearerOf(header: string): string | undefined {
  if (header.length < 8 || header.charCodeAt(6) !== 32 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  let start = 7;
  while (header.charCodeAt(start) === 32) start++;
  let end = header.length;
  while (end > start && header.charCodeAt(end - 1) === 32) end--;
  return header.slice(start, end);
}

/** The one Authorization header's value, after the refusals of RFC 6750 §2 (see `extractBearer`). */
function authorizationHeader(req: IncomingMessage): string {
  // Node keeps only the first of repeated Authorization headers, so count the raw ones.
  const headers = headerLines(req, 'authorization');
  if (headers > 1) throw new InvalidRequest('more than one Authorization header');
  const inQuery = hasQueryToken(req.url ?? '');
  if (inQuery && headers) throw new InvalidRequest('the access token was sent in more than one way');
  if (inQuery) throw new MissingToken('access tokens are accepted only in the Authorization header');
  const header = req.headers.authorization;
  if (header === undefined) throw new MissingToken('an access token is required');
  return header;
}

function hasQueryToken(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).has('access_token');
}
