// Runs on both backends through its own list (each needs its own way to break the store: close SQLite, kill a
// redis-server of its own), so not under eachStore; the Redis part is Redis by nature and ignores PORTCULLIS_TEST_STORES.
import { expect } from 'chai';
import express from 'express';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { RedisStore } from '../../src/store/redis-store';
import request from 'supertest';
import { API, clientCredentialsToken, makeUser, pageCsrf, signedIn } from '../helpers/admin-session';
import { authorizeParams, createApp, query, type Agent, type FlowApp } from '../helpers/browser-flow';
import { expectNoInternals, expectPageHeaders } from '../helpers/wire-expect';
import { hasRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';

/**
 * RFC 9110 §15.6.4 (503 Service Unavailable) and §10.2.3 (Retry-After) during a store outage:
 * every endpoint that needs the store fails closed with 503 and `Retry-After`, never a 500. The
 * browser pages (authorize, continue, sign-in, consent, sign-out, the admin pages) answer with an
 * HTML page; the protocol endpoints and the admin API with their JSON error. A real SQLite store
 * is closed under the running issuer, as in test/guard/fail-closed.test.ts.
 */

/** A well-formed interaction id (32 base64url characters), so the store is asked for it. */
const INTERACTION = 'a'.repeat(32);

/** A running issuer over a store that `breakStore` makes fail for real. */
interface Backend {
  name: string;
  start(): Promise<TestServer>;
  breakStore(server: TestServer): Promise<void>;
  cleanup(): Promise<void>;
}

const sqlite: Backend = {
  name: 'SQLite (the store is closed)',
  start: () => startTestServer(),
  breakStore: (server) => server.portcullis.store.close(),
  cleanup: async () => undefined,
};

function redis(): Backend {
  let redisServer: RedisServer | undefined;
  return {
    name: 'Redis (the redis-server process is killed)',
    async start() {
      redisServer = await startRedisServer();
      const portcullis = await Portcullis.open(testSettings({ store: { type: 'redis', redisUrl: redisServer.url } }), {
        store: await RedisStore.open({ url: redisServer.url, keyPrefix: 'outage:', commandTimeoutMs: 2000 }),
        logger: createLogger('error', () => undefined),
      });
      const app = express();
      app.use(portcullisRouter(portcullis));
      return { portcullis, app, now: { ms: Date.now() }, close: () => portcullis.close() };
    },
    breakStore: () => redisServer!.kill(),
    cleanup: async () => redisServer?.kill(),
  };
}

for (const backend of [sqlite, ...(hasRedisServer() ? [redis()] : [])]) describe(`RFC 9110 §15.6.4 every endpoint answers 503 with Retry-After during a store outage: ${backend.name}`, () => {
  let server: TestServer;
  let web: FlowApp;
  let admin: Agent;
  let adminCsrf: string;
  let browser: Agent;
  let browserCsrf: string;
  let service: { clientId: string; clientSecret: string };
  let accessToken: string;

  before(async () => {
    server = await backend.start();
    web = await createApp(server);
    service = await createServiceClient(server);
    accessToken = await clientCredentialsToken(server, service.clientId, service.clientSecret);
    admin = await signedIn(server, await makeUser(server, { adminRole: 'super-admin' }));
    adminCsrf = pageCsrf((await admin.get('/admin/apps/new')).text);
    browser = request.agent(server.app);
    browserCsrf = pageCsrf((await browser.get('/login')).text);
    await backend.breakStore(server);
  });
  after(async () => {
    await server.close().catch(() => undefined);
    await backend.cleanup();
  });

  /** An HTML page with status 503, Retry-After, the page security headers and nothing internal. */
  function expectOutagePage(res: request.Response, what: string): void {
    expect(res.status, `${what}: ${res.text}`).to.equal(503);
    expect(res.headers['retry-after'], `${what}: Retry-After`).to.equal('5');
    expectPageHeaders(res);
    expect(res.text).to.include('<code id="error-code">temporarily_unavailable</code>');
    expect(res.text).to.not.match(/sqlite|closed|database/i);
    expectNoInternals(res.text);
  }

  /** A JSON error `temporarily_unavailable` with status 503, Retry-After, no-store, nothing internal. */
  function expectOutageJson(res: request.Response, what: string): void {
    expect(res.status, `${what}: ${res.text}`).to.equal(503);
    expect(res.headers['retry-after'], `${what}: Retry-After`).to.equal('5');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.body.error).to.equal('temporarily_unavailable');
    expect(res.text).to.not.match(/sqlite|closed|database/i);
    expectNoInternals(res.text);
  }

  const pages: [string, () => request.Test][] = [
    ['GET /oauth2/authorize', () => request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web))}`)],
    ['POST /oauth2/authorize', () => request(server.app).post('/oauth2/authorize').type('form').send(query(authorizeParams(web)))],
    ['GET /oauth2/authorize/continue', () => request(server.app).get(`/oauth2/authorize/continue?interaction=${INTERACTION}`)],
    ['GET /login?interaction=', () => request(server.app).get(`/login?interaction=${INTERACTION}`)],
    ['POST /login', () => browser.post('/login').type('form').send(query({ csrf_token: browserCsrf, username: 'someone', password: 'a password' }))],
    ['GET /oauth2/consent', () => browser.get(`/oauth2/consent?interaction=${INTERACTION}`)],
    ['POST /oauth2/consent', () => browser.post('/oauth2/consent').type('form').send(query({ csrf_token: browserCsrf, interaction: INTERACTION, decision: 'allow' }))],
    ['GET /logout with a client', () => request(server.app).get(`/logout?${query({ client_id: web.clientId, post_logout_redirect_uri: web.redirectUri })}`)],
    ['POST /logout (signed in)', () => admin.post('/logout').type('form').send(query({ csrf_token: adminCsrf }))],
    ['GET /admin/apps', () => admin.get('/admin/apps')],
    ['GET /admin/users', () => admin.get('/admin/users')],
    ['GET /admin/audit', () => admin.get('/admin/audit')],
    ['POST /admin/apps', () => admin.post('/admin/apps').type('form').send(query({ csrf_token: adminCsrf, name: 'x', type: 'web', application: 'echo', redirectUris: 'https://x.example/cb' }))],
  ];
  for (const [what, send] of pages) {
    it(`${what} -> an HTML page, 503, Retry-After: 5, no-store`, async () => expectOutagePage(await send(), what));
  }

  const basic = () => ({ user: service.clientId, pass: service.clientSecret });
  const json: [string, () => request.Test][] = [
    ['POST /oauth2/token', () => request(server.app).post('/oauth2/token').auth(basic().user, basic().pass).type('form').send('grant_type=client_credentials')],
    ['POST /oauth2/revoke', () => request(server.app).post('/oauth2/revoke').auth(basic().user, basic().pass).type('form').send('token=x')],
    ['POST /oauth2/introspect', () => request(server.app).post('/oauth2/introspect').auth(basic().user, basic().pass).type('form').send('token=x')],
    ['OPTIONS /oauth2/token (CORS preflight)', () => request(server.app).options('/oauth2/token').set('Origin', 'https://app.example').set('Access-Control-Request-Method', 'POST')],
    ['GET /admin/api/v1/apps (session)', () => admin.get(`${API}/apps`)],
    ['GET /oauth2/userinfo', () => request(server.app).get('/oauth2/userinfo').set('Authorization', `Bearer ${accessToken}`)],
  ];
  for (const [what, send] of json) {
    it(`${what} -> JSON temporarily_unavailable, 503, Retry-After: 5, no-store`, async () => expectOutageJson(await send(), what));
  }
});
