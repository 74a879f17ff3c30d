import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rawRequest, type RawResponse } from '../helpers/raw-http';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 3986 §2.1: `%` starts an escape of two hex digits. Paths that break it (or decode to invalid
 * or overlong UTF-8, or to NUL) at the routers Portcullis ships, used in a plain Express app as
 * the guide shows: the guard answers RFC 6750 §3.1 `invalid_request` with a Bearer challenge, the
 * admin API its own JSON error, the admin pages their error page. Never Express's HTML stack trace.
 * (The same through the real gateway, with every prefix: test/e2e/malformed-request-target.test.ts.)
 */

const CHECKOUT = path.resolve(__dirname, '..', '..');
const BAD_ENDINGS = ['%zz', '%c0%ae', '%', '%00', '%ff', 'a%2', '%ed%a0%80'];

function expectNothingInternal(res: RawResponse): void {
  for (const text of [res.text, res.rawHeaders]) {
    expect(text).to.not.match(/\n\s+at |\.[jt]s:\d+|\b\w*Error\b|node_modules/);
    expect(text).to.not.include(CHECKOUT);
  }
  expect(res.headers['cache-control']).to.equal('no-store');
}

eachStore('RFC 3986 §2.1 malformed paths at the guard and the admin routers (plain Express)', (backend) => {
  let server: TestServer;
  let listener: http.Server;
  let base: string;
  let adminToken: string;

  before(async () => {
    server = await startTestServer({ store: backend });
    listener = http.createServer(server.app);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const { client, clientSecret } = await server.portcullis.clients.create({ name: 'automation', application: 'echo', roles: [], adminRole: 'admin' } as never);
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    adminToken = (await res.json()).access_token;
  });
  after(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
  });

  for (const prefix of ['/echo/', '/billing/', '/echo/x/']) {
    for (const ending of BAD_ENDINGS) {
      it(`the guard: GET ${prefix}${ending} -> 400 invalid_request with the Bearer challenge`, async () => {
        const res = await rawRequest(base, 'GET', prefix + ending);
        expect(res.status, res.text).to.equal(400);
        expectNothingInternal(res);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        const body = JSON.parse(res.text);
        expect(body).to.include({ error: 'invalid_request' });
        expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="invalid_request", error_description="${body.error_description}"`);
      });
    }
  }

  for (const prefix of ['/admin/api/v1/', '/admin/api/v1/apps/', '/admin/api/v1/users/']) {
    for (const ending of BAD_ENDINGS) {
      it(`the admin API: GET ${prefix}${ending} -> 400 invalid_request in its error shape`, async () => {
        const res = await rawRequest(base, 'GET', prefix + ending, [['Authorization', `Bearer ${adminToken}`]]);
        expect(res.status, res.text).to.equal(400);
        expectNothingInternal(res);
        expect(JSON.parse(res.text)).to.include({ error: 'invalid_request', error_description: 'malformed request path' });
      });
    }
  }

  for (const prefix of ['/admin/', '/admin/apps/', '/admin/users/']) {
    for (const ending of BAD_ENDINGS) {
      it(`the admin pages: GET ${prefix}${ending} -> the 400 page with the code invalid_request`, async () => {
        const res = await rawRequest(base, 'GET', prefix + ending);
        expect(res.status, res.text).to.equal(400);
        expectNothingInternal(res);
        expect(res.headers['content-type']).to.match(/^text\/html/);
        expect(res.text).to.include('<code id="error-code">invalid_request</code>');
      });
    }
  }

  describe('the admin API as an RFC 6750 resource server', () => {
    it('control: the admin token works', async () => {
      expect((await rawRequest(base, 'GET', '/admin/api/v1/apps', [['Authorization', `Bearer ${adminToken}`]])).status).to.equal(200);
    });

    it('two Authorization headers -> 400 invalid_request with the invalid_request challenge', async () => {
      const res = await rawRequest(base, 'GET', '/admin/api/v1/apps', [['Authorization', `Bearer ${adminToken}`], ['Authorization', `Bearer ${adminToken}`]]);
      expect(res.status, res.text).to.equal(400);
      expect(JSON.parse(res.text).error).to.equal('invalid_request');
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis", error="invalid_request", error_description="more than one Authorization header"');
    });

    it('the token in the header and the query -> 400 invalid_request with the challenge', async () => {
      const res = await rawRequest(base, 'GET', `/admin/api/v1/apps?access_token=${adminToken}`, [['Authorization', `Bearer ${adminToken}`]]);
      expect(res.status, res.text).to.equal(400);
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_request", error_description="[^"]+"$/);
    });

    it('a bare "Bearer" -> 400 invalid_request', async () => {
      const res = await rawRequest(base, 'GET', '/admin/api/v1/apps', [['Authorization', 'Bearer']]);
      expect(res.status, res.text).to.equal(400);
      expect(res.headers['www-authenticate']).to.match(/error="invalid_request"/);
    });

    it('the token only in the query, or a Basic header -> 401 with the bare challenge (no credentials, RFC 6750 §3.1)', async () => {
      for (const [url, headers] of [[`/admin/api/v1/apps?access_token=${adminToken}`, []], ['/admin/api/v1/apps', [['Authorization', 'Basic eDp5']]]] as Array<[string, Array<[string, string]>]>) {
        const res = await rawRequest(base, 'GET', url, headers);
        expect(res.status, res.text).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
        expect(JSON.parse(res.text).error).to.equal('unauthorized');
      }
    });
  });
});
