import { uriTextProblem } from './redirect-uri';

/**
 * An `http` loopback IP literal URI, split at the port: scheme and host exactly `http://127.0.0.1`
 * or `http://[::1]`, an optional port, then nothing or a path/query (no userinfo, no fragment).
 * The scheme and host are compared as typed, so `HTTP://`, `127.1` or `[0:0::1]` are not loopback
 * here: they match only character for character.
 */
const LOOPBACK_IP_URI = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::(\d{1,5}))?((?:[/?][^#]*)?)$/;

/** The URI with its port removed, for a loopback IP literal URI with a valid port; else undefined. */
function withoutLoopbackPort(uri: string): string | undefined {
  const match = LOOPBACK_IP_URI.exec(uri);
  if (!match) return undefined;
  const [, origin, port, rest] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return origin + rest;
}

/**
 * Whether `given` (a `redirect_uri` or `post_logout_redirect_uri` of a request) matches one of
 * the client's registered redirect URIs. The one place redirect URIs are compared:
 * - RFC 9700 §4.1.3 / RFC 6749 §3.1.2.3: by exact string comparison;
 * - with its one exception, RFC 8252 §7.3: for a loopback IP literal (`http://127.0.0.1`,
 *   `http://[::1]`), registered with or without a port, any port is allowed, because a native app
 *   gets its port from the OS at run time. Scheme, host, path and query stay exact. `localhost`
 *   stays exact (RFC 8252 §8.3: it may not resolve to the loopback interface).
 * A value with characters outside RFC 3986 never matches, even if a client stored one before
 * registration refused them.
 */
export function matchesRedirectUri(registered: readonly string[], given: string): boolean {
  if (uriTextProblem(given)) return false;
  if (registered.includes(given)) return true;
  const portless = withoutLoopbackPort(given);
  return portless !== undefined && registered.some((uri) => !uriTextProblem(uri) && withoutLoopbackPort(uri) === portless);
}
