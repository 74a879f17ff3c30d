// One backend (SQLite) only: a malformed request target is refused before anything reads the store.
import { expect } from 'chai';
import path from 'node:path';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { rawRequest, type RawResponse } from '../helpers/raw-http';

/**
 * RFC 3986 §2.1 / RFC 9112 §3.2: request targets Express cannot route (a bad or lone `%` escape,
 * overlong or invalid UTF-8, `%00`) at every prefix the real gateway serves, in production mode and
 * not. Express decodes route parameters and throws a URIError that its default handler renders as
 * an HTML stack trace with the installation path; the product must answer with its own JSON error
 * instead, and a guarded path with the RFC 6750 §3.1 `invalid_request` and a Bearer challenge.
 */

const CHECKOUT = path.resolve(__dirname, '..', '..');
const BAD_ENDINGS = ['%zz', '%c0%ae', '%', '%00', '%ff', 'a%2', '%ed%a0%80', '%e0%80%af'];
/** Paths behind a `portcullis-guard` pipeline in config/gateway.config.yml. */
const GUARDED = ['/echo/', '/reports/', '/echo/x/'];
/** The issuer's own prefixes (issuer router, admin pages), and a path nothing serves. */
const ISSUER = ['/oauth2/', '/oauth2/token/', '/oauth2/authorize/', '/oauth2/userinfo/', '/.well-known/', '/.well-known/jwks.json/', '/login/', '/logout/', '/assets/', '/nope/', '/'];
/** The admin pages answer with their own HTML error page. */
const ADMIN_PAGES = ['/admin/', '/admin/apps/', '/admin/users/', '/admin/apps/x/'];
const ADMIN_API = ['/admin/api/v1/', '/admin/api/v1/apps/', '/admin/api/v1/users/'];

/** Nothing internal anywhere in the response: no stack frame, exception name or file path. */
function expectNothingInternal(res: RawResponse): void {
  for (const text of [res.text, res.rawHeaders]) {
    expect(text).to.not.match(/\n\s+at |\.[jt]s:\d+|\b\w*Error\b|node_modules/);
    expect(text).to.not.include(CHECKOUT);
  }
  expect(res.headers['cache-control']).to.equal('no-store');
}

/** A JSON error, not Express's HTML page, with nothing internal. */
function expectNoLeak(res: RawResponse): void {
  expectNothingInternal(res);
  expect(res.text).to.not.match(/<html|<pre|<!doctype/i);
  expect(res.headers['content-type']).to.match(/^application\/json; charset=utf-8/);
}

