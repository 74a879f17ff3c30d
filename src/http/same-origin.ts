import type { IncomingMessage } from 'node:http';

/**
 * The second line of defence behind the CSRF token for state-changing browser requests: true
 * unless the browser says the request comes from another site.
 *
 * - RFC 6454 §7.3: a present `Origin` must be the issuer's own origin exactly; `null` (a sandboxed
 *   frame, a redirect across origins, a `data:` page) is refused.
 * - Fetch Metadata (`Sec-Fetch-Site`): a present value must be `same-origin`, or `none` (the user
 *   typed the address or used a bookmark); `same-site` is refused too, since a sibling subdomain is
 *   not trusted to act for the issuer.
 *
 * Without either header (older browsers) this says yes, and the CSRF token alone decides.
 */
export function isSameOrigin(req: IncomingMessage, issuerOrigin: string): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== issuerOrigin) return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return true;
}
