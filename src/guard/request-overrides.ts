import type { IncomingMessage } from 'node:http';
import { InvalidRequest } from '../errors/oauth-errors';
import { cgiName } from './cgi-name';

/**
 * Headers that make an upstream treat a request as another method: Google/Express
 * `method-override`, Symfony and Laravel (`X-HTTP-Method-Override`), Microsoft OData
 * (`X-HTTP-Method`), and `X-Method-Override`. The guard checked the permission of the real method,
 * so a GET carrying `X-HTTP-Method-Override: DELETE` would delete with a reader's token.
 */
export const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/**
 * Headers that make an upstream route a request to another path: IIS URL Rewrite and older
 * Symfony/Zend read the path from `X-Original-URL` or `X-Rewrite-URL` instead of the request line.
 */
export const PATH_OVERRIDE_HEADERS = ['x-original-url', 'x-rewrite-url'] as const;

/** The query parameter that Rails, Laravel and the `method-override` package honour as the method. */
const METHOD_PARAM = '_method';

/**
 * Refuses a request that carries a meaning the permission check did not see: an override naming
 * another method (header or `?_method=`), or any path override header. An override that names the
 * request's own method changes nothing and passes; the guard removes it before the upstream.
 * Refused rather than stripped, so the caller learns at once why the request did not do what it asked.
 */
export function refuseOverrides(req: IncomingMessage): void {
  const method = req.method ?? 'GET';
  const h = req.headers;
  // One pass over the headers sent, rather than a lookup of each override name: asking a headers
  // object for a name it lacks misses V8's property caches, on every guarded request.
  // CGI-style backends read `X_HTTP_Method_Override` as `X-HTTP-Method-Override` (see cgiName).
  for (const name of Object.keys(h)) checkHeader(name.includes('_') ? cgiName(name) : name, h[name], method);
  const url = req.url ?? '';
  const q = url.indexOf('?');
  // Parsed only when the query could spell the parameter (`_method`, or escaped as `%5Fmethod`).
  if (q >= 0 && /method|%/i.test(url.slice(q))) {
    for (const value of new URLSearchParams(url.slice(q + 1)).getAll(METHOD_PARAM)) {
      if (!sameMethod(value, method)) throw new InvalidRequest(`the ${METHOD_PARAM} query parameter names another method than ${method}; send the request with that method`);
    }
  }
}

const METHOD_HEADERS: ReadonlySet<string> = new Set(METHOD_OVERRIDE_HEADERS);
const PATH_HEADERS: ReadonlySet<string> = new Set(PATH_OVERRIDE_HEADERS);

/** Throws if header `name` (lower case, hyphens) with `value` overrides the method or the path. */
function checkHeader(name: string, value: string | string[] | undefined, method: string): void {
  if (value === undefined) return;
  if (METHOD_HEADERS.has(name) && !sameMethod(value, method)) throw new InvalidRequest(`the ${name} header names another method than ${method}; send the request with that method`);
  if (PATH_HEADERS.has(name)) throw new InvalidRequest(`the ${name} header is not accepted; send the request to that path`);
}

/** Each comma-separated value names `method` (methods are compared case-insensitively, as frameworks do). */
function sameMethod(value: string | string[], method: string): boolean {
  const values = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
  return values.every((v) => v.trim().toUpperCase() === method);
}