for (const mode of ['development', 'production']) {
  describe(`e2e: malformed request targets through the real gateway (NODE_ENV=${mode})`, function () {
    this.timeout(60_000);
    let gw: GatewayProcess;

    before(async () => {
      gw = await startGateway({ NODE_ENV: mode });
    });
    after(async () => {
      await gw?.stop();
    });

    for (const prefix of GUARDED) {
      for (const ending of BAD_ENDINGS) {
        it(`GET ${prefix}${ending}, no token -> RFC 6750 §3.1 400 invalid_request with a Bearer challenge`, async () => {
          const res = await rawRequest(gw.baseUrl, 'GET', prefix + ending);
          expect(res.status, res.text).to.equal(400);
          expectNoLeak(res);
          expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis", error="invalid_request", error_description="malformed request path"');
          const body = JSON.parse(res.text);
          expect(body).to.have.all.keys('error', 'error_description', 'request_id');
          expect(body).to.include({ error: 'invalid_request', error_description: 'malformed request path' });
          expect(body.request_id).to.equal(res.headers['x-request-id']);
        });
      }
    }

    for (const prefix of ISSUER) {
      for (const ending of BAD_ENDINGS) {
        it(`GET ${prefix}${ending} -> 400 invalid_request, the product's JSON error`, async () => {
          const res = await rawRequest(gw.baseUrl, 'GET', prefix + ending);
          expect(res.status, res.text).to.equal(400);
          expectNoLeak(res);
          expect(res.headers['www-authenticate']).to.equal(undefined);
          const body = JSON.parse(res.text);
          expect(body).to.have.all.keys('error', 'error_description', 'request_id');
          expect(body.error).to.equal('invalid_request');
        });
      }
    }

    for (const prefix of ADMIN_PAGES) {
      for (const ending of BAD_ENDINGS) {
        it(`GET ${prefix}${ending} -> the admin pages' 400 page with the code invalid_request`, async () => {
          const res = await rawRequest(gw.baseUrl, 'GET', prefix + ending);
          expect(res.status, res.text).to.equal(400);
          expectNothingInternal(res);
          expect(res.headers['content-type']).to.match(/^text\/html; charset=utf-8/);
          expect(res.headers['content-security-policy']).to.include("default-src 'none'");
          expect(res.text).to.include('<code id="error-code">invalid_request</code>');
        });
      }
    }

    for (const prefix of ADMIN_API) {
      for (const ending of BAD_ENDINGS) {
        it(`GET ${prefix}${ending} -> 400 invalid_request in the admin API's error shape`, async () => {
          const res = await rawRequest(gw.baseUrl, 'GET', prefix + ending);
          expect(res.status, res.text).to.equal(400);
          expectNoLeak(res);
          const body = JSON.parse(res.text);
          expect(body).to.have.all.keys('error', 'error_description', 'request_id');
          expect(body).to.include({ error: 'invalid_request', error_description: 'malformed request path' });
        });
      }
    }

    it('POST and DELETE are answered the same way as GET', async () => {
      for (const method of ['POST', 'DELETE', 'PUT']) {
        const guarded = await rawRequest(gw.baseUrl, method, '/echo/%zz');
        expect(guarded.status).to.equal(400);
        expect(guarded.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_request"/);
        expectNoLeak(guarded);
        const issuer = await rawRequest(gw.baseUrl, method, '/oauth2/token/%zz');
        expect(issuer.status).to.equal(400);
        expectNoLeak(issuer);
      }
    });

    it('an absolute-form target with a bad escape -> the same 400', async () => {
      const res = await rawRequest(gw.baseUrl, 'GET', `${gw.baseUrl}/echo/%zz`);
      expect(res.status, res.text).to.equal(400);
      expectNoLeak(res);
    });

    it('a path nothing serves -> 404 not_found in the product\'s JSON error, not an HTML page', async () => {
      for (const p of ['/nope', '/nope/deeper?x=%zz', '/echoes', '/admin-x']) {
        const res = await rawRequest(gw.baseUrl, 'GET', p);
        expect(res.status, `${p}: ${res.text}`).to.equal(404);
        expectNoLeak(res);
        expect(JSON.parse(res.text)).to.include({ error: 'not_found' });
      }
    });

    it('RFC 9112 §3.2: two Host lines -> 400 invalid_request before any pipeline (a Bearer challenge on a guarded path), never forwarded', async () => {
      const host = new URL(gw.baseUrl).host;
      const guarded = await rawRequest(gw.baseUrl, 'GET', '/echo/hello', [['Host', host], ['Host', 'evil.example']]);
      expect(guarded.status, guarded.text).to.equal(400);
      expectNoLeak(guarded);
      expect(guarded.headers['www-authenticate']).to.equal('Bearer realm="portcullis", error="invalid_request", error_description="more than one Host header"');
      expect(guarded.text).to.not.include('upstream');
      const other = await rawRequest(gw.baseUrl, 'GET', '/nope', [['Host', host], ['Host', host]]);
      expect(other.status, other.text).to.equal(400);
      expectNoLeak(other);
      expect(JSON.parse(other.text)).to.include({ error: 'invalid_request', error_description: 'more than one Host header' });
    });

    it('RFC 9112 §3.2: a Host that is not uri-host[:port] -> 400 invalid_request; a valid one (name, IPv4, [IPv6], port, empty) passes to the guard', async () => {
      for (const bad of ['a b', 'user@evil.example', 'evil.example/x', 'evil.example:80:81', 'evil.example\\x']) {
        const res = await rawRequest(gw.baseUrl, 'GET', '/echo/hello', [['Host', bad]]);
        expect(res.status, `${bad}: ${res.text}`).to.equal(400);
        expectNoLeak(res);
        expect(JSON.parse(res.text).error_description, bad).to.equal('malformed Host header');
      }
      for (const good of ['api.example.com', 'API.example.com:8443', '127.0.0.1:1', '[::1]:8080', '']) {
        const res = await rawRequest(gw.baseUrl, 'GET', '/echo/hello', [['Host', good]]);
        expect(res.status, `${good}: ${res.text}`).to.equal(401);
      }
    });

    it('a bad escape in the query string only is not a malformed path (the guard answers 401 as usual)', async () => {
      const res = await rawRequest(gw.baseUrl, 'GET', '/echo/hello?q=%zz');
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
      expectNoLeak(res);
    });
  });
}
