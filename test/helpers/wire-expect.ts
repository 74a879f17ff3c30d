import { expect } from 'chai';
import type { Response } from 'supertest';
import { ISSUER } from './test-portcullis';

/**
 * Assertions on the wire shared by the authorization-code suites: JSON errors of the issuer's
 * endpoints (RFC 6749 §5.2), error redirects (§4.1.2.1 + RFC 9207), and HTML pages.
 */

/** Parameters the issuer adds to the redirect URI (RFC 6749 §4.1.2 / §4.1.2.1, RFC 9207). */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description'];

/** Asserts `url` is `redirectUri` (query included, RFC 6749 §3.1.2) plus only the response parameters. */
export function expectSentTo(url: URL, redirectUri: string): void {
  const base = new URL(url);
  for (const name of RESPONSE_PARAMS) base.searchParams.delete(name);
  expect(base.href.replace(/\?$/, '')).to.equal(new URL(redirectUri).href);
}

/** Nothing internal (stack frames, source paths, exception names) in a body. */
export function expectNoInternals(text: string | undefined): void {
  expect(text ?? '').to.not.match(/\n\s+at |\.ts:\d+|Error:|node_modules|TypeError|SyntaxError/);
}

/** RFC 6749 §5.1: `Cache-Control: no-store` and `Pragma: no-cache`. */
export function expectNoStore(res: Response): void {
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers.pragma).to.equal('no-cache');
}

/** RFC 6749 §5.2 JSON error: status, `error`, a description, no caching, nothing internal. */
export function expectJsonError(res: Response, status: number, error: string, description?: RegExp): Record<string, string> {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expectNoStore(res);
  expect(res.body.error, res.text).to.equal(error);
  expect(res.body.error_description).to.be.a('string').and.not.be.empty;
  if (description) expect(res.body.error_description).to.match(description);
  expectNoInternals(res.text);
  return res.body;
}

/**
 * RFC 6749 §4.1.2.1 + RFC 9207 §2: a 303 back to `redirectUri` carrying error, error_description,
 * state exactly as sent, iss = the issuer, and nothing else.
 */
export function expectErrorRedirect(res: Response, redirectUri: string, error: string, state: string | undefined): URL {
  expect(res.status, res.text).to.equal(303);
  expect(res.headers['cache-control']).to.equal('no-store');
  const url = new URL(res.headers.location);
  expectSentTo(url, redirectUri);
  expect(url.searchParams.get('error'), url.toString()).to.equal(error);
  expect(url.searchParams.get('error_description')).to.be.a('string').and.not.be.empty;
  expect(url.searchParams.get('iss')).to.equal(ISSUER);
  expect(url.searchParams.get('state')).to.equal(state ?? null);
  expect([...url.searchParams.keys()].sort()).to.deep.equal(['error', 'error_description', 'iss', ...(state !== undefined ? ['state'] : [])].sort());
  expect(url.searchParams.has('code')).to.equal(false);
  return url;
}

/** The security headers every HTML page carries (clickjacking, caching, CSP). */
export function expectPageHeaders(res: Response): void {
  expect(res.headers['content-type']).to.match(/^text\/html; charset=utf-8/);
  expect(res.headers['content-security-policy']).to.include("frame-ancestors 'none'");
  expect(res.headers['content-security-policy']).to.include("default-src 'none'");
  expect(res.headers['x-frame-options']).to.equal('DENY');
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers['x-content-type-options']).to.equal('nosniff');
}

/** An HTML page with `status`, never a redirect, its error code shown, nothing internal. */
export function expectPage(res: Response, status: number, errorCode?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.location).to.equal(undefined);
  expectPageHeaders(res);
  if (errorCode) expect(res.text).to.include(`<code id="error-code">${errorCode}</code>`);
  expectNoInternals(res.text);
}
