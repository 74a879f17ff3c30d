import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookies, setCookie } from './cookies';
import { isSameOrigin } from './same-origin';

/** The CSRF cookie's name (the guard keeps it from upstreams). */
export const CSRF_COOKIE = 'portcullis_csrf';
const COOKIE = CSRF_COOKIE;

/**
 * CSRF protection for every form: a signed double-submit token. A random value lives in an
 * `HttpOnly`, `SameSite=Lax` cookie; the form carries its HMAC under a server key. A cross-site
 * page can neither read the cookie nor compute the HMAC, and a cookie planted by a sibling domain
 * is useless without the matching signature.
 *
 * Every check of a token also checks that the browser did not flag the request as cross-site
 * (`Origin`, `Sec-Fetch-Site`: {@link isSameOrigin}), so every form and every session call of the
 * admin API that is protected by a token gets that second line of defence too.
 */
export class Csrf {
  constructor(private readonly key: Buffer, private readonly secure: boolean, private readonly issuerOrigin: string) {}

  /** The token to put in a form; sets the cookie if the browser has none yet. */
  token(req: IncomingMessage, res: ServerResponse): string {
    let value = readCookies(req)[COOKIE];
    if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
      value = randomBytes(32).toString('base64url');
      setCookie(res, COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
      // Later reads in this same request must see the new value.
      req.headers.cookie = `${COOKIE}=${value}${req.headers.cookie ? '; ' + req.headers.cookie : ''}`;
    }
    return this.sign(value);
  }

  /** True if the request is not cross-site and the submitted token matches this browser's cookie. */
  verify(req: IncomingMessage, submitted: string | undefined): boolean {
    if (!isSameOrigin(req, this.issuerOrigin)) return false;
    const value = readCookies(req)[COOKIE];
    if (!value || !submitted) return false;
    const expected = Buffer.from(this.sign(value));
    const given = Buffer.from(submitted);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(`csrf:${value}`).digest('base64url');
  }
}
