import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, serialize, type CookieSerializeOptions } from 'cookie';

/** The request's cookies (first value wins for a repeated name). */
export function readCookies(req: IncomingMessage): Record<string, string | undefined> {
  const header = req.headers.cookie;
  if (!header) return {};
  try {
    return parse(header);
  } catch {
    return {};
  }
}

/** Appends a Set-Cookie header, keeping any already set on the response. */
export function setCookie(res: ServerResponse, name: string, value: string, options: CookieSerializeOptions): void {
  const existing = res.getHeader('Set-Cookie');
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader('Set-Cookie', [...list, serialize(name, value, options)]);
}
