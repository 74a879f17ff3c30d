import { expect } from 'chai';
import request from 'supertest';
import { APP_ORIGIN, createApp, createUser, obtainTokens, postAs, refresh, type FlowApp, type FlowUser, type Res } from '../helpers/browser-flow';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * CORS (Fetch standard) at the endpoints a browser app calls directly: token, revocation and
 * userinfo. A preflight is allowed for any origin a client registered; the actual response is
 * readable only by the origins of the client that authenticated (or whose token it is).
 * Credentials (cookies) are never allowed cross-origin.
 */

const OTHER_ORIGIN = 'https://other.example';
const UNKNOWN_ORIGIN = 'https://unknown.example';
const ENDPOINTS = { '/oauth2/token': 'POST', '/oauth2/revoke': 'POST', '/oauth2/userinfo': 'GET, POST' };

eachStore('CORS at the token, revocation and userinfo endpoints', (backend) => {
  let server: TestServer;
  let spa: FlowApp;
  let other: FlowApp;
  let user: FlowUser;

  before(async () => {
    server = await startTestServer({ store: backend });
    [spa, other, user] = await Promise.all([
      createApp(server, { type: 'public', allowedOrigins: [APP_ORIGIN] }),
      createApp(server, { allowedOrigins: [OTHER_ORIGIN], redirectUris: [`${OTHER_ORIGIN}/cb`] }),
      createUser(server),
    ]);
  });
  after(() => server.close());

  const preflight = (path: string, origin: string) =>
    request(server.app).options(path).set({ Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' });

  /** The response may be read by `origin` and no credentials are allowed. */
  function expectReadableBy(res: Res, origin: string): void {
    expect(res.headers['access-control-allow-origin']).to.equal(origin);
    expect(res.headers['access-control-allow-credentials']).to.equal(undefined);
    expect(res.headers.vary).to.match(/\bOrigin\b/);
  }

  function expectNotReadable(res: Res): void {
    expect(res.headers['access-control-allow-origin']).to.equal(undefined);
    expect(res.headers['access-control-allow-credentials']).to.equal(undefined);
  }

  describe('preflight', () => {
    for (const [path, methods] of Object.entries(ENDPOINTS)) {
      it(`OPTIONS ${path} from a registered origin: 204 allowing it`, async () => {
        const res = await preflight(path, APP_ORIGIN);
        expect(res.status).to.equal(204);
        expectReadableBy(res, APP_ORIGIN);
        expect(res.headers['access-control-allow-methods']).to.equal(methods);
        expect(res.headers['access-control-allow-headers']).to.equal('Authorization, Content-Type');
        expect(res.headers['access-control-max-age']).to.equal('600');
        expect(res.text).to.equal('');
      });

      it(`OPTIONS ${path} from an unknown origin: no Access-Control-Allow-Origin`, async () => {
        const res = await preflight(path, UNKNOWN_ORIGIN);
        expect(res.status).to.equal(204);
        expectNotReadable(res);
        expect(res.headers['access-control-allow-methods']).to.equal(undefined);
      });
    }

    it('an origin differing only in scheme, port or a trailing slash is unknown', async () => {
      for (const origin of ['http://app.example', 'https://app.example:8443', `${APP_ORIGIN}/`, 'null']) {
        expectNotReadable(await preflight('/oauth2/token', origin));
      }
    });

    it('the introspection endpoint (server to server) has no CORS at all', async () => {
      const res = await preflight('/oauth2/introspect', APP_ORIGIN);
      expect(res.status).to.equal(405);
      expectNotReadable(res);
    });

    it('the origins of a deactivated client stop being allowed (within the index refresh)', async () => {
      const gone = await createApp(server, { allowedOrigins: ['https://gone.example'] });
      server.now.ms += 1100;
      expectReadableBy(await preflight('/oauth2/token', 'https://gone.example'), 'https://gone.example');
      await server.portcullis.access.deactivateClient(gone.clientId);
      server.now.ms += 1100;
      expectNotReadable(await preflight('/oauth2/token', 'https://gone.example'));
    });
  });

  describe('actual requests', () => {
    it("POST /oauth2/token from the app's own origin: readable (success and error alike)", async () => {
      const { refresh_token: token } = await obtainTokens(server, { app: spa, user });
      const ok = await refresh(server, spa, token).set('Origin', APP_ORIGIN);
      expect(ok.status).to.equal(200);
      expectReadableBy(ok, APP_ORIGIN);
      expect(ok.headers['access-control-expose-headers']).to.equal('WWW-Authenticate, X-Request-Id');
      const failed = await refresh(server, spa, 'pcr_unknown').set('Origin', APP_ORIGIN);
      expect(failed.status).to.equal(400);
      expectReadableBy(failed, APP_ORIGIN);
    });

    it("POST /oauth2/token from another client's origin: not readable", async () => {
      const { refresh_token: token } = await obtainTokens(server, { app: spa, user });
      const res = await refresh(server, spa, token).set('Origin', OTHER_ORIGIN);
      expect(res.status).to.equal(200);
      expectNotReadable(res);
    });

    it("POST /oauth2/token of the other client from the first client's origin: not readable", async () => {
      const res = await postAs(server, '/oauth2/token', other, { grant_type: 'refresh_token', refresh_token: 'pcr_x' }).set('Origin', APP_ORIGIN);
      expect(res.status).to.equal(400);
      expectNotReadable(res);
    });

    it('POST /oauth2/revoke: readable by the app origin only', async () => {
      const { refresh_token: token } = await obtainTokens(server, { app: spa, user });
      expectReadableBy(await postAs(server, '/oauth2/revoke', spa, { token: 'pcr_x' }).set('Origin', APP_ORIGIN), APP_ORIGIN);
      expectNotReadable(await postAs(server, '/oauth2/revoke', spa, { token }).set('Origin', UNKNOWN_ORIGIN));
    });

    it("GET /oauth2/userinfo: readable by the token's client origin only", async () => {
      const { access_token: token } = await obtainTokens(server, { app: spa, user, params: { scope: 'openid' } });
      const call = (origin: string) => request(server.app).get('/oauth2/userinfo').set({ Authorization: `Bearer ${token}`, Origin: origin });
      const own = await call(APP_ORIGIN);
      expect(own.status).to.equal(200);
      expectReadableBy(own, APP_ORIGIN);
      expectNotReadable(await call(OTHER_ORIGIN));
    });

    it('discovery and the JWK Set are readable by any origin', async () => {
      for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
        expect((await request(server.app).get(path).set('Origin', UNKNOWN_ORIGIN)).headers['access-control-allow-origin']).to.equal('*');
      }
    });
  });
});
