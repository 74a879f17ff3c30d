/** `scheme://authority` of an absolute-form request target (RFC 9112 §3.2.2). */
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
/** Control characters (C0 and DEL): no path means anything by them. */
const CONTROL = /[\x00-\x1f\x7f]/;

/** The path of a request target, as Express's router will see it (no query, no fragment). */
export function pathOf(url: string): string {
  const path = url.replace(AUTHORITY, '');
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

/**
 * Whether the request's path is one Express cannot route without throwing, or that decodes to a
 * control character: a bad or lone `%` escape, invalid or overlong UTF-8 (`%c0%ae`), `%00`.
 * Express decodes route parameters with decodeURIComponent, and its URIError would otherwise reach
 * the default error handler, which prints a stack trace (RFC 3986 §2.1: `%` must start an escape).
 */
export function isMalformedPath(url: string): boolean {
  const path = pathOf(url);
  if (!path.includes('%')) return false;
  try {
    return CONTROL.test(decodeURIComponent(path));
  } catch {
    return true;
  }
}
