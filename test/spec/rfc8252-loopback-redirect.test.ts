import { expect } from 'chai';
import request from 'supertest';
import {
  authorizeAndGetCode, authorizeParams, createApp, createUser, formFields, query, redeemCode, startFlowServer, type FlowApp, type FlowUser,
} from '../helpers/browser-flow';
import type { TestServer } from '../helpers/test-portcullis';
import { expectJsonError, expectPage } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the time of the
 * request for loopback IP redirect URIs", because a native app listens on a port the OS picks at
 * run time. RFC 9700 §4.1.3 keeps this as the one exception to exact matching: scheme, host, path
 * and query stay exact, only the port of `http://127.0.0.1` and `http://[::1]` is free, and
 * `localhost` is matched exactly (RFC 8252 §8.3). The token endpoint still wants the very
 * redirect_uri string of the authorization request (RFC 6749 §4.1.3).
 */

const REGISTERED = ['http://127.0.0.1/cb', 'http://[::1]/cb', 'http://127.0.0.1:8000/fixed?tenant=a', 'http://localhost/cb', 'https://native.example/cb'];

eachStore('RFC 8252 §7.3: loopback redirect URIs match on any port', (backend) => {
  let server: TestServer;
  let app: FlowApp;
  let user: FlowUser;

  before(async () => {
    ({ server } = await startFlowServer({ store: backend }));
    app = await createApp(server, { type: 'public', redirectUris: REGISTERED, allowedOrigins: [] });
    user = await createUser(server);
  });
  after(() => server.close());

  const at = (redirectUri: string): FlowApp => ({ ...app, redirectUri });
  const authorize = (redirectUri: string) => request(server.app).get(`/oauth2/authorize?${query(authorizeParams(at(redirectUri)))}`);

  for (const uri of ['http://127.0.0.1:51234/cb', 'http://[::1]:6000/cb', 'http://127.0.0.1:9/fixed?tenant=a', 'http://127.0.0.1/cb', 'http://127.0.0.1:65535/cb']) {
    it(`${uri}: the whole flow lands on it with the code, and the token endpoint takes that exact string`, async () => {
      const result = await authorizeAndGetCode(server, { app: at(uri), user });
      expect(result.url.origin + result.url.pathname).to.equal(new URL(uri).origin + new URL(uri).pathname);
      expect(result.url.port).to.equal(new URL(uri).port);
      const res = await redeemCode(server, at(uri), result);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.access_token).to.be.a('string');
    });
  }

  it('the token endpoint refuses the registered (portless) string or another port for a code issued to port 51234 (RFC 6749 §4.1.3)', async () => {
    for (const other of ['http://127.0.0.1/cb', 'http://127.0.0.1:51235/cb']) {
      const result = await authorizeAndGetCode(server, { app: at('http://127.0.0.1:51234/cb'), user });
      expectJsonError(await redeemCode(server, at(other), result), 400, 'invalid_grant', /redirect_uri does not match/);
    }
  });

  const REFUSED: Record<string, string> = {
    'another path': 'http://127.0.0.1:51234/cb2',
    'a path in another case': 'http://127.0.0.1:51234/CB',
    'a trailing slash': 'http://127.0.0.1:51234/cb/',
    'an added query': 'http://127.0.0.1:51234/cb?x=1',
    'another query': 'http://127.0.0.1:9/fixed?tenant=b',
    'a fragment': 'http://127.0.0.1:51234/cb#x',
    https: 'https://127.0.0.1:51234/cb',
    'an upper-case scheme': 'HTTP://127.0.0.1:51234/cb',
    'another loopback address': 'http://127.0.0.2:51234/cb',
    'another IPv6 host': 'http://[::2]:51234/cb',
    'a long form of ::1': 'http://[0:0:0:0:0:0:0:1]:51234/cb',
    'a short form of 127.0.0.1': 'http://127.1:51234/cb',
    'localhost with another port (RFC 8252 §8.3)': 'http://localhost:51234/cb',
    'a host that starts with 127.0.0.1': 'http://127.0.0.1.evil.example:51234/cb',
    'userinfo before an evil host': 'http://127.0.0.1:51234@evil.example/cb',
    'userinfo before the loopback host': 'http://evil@127.0.0.1:51234/cb',
    'port 0': 'http://127.0.0.1:0/cb',
    'a port over 65535': 'http://127.0.0.1:65536/cb',
    'an empty port': 'http://127.0.0.1:/cb',
    'a non-loopback https URI with a port': 'https://native.example:8443/cb',
    'a port and a backslash path': 'http://127.0.0.1:51234\\cb',
  };
  for (const [label, uri] of Object.entries(REFUSED)) {
    it(`refused: ${label} (${uri}) -> 400 page, never a redirect`, async () => {
      const res = await authorize(uri);
      expectPage(res, 400, 'invalid_request');
      expect(res.text).to.match(/redirect_uri/);
    });
  }

  it('localhost registered without a port still matches exactly (the request is trusted: its error is redirected there)', async () => {
    const res = await authorize('http://localhost/cb');
    expect(res.status, res.text).to.equal(303);
    expect(res.headers.location).to.match(/^http:\/\/localhost\/cb\?error=invalid_request&/);
  });

  describe('post-logout redirect (OpenID Connect RP-Initiated Logout 1.0 §3), the same matching', () => {
    it('a loopback URI with another port is accepted and carried to the sign-out form', async () => {
      const res = await request(server.app).get(`/logout?${query({ client_id: app.clientId, post_logout_redirect_uri: 'http://127.0.0.1:51234/cb', state: 's1' })}`);
      expectPage(res, 200);
      expect(formFields(res.text)).to.include({ post_logout_redirect_uri: 'http://127.0.0.1:51234/cb', state: 's1' });
      expect(res.headers['content-security-policy']).to.include('http://127.0.0.1:51234');
    });

    for (const uri of ['http://127.0.0.2:51234/cb', 'http://localhost:51234/cb', 'http://127.0.0.1:51234/other', 'https://127.0.0.1:51234/cb']) {
      it(`refused: ${uri} -> 400 page`, async () => {
        const res = await request(server.app).get(`/logout?${query({ client_id: app.clientId, post_logout_redirect_uri: uri })}`);
        expectPage(res, 400, 'invalid_request');
      });
    }
  });
});
