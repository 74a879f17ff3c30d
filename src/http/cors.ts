import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers a CORS preflight for `methods` if `allowed(origin)`; true when it handled the request. */
export async function handlePreflight(req: IncomingMessage, res: ServerResponse, methods: string, allowed: (origin: string) => Promise<boolean>): Promise<boolean> {
  if (req.method !== 'OPTIONS') return false;
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (origin && (await allowed(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', methods);
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.statusCode = 204;
  res.end();
  return true;
}

/**
 * On the actual response: allow the origin only if it is one of the client's registered origins.
 * Credentials (cookies) are never allowed cross-origin: these endpoints take tokens, not cookies.
 */
export function allowOrigin(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): void {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (origin && origins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, X-Request-Id');
  }
}
