import type { ServerResponse } from 'node:http';

/**
 * A 200 JSON answer of the protocol that no cache may keep (RFC 6749 §5.1: `Cache-Control:
 * no-store`, and `Pragma: no-cache` for HTTP/1.0 caches), written straight to Node's response.
 * Express's `res.json` would parse and re-format the content type and hash the body for an ETag
 * on every token (about 10% of the token endpoint's own CPU in a profile): an ETag means nothing
 * on an answer that must not be stored. Headers set before (CORS, X-Request-Id) are kept.
 */
export function sendNoStoreJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  res.end(text);
}
