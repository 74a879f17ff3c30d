/** RFC 6750 §2.1 b64token: the characters a bearer token may have. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * `token` has the RFC 6750 §2.1 b64token syntax. Every token the guard takes from a request has it
 * (src/guard/extract-bearer.ts), and every token a cache remembers must have it: the guard's
 * cached lookup does not check the characters again.
 */
export function isB64Token(token: string): boolean {
  return B64TOKEN.test(token);
}
