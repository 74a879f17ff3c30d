import type { ServerResponse } from 'node:http';
import { requestId } from '../http/request-id';
import { brandOf, logoOrigin, type Brand } from './brand';
import { escapeHtml } from './html';
import { SLOTS } from './layout';

/**
 * Headers for every HTML page: no framing (clickjacking on the consent button), no caching of
 * pages that show who is signed in, no referrer leaks of codes, and a CSP that allows only our
 * stylesheet and forms posting back to us (plus, on the consent page, the client's redirect
 * origin: browsers apply form-action to the redirect that follows the form).
 */
export function setPageHeaders(res: ServerResponse, formTargets: string[] = [], withScript = false): void {
  const formAction = ["'self'", ...formTargets].join(' ');
  // The branding's logo may live on another origin (a CDN): allowed as an image, nothing else.
  const logo = logoOrigin(brandOf(res));
  // Only the admin pages load a script (/assets/admin.js, for copy buttons); no inline scripts anywhere.
  const script = withScript ? "; script-src 'self'" : '';
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'self'; img-src 'self'${logo ? ` ${logo}` : ''}${script}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // `same-origin`, not `no-referrer`: nothing (no code, no interaction id) is sent to another origin
  // either way, but under `no-referrer` browsers send `Origin: null` on our own form posts (Fetch
  // §3.1 "append a request Origin header"), which the cross-site check (same-origin.ts) refuses.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
}

/** The brand's header: the logo (if any) and the product's name. */
function brandHeader(brand: Brand): string {
  const logo = brand.logoUrl ? `<img src="${escapeHtml(brand.logoUrl)}" alt="" id="brand-logo">` : '';
  return `${logo}<span id="brand-name">${escapeHtml(brand.productName)}</span>`;
}

/** Sends an HTML page with the security headers, its slots filled with this response's brand and request id. */
export function sendPage(res: ServerResponse, status: number, page: string, formTargets: string[] = [], withScript = false): void {
  setPageHeaders(res, formTargets, withScript);
  const brand = brandOf(res);
  const filled = page
    .replaceAll(SLOTS.productName, escapeHtml(brand.productName))
    .replace(SLOTS.header, brandHeader(brand))
    .replace(SLOTS.requestId, escapeHtml(res.req ? requestId(res.req, res) : ''));
  res.statusCode = status;
  res.end(filled);
}

/** RFC 9110 §15.4.4: after a POST, 303 makes the browser follow with GET. */
export function redirect303(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}
