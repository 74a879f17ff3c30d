import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ADMIN_ROUTES } from '../../src/admin/api/routes';
import {
  API, ADMIN_PASSWORD, apiSession, automationClient, clientCredentialsToken, makeUser, pageCsrf, signInAt, signedIn, uniqueName,
  type AdminUser, type ApiSession, type AutomationClient,
} from '../helpers/admin-session';
import {
  PASSWORD, REDIRECT_URI, authorizeParams, createUser, echoStatus, followFlow, obtainTokens, refresh, refusedWithinASecond,
  startAuthorization, type Agent, type FlowApp,
} from '../helpers/browser-flow';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * The admin REST API (/admin/api/v1) over HTTP against the real runtime: every route of
 * ADMIN_ROUTES for each kind of caller, the error shapes, the admin/super-admin split, and what
 * each operation really does to the issuer and the guard (secrets, deactivation, disabled users),
 * ending with the audit log each of them wrote.
 */

type Method = 'get' | 'post' | 'patch' | 'delete';
type Caller =
  | { kind: 'session'; agent: Agent; csrf?: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'anonymous' };

/** Every client secret and password this suite used: none may ever appear in the audit log. */
const SECRETS = new Set<string>([ADMIN_PASSWORD, PASSWORD]);

function call(server: TestServer, caller: Caller, method: Method, path: string, body?: unknown): request.Test {
  const base = caller.kind === 'session' ? caller.agent : request(server.app);
  let test = base[method](`${API}${path}`);
  if (caller.kind === 'bearer') test = test.set('Authorization', `Bearer ${caller.token}`);
  if (caller.kind === 'session' && method !== 'get' && caller.csrf) test = test.set('X-CSRF-Token', caller.csrf);
  if (body !== undefined) test = test.send(body as object);
  return test;
}

const session = (s: ApiSession): Caller => ({ kind: 'session', agent: s.agent, csrf: s.csrf });
const bearer = (token: string): Caller => ({ kind: 'bearer', token });

/** The product's error body on the admin API: `{error, error_description, field?, request_id}`, JSON, not cached. */
function expectApiError(res: request.Response, status: number, error: string, field?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.body.error, res.text).to.equal(error);
  expect(res.body.error_description).to.be.a('string').and.not.be.empty;
  expect(res.body).to.not.have.property('message');
  expect(res.body.request_id).to.be.a('string');
  if (field !== undefined) expect(res.body.field, res.text).to.equal(field);
  else expect(res.body).to.not.have.property('field');
  expect(res.text).to.not.match(/\n\s+at |\.ts:\d+/);
}

function expectNoSecretFields(value: unknown): void {
  const text = JSON.stringify(value);
  expect(text).to.not.match(/client_secret|secretHash|secret_hash|passwordHash|password_hash/);
}

/** What the route cases act on. */
interface Targets {
  appId: string;
  userId: string;
  /** A role of echo made by an admin, held by nobody. */
  role: string;
}

const webAppBody = (extra: Record<string, unknown> = {}) => ({ name: uniqueName('API app '), application: 'echo', type: 'web', redirect_uris: [REDIRECT_URI], ...extra });

describe('admin API: /admin/api/v1', function () {
  let server: TestServer;
  let superAdmin: AdminUser;
  let admin: AdminUser;
  let plain: AdminUser;
  let superSession: ApiSession;
  let adminSession: ApiSession;
  let plainAgent: Agent;
  let superBot: AutomationClient;
  let adminBot: AutomationClient;
  let plainBot: AutomationClient;

  before(async () => {
    server = await startTestServer();
    superAdmin = await makeUser(server, { adminRole: 'super-admin' });
    admin = await makeUser(server, { adminRole: 'admin' });
    plain = await makeUser(server);
    superSession = await apiSession(server, superAdmin);
    adminSession = await apiSession(server, admin);
    plainAgent = await signedIn(server, plain);
    superBot = await automationClient(server, 'super-admin');
    adminBot = await automationClient(server, 'admin');
    plainBot = await automationClient(server);
    for (const bot of [superBot, adminBot, plainBot]) SECRETS.add(bot.clientSecret);
  });
  after(() => server?.close());

  /** A fresh web app, user and role (of echo, held by nobody) to act on (made directly in the registries). */
  async function targets(): Promise<Targets> {
    const { client, clientSecret } = await server.portcullis.clients.create({ name: uniqueName('target app '), application: 'echo', type: 'web', redirectUris: [REDIRECT_URI] });
    SECRETS.add(clientSecret!);
    const user = await makeUser(server);
    const role = `target-${randomBytes(4).toString('hex')}`;
    await server.portcullis.roles.create('echo', { name: role, permissions: ['echo:read'] });
    return { appId: client.clientId, userId: user.userId, role };
  }

  interface RouteCase {
    path: string;
    body?: unknown;
    status: number;
    check(res: request.Response): void;
  }

  /** One successful call per route, keyed `METHOD /path` as in ADMIN_ROUTES. */
  function routeCases(t: Targets, actorName: string, role: string): Record<string, RouteCase> {
    const newRole = `made-${randomBytes(4).toString('hex')}`;
    const newPassword = `pw ${uniqueName('new user password ')}`;
    SECRETS.add(newPassword);
    return {
      'GET /session': { path: '/session', status: 200, check: (res) => {
        expect(res.body.actor).to.include({ name: actorName, admin_role: role });
        expect(res.body.csrf_token).to.be.a('string');
      } },
      'GET /applications': { path: '/applications', status: 200, check: (res) => {
        expect(res.body.map((a: { name: string }) => a.name)).to.have.members(['echo', 'billing']);
        expect(res.body.find((a: { name: string }) => a.name === 'echo')).to.deep.include({ audience: 'urn:portcullis:application:echo', roles: { 'echo-reader': ['echo:read'], 'echo-writer': ['echo:write'] } });
      } },
      'GET /apps': { path: '/apps', status: 200, check: (res) => {
        expect(res.body).to.be.an('array');
        expect(res.body.map((a: { client_id: string }) => a.client_id)).to.include(t.appId);
        expectNoSecretFields(res.body);
      } },
      'POST /apps': { path: '/apps', body: webAppBody({ description: 'made by a test' }), status: 201, check: (res) => {
        expect(res.body.client_id).to.be.a('string');
        expect(res.body.client_secret).to.be.a('string').with.length.above(30);
        SECRETS.add(res.body.client_secret);
        expect(res.body).to.include({ type: 'web', application: 'echo', status: 'active', description: 'made by a test', admin_role: null });
        expect(res.body.redirect_uris).to.deep.equal([REDIRECT_URI]);
      } },
      'GET /apps/{id}': { path: `/apps/${t.appId}`, status: 200, check: (res) => {
        expect(res.body).to.include({ client_id: t.appId, status: 'active', type: 'web' });
        expectNoSecretFields(res.body);
      } },
      'PATCH /apps/{id}': { path: `/apps/${t.appId}`, body: { name: 'Renamed by API', description: 'now described', redirect_uris: ['https://app.example/other', 'http://127.0.0.1:9999/cb'], allowed_origins: ['https://app.example'] }, status: 200, check: (res) => {
        expect(res.body).to.include({ client_id: t.appId, name: 'Renamed by API', description: 'now described' });
        expect(res.body.redirect_uris).to.deep.equal(['https://app.example/other', 'http://127.0.0.1:9999/cb']);
        expect(res.body.allowed_origins).to.deep.equal(['https://app.example']);
        expectNoSecretFields(res.body);
      } },
      'POST /apps/{id}/secret': { path: `/apps/${t.appId}/secret`, status: 200, check: (res) => {
        expect(res.body.client_id).to.equal(t.appId);
        expect(res.body.client_secret).to.be.a('string').with.length.above(30);
        SECRETS.add(res.body.client_secret);
      } },
      'GET /apps/{id}/api-key': { path: `/apps/${t.appId}/api-key`, status: 200, check: (res) => {
        expect(res.body).to.deep.equal({ api_key: null });
      } },
      'POST /apps/{id}/api-key': { path: `/apps/${t.appId}/api-key`, status: 200, check: (res) => {
        expect(res.body.client_id).to.equal(t.appId);
        expect(res.body.api_key.api_key).to.match(/^pck_[A-Za-z0-9_-]{43}$/);
        expect(new Date(res.body.api_key.issued_at).getTime()).to.be.closeTo(Date.now(), 60_000);
        SECRETS.add(res.body.api_key.api_key);
      } },
      'POST /apps/{id}/api-key/revoke': { path: `/apps/${t.appId}/api-key/revoke`, status: 200, check: (res) => {
        expect(res.body).to.deep.equal({ client_id: t.appId, api_key: null });
      } },
      'POST /apps/{id}/deactivate': { path: `/apps/${t.appId}/deactivate`, status: 200, check: (res) => {
        expect(res.body).to.include({ client_id: t.appId, status: 'disabled' });
        expectNoSecretFields(res.body);
      } },
      'POST /apps/{id}/reactivate': { path: `/apps/${t.appId}/reactivate`, status: 200, check: (res) => {
        expect(res.body).to.include({ client_id: t.appId, status: 'active' });
        expectNoSecretFields(res.body);
      } },
      'GET /users': { path: '/users', status: 200, check: (res) => {
        expect(res.body.map((u: { user_id: string }) => u.user_id)).to.include(t.userId);
        expectNoSecretFields(res.body);
      } },
      'POST /users': { path: '/users', body: { username: uniqueName('apiuser'), password: newPassword, email: 'new@example.com', name: 'New Person', roles: { echo: ['echo-reader'] } }, status: 201, check: (res) => {
        expect(res.body).to.include({ email: 'new@example.com', name: 'New Person', status: 'active', admin_role: null });
        expect(res.body.roles).to.deep.equal({ echo: ['echo-reader'] });
        expect(res.text).to.not.contain(newPassword);
        expectNoSecretFields(res.body);
      } },
      'GET /users/{id}': { path: `/users/${t.userId}`, status: 200, check: (res) => {
        expect(res.body).to.include({ user_id: t.userId, status: 'active' });
        expectNoSecretFields(res.body);
      } },
      'PATCH /users/{id}': { path: `/users/${t.userId}`, body: { name: 'Edited Name', email: 'edited@example.com', roles: { echo: ['echo-reader', 'echo-writer'], billing: ['billing-reader'] } }, status: 200, check: (res) => {
        expect(res.body).to.include({ user_id: t.userId, name: 'Edited Name', email: 'edited@example.com' });
        expect(res.body.roles).to.deep.equal({ echo: ['echo-reader', 'echo-writer'], billing: ['billing-reader'] });
      } },
      'GET /applications/{application}/roles': { path: '/applications/echo/roles', status: 200, check: (res) => {
        expect(res.body).to.deep.include({ name: 'echo-reader', description: null, permissions: ['echo:read'], source: 'settings', read_only: true });
        expect(res.body).to.deep.include({ name: t.role, description: null, permissions: ['echo:read'], source: 'admin', read_only: false });
      } },
      'POST /applications/{application}/roles': { path: '/applications/echo/roles', body: { name: newRole, description: 'reads and writes', permissions: ['echo:read', 'echo:write'] }, status: 201, check: (res) => {
        expect(res.body).to.deep.equal({ name: newRole, description: 'reads and writes', permissions: ['echo:read', 'echo:write'], source: 'admin', read_only: false });
      } },
      'GET /applications/{application}/roles/{role}': { path: `/applications/echo/roles/${t.role}`, status: 200, check: (res) => {
        expect(res.body).to.deep.include({ name: t.role, source: 'admin', holders: { clients: [], users: [] } });
      } },
      'PATCH /applications/{application}/roles/{role}': { path: `/applications/echo/roles/${t.role}`, body: { description: 'now described', permissions: ['echo:write'] }, status: 200, check: (res) => {
        expect(res.body).to.deep.include({ name: t.role, description: 'now described', permissions: ['echo:write'] });
      } },
      'DELETE /applications/{application}/roles/{role}': { path: `/applications/echo/roles/${t.role}`, status: 200, check: (res) => {
        expect(res.body).to.include({ name: t.role, source: 'admin' });
      } },
      'GET /audit': { path: '/audit', status: 200, check: (res) => {
        expect(res.body).to.be.an('array').that.is.not.empty;
      } },
    };
  }

  const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

  it('the route cases below cover exactly ADMIN_ROUTES', () => {
    const cases = Object.keys(routeCases({ appId: 'x', userId: 'y', role: 'z' }, '', ''));
    expect(cases).to.have.members(ADMIN_ROUTES.map(routeKey));
  });

  describe('every route succeeds for each kind of admin', () => {
    const actors: Array<{ label: string; caller: () => Caller; name: () => Promise<string>; role: string }> = [
      { label: 'super admin by session (+X-CSRF-Token)', caller: () => session(superSession), name: async () => superAdmin.username, role: 'super-admin' },
      { label: 'admin by session (+X-CSRF-Token)', caller: () => session(adminSession), name: async () => admin.username, role: 'admin' },
      { label: 'super-admin service client by bearer token', caller: () => bearer(superBot.token), name: async () => (await server.portcullis.clients.get(superBot.clientId)).name, role: 'super-admin' },
      { label: 'admin service client by bearer token', caller: () => bearer(adminBot.token), name: async () => (await server.portcullis.clients.get(adminBot.clientId)).name, role: 'admin' },
    ];
    for (const actor of actors) {
      for (const route of ADMIN_ROUTES) {
        it(`${actor.label}: ${routeKey(route)}`, async () => {
          const t = await targets();
          if (route.path.endsWith('/reactivate')) await server.portcullis.access.deactivateClient(t.appId);
          if (route.path.endsWith('/api-key/revoke')) SECRETS.add((await server.portcullis.apiKeys.issue(t.appId)).apiKey);
          const name = await actor.name();
          const c = routeCases(t, name, actor.role)[routeKey(route)];
          const res = await call(server, actor.caller(), route.method, c.path, c.body);
          expect(res.status, res.text).to.equal(c.status);
          expect(res.status).to.equal(route.status);
          expect(res.headers['content-type']).to.match(/^application\/json/);
          expect(res.headers['cache-control']).to.equal('no-store');
          c.check(res);
        });
      }
    }
  });

  describe('who may call: every route refuses', () => {
    let t: Targets;
    before(async () => {
      t = await targets();
    });
    const pathOf = (path: string) => path.replace('/apps/{id}', `/apps/${t.appId}`).replace('/users/{id}', `/users/${t.userId}`).replace('{application}', 'echo').replace('{role}', t.role);
    const bodyOf = (route: (typeof ADMIN_ROUTES)[number]) => (route.method === 'get' ? undefined : route.path === '/users' ? { username: uniqueName('nobody'), password: 'long enough password' } : route.path === '/apps' ? webAppBody() : route.method === 'patch' ? { name: 'hijacked' } : {});

    for (const route of ADMIN_ROUTES) {
      it(`${routeKey(route)}: anonymous → 401 unauthorized with WWW-Authenticate`, async () => {
        const res = await call(server, { kind: 'anonymous' }, route.method, pathOf(route.path), bodyOf(route));
        expectApiError(res, 401, 'unauthorized');
        expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis"/);
      });
      it(`${routeKey(route)}: signed-in user without an admin role → 403 forbidden`, async () => {
        const csrf = pageCsrf((await plainAgent.get('/logout')).text);
        const res = await call(server, { kind: 'session', agent: plainAgent, csrf }, route.method, pathOf(route.path), bodyOf(route));
        expectApiError(res, 403, 'forbidden');
      });
      it(`${routeKey(route)}: bearer token of a service client without an admin role → 403 forbidden`, async () => {
        expectApiError(await call(server, bearer(plainBot.token), route.method, pathOf(route.path), bodyOf(route)), 403, 'forbidden');
      });
      it(`${routeKey(route)}: garbage bearer token → 401 invalid_token`, async () => {
        const res = await call(server, bearer('garbage.not.a-token'), route.method, pathOf(route.path), bodyOf(route));
        expectApiError(res, 401, 'invalid_token');
        expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_token"/);
      });
      if (route.method !== 'get') {
        it(`${routeKey(route)}: admin session without X-CSRF-Token → 403 csrf; with a wrong one → 403 csrf`, async () => {
          expectApiError(await call(server, { kind: 'session', agent: superSession.agent }, route.method, pathOf(route.path), bodyOf(route)), 403, 'csrf');
          expectApiError(await call(server, { kind: 'session', agent: superSession.agent, csrf: superSession.csrf.slice(0, -2) + 'xx' }, route.method, pathOf(route.path), bodyOf(route)), 403, 'csrf');
          // A token from another browser is no good either: it is bound to this browser's cookie.
          expectApiError(await call(server, { kind: 'session', agent: superSession.agent, csrf: adminSession.csrf }, route.method, pathOf(route.path), bodyOf(route)), 403, 'csrf');
        });
      }
    }

    it('nothing changed: the target app and user are as they were', async () => {
      const app = await server.portcullis.clients.get(t.appId);
      expect(app).to.include({ status: 'active' });
      expect(app.name).to.not.equal('hijacked');
      const user = await server.portcullis.users.get(t.userId);
      expect(user.name).to.not.equal('hijacked');
    });

    it('a bearer token of a deactivated admin client is refused at once (401 invalid_token)', async () => {
      const bot = await automationClient(server, 'super-admin');
      SECRETS.add(bot.clientSecret);
      expect((await call(server, bearer(bot.token), 'get', '/apps')).status).to.equal(200);
      expect((await call(server, session(superSession), 'post', `/apps/${bot.clientId}/deactivate`)).status).to.equal(200);
      expectApiError(await call(server, bearer(bot.token), 'get', '/apps'), 401, 'invalid_token');
    });

    it("a user's access token for an application is not an admin API credential, even a super admin's (401 invalid_token)", async () => {
      // Any app a super admin signs in to receives such a token; it must not administer the issuer.
      const { client, clientSecret } = await server.portcullis.clients.create({ name: 'some web app', application: 'echo', type: 'web', redirectUris: [REDIRECT_URI] });
      SECRETS.add(clientSecret!);
      const app: FlowApp = { clientId: client.clientId, clientSecret, name: 'some web app', type: 'web', redirectUri: REDIRECT_URI };
      const tokens = await obtainTokens(server, { app, user: { ...superAdmin, password: superAdmin.password } });
      expect(await echoStatus(server, tokens.access_token)).to.equal(200);
      const res = await call(server, bearer(tokens.access_token), 'post', '/users', { username: uniqueName('escalated'), password: 'long enough password', admin_role: 'super-admin' });
      expectApiError(res, 401, 'invalid_token');
      expectApiError(await call(server, bearer(tokens.access_token), 'get', '/apps'), 401, 'invalid_token');
    });

    it("an admin user's token granted the portcullis:admin scope (consented by name) is an admin credential", async () => {
      const { client, clientSecret } = await server.portcullis.clients.create({ name: 'admin console', application: 'echo', type: 'web', redirectUris: [REDIRECT_URI] });
      SECRETS.add(clientSecret!);
      const app: FlowApp = { clientId: client.clientId, clientSecret, name: 'admin console', type: 'web', redirectUri: REDIRECT_URI };
      const tokens = await obtainTokens(server, { app, user: { ...superAdmin, password: superAdmin.password }, params: { scope: 'portcullis:admin' } });
      const res = await call(server, bearer(tokens.access_token), 'get', '/session');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.actor).to.include({ type: 'user', admin_role: 'super-admin' });
      const audit = await call(server, bearer(tokens.access_token), 'get', '/apps');
      expect(audit.status).to.equal(200);
    });
  });

  describe('errors', () => {
    it('unknown id → 404 not_found on every route that takes one', async () => {
      for (const route of ADMIN_ROUTES.filter((r) => r.path.includes('{id}'))) {
        const path = route.path.replace('{id}', 'no-such-id');
        const body = route.method === 'patch' ? { name: 'whatever' } : undefined;
        expectApiError(await call(server, bearer(superBot.token), route.method, path, body), 404, 'not_found');
        expectApiError(await call(server, session(superSession), route.method, path, body), 404, 'not_found');
      }
    });

    it('an unknown API path or method → 404 not_found (JSON, not an HTML page)', async () => {
      expectApiError(await call(server, bearer(superBot.token), 'get', '/nope'), 404, 'not_found');
      expectApiError(await call(server, bearer(superBot.token), 'patch', '/apps'), 404, 'not_found');
    });

    const name256 = 'n'.repeat(256);
    const invalidApps: Array<[string, Record<string, unknown>, string]> = [
      ['name of 256 characters', { name: name256 }, 'name'],
      ['empty name', { name: '   ' }, 'name'],
      ['description of 501 characters', { description: 'd'.repeat(501) }, 'description'],
      ['a wildcard redirect URI', { redirect_uris: ['https://*.app.example/callback'] }, 'redirect_uris'],
      ['a redirect URI with a fragment', { redirect_uris: ['https://app.example/callback#top'] }, 'redirect_uris'],
      ['an http redirect URI that is not loopback', { redirect_uris: ['http://app.example/callback'] }, 'redirect_uris'],
      ['a relative redirect URI', { redirect_uris: ['/callback'] }, 'redirect_uris'],
      ['redirect_uris that is not a list', { redirect_uris: REDIRECT_URI }, 'redirect_uris'],
      ['redirect_uris with a number', { redirect_uris: [42] }, 'redirect_uris'],
      ['no redirect URI for a web app', { redirect_uris: [] }, 'redirect_uris'],
      ['an origin with a path', { allowed_origins: ['https://app.example/path'] }, 'allowed_origins'],
      ['a number for name', { name: 42 }, 'name'],
      ['null for description', { description: null }, 'description'],
      ['an unknown type', { type: 'robot' }, 'type'],
      ['an unknown application', { application: 'nope' }, 'application'],
      ['an undeclared role', { type: 'service', redirect_uris: undefined, roles: ['root'] }, 'roles'],
      ['an unknown admin_role', { admin_role: 'root' }, 'admin_role'],
      ['an unknown field', { colour: 'red' }, 'colour'],
    ];
    for (const [what, extra, field] of invalidApps) {
      it(`POST /apps with ${what} → 422 invalid_field, field ${field}; nothing created`, async () => {
        const before = (await server.portcullis.clients.list()).length;
        const res = await call(server, bearer(superBot.token), 'post', '/apps', webAppBody(extra));
        expectApiError(res, 422, 'invalid_field', field);
        expect((await server.portcullis.clients.list()).length).to.equal(before);
      });
    }

    it('POST /apps with several bad fields → 422 with every problem in `fields` (API names), `field` the first; nothing created', async () => {
      const before = (await server.portcullis.clients.list()).length;
      const res = await call(server, bearer(superBot.token), 'post', '/apps', webAppBody({ name: ' ', redirect_uris: ['https://*.app.example/cb', '/relative'], allowed_origins: ['https://app.example/x'] }));
      expectApiError(res, 422, 'invalid_field', 'name');
      expect(res.body.fields.map((f: { field: string }) => f.field)).to.deep.equal(['name', 'redirect_uris', 'redirect_uris', 'allowed_origins']);
      expect(res.body.fields[1].error_description).to.contain('https://*.app.example/cb');
      expect(res.body.fields[2].error_description).to.contain('/relative');
      expect(res.body.error_description).to.equal(res.body.fields.map((f: { error_description: string }) => f.error_description).join('; '));
      expect((await server.portcullis.clients.list()).length).to.equal(before);
    });

    it('one bad field → no `fields` (the body as before)', async () => {
      const res = await call(server, bearer(superBot.token), 'post', '/apps', webAppBody({ name: ' ' }));
      expectApiError(res, 422, 'invalid_field', 'name');
      expect(res.body).to.not.have.property('fields');
    });

    const invalidEdits: Array<[string, Record<string, unknown>, string]> = [
      ['name of 256 characters', { name: name256 }, 'name'],
      ['description of 501 characters', { description: 'd'.repeat(501) }, 'description'],
      ['a wildcard redirect URI', { redirect_uris: ['https://*.app.example/callback'] }, 'redirect_uris'],
      ['a redirect URI with a fragment', { redirect_uris: ['https://app.example/callback#x'] }, 'redirect_uris'],
      ['an http redirect URI that is not loopback', { redirect_uris: ['http://app.example/cb'] }, 'redirect_uris'],
      ['a relative redirect URI', { redirect_uris: ['callback'] }, 'redirect_uris'],
      ['a boolean for name', { name: true }, 'name'],
      ['type (fixed at creation)', { type: 'service' }, 'type'],
      ['application (fixed at creation)', { application: 'billing' }, 'application'],
      ['an unknown field', { secret: 'x' }, 'secret'],
    ];
    for (const [what, body, field] of invalidEdits) {
      it(`PATCH /apps/{id} with ${what} → 422 invalid_field, field ${field}; nothing changed`, async () => {
        const { appId } = await targets();
        const before = await server.portcullis.clients.get(appId);
        expectApiError(await call(server, session(superSession), 'patch', `/apps/${appId}`, body), 422, 'invalid_field', field);
        expect(await server.portcullis.clients.get(appId)).to.deep.equal(before);
      });
    }

    const invalidUsers: Array<[string, Record<string, unknown>, string]> = [
      ['a short password', { password: 'short' }, 'password'],
      ['no password', { password: undefined }, 'password'],
      ['a username with spaces', { username: 'has spaces' }, 'username'],
      ['roles of an unknown application', { roles: { nope: ['x'] } }, 'roles'],
      ['roles as a list', { roles: ['echo-reader'] }, 'roles'],
      ['an undeclared role', { roles: { echo: ['root'] } }, 'roles'],
      ['status (not at creation)', { status: 'disabled' }, 'status'],
      ['an unknown field', { is_admin: true }, 'is_admin'],
      ['a number for email', { email: 7 }, 'email'],
    ];
    for (const [what, extra, field] of invalidUsers) {
      it(`POST /users with ${what} → 422 invalid_field, field ${field}`, async () => {
        const body = { username: uniqueName('valid'), password: 'a long enough password', ...extra };
        expectApiError(await call(server, bearer(superBot.token), 'post', '/users', body), 422, 'invalid_field', field);
      });
    }

    it('PATCH /users/{id} with a bad status or admin_role → 422 naming it; a username change is refused', async () => {
      const { userId } = await targets();
      expectApiError(await call(server, bearer(superBot.token), 'patch', `/users/${userId}`, { status: 'gone' }), 422, 'invalid_field', 'status');
      expectApiError(await call(server, bearer(superBot.token), 'patch', `/users/${userId}`, { admin_role: 'god' }), 422, 'invalid_field', 'admin_role');
      expectApiError(await call(server, bearer(superBot.token), 'patch', `/users/${userId}`, { username: 'renamed' }), 422, 'invalid_field', 'username');
    });

    it('PATCH /users/{id} with a valid name but a too-short password changes nothing', async () => {
      const { userId } = await targets();
      const before = await server.portcullis.users.get(userId);
      expectApiError(await call(server, bearer(superBot.token), 'patch', `/users/${userId}`, { name: 'Half Applied', password: 'short' }), 422, 'invalid_field', 'password');
      expect((await server.portcullis.users.get(userId)).name).to.equal(before.name);
    });

    it('duplicate username (any case) → 409 conflict', async () => {
      const username = uniqueName('dupe');
      expect((await call(server, bearer(superBot.token), 'post', '/users', { username, password: 'a long enough password' })).status).to.equal(201);
      expectApiError(await call(server, bearer(superBot.token), 'post', '/users', { username, password: 'another long password' }), 409, 'conflict');
      expectApiError(await call(server, session(superSession), 'post', '/users', { username: username.toUpperCase(), password: 'another long password' }), 409, 'conflict');
    });

    it('malformed JSON → 400 invalid_json; so is a JSON array or a bare string', async () => {
      for (const raw of ['{"name": ', '{name: "x"}', '[]', '"text"']) {
        const res = await request(server.app).post(`${API}/apps`).set('Authorization', `Bearer ${superBot.token}`).set('Content-Type', 'application/json').send(raw);
        expectApiError(res, 400, 'invalid_json');
      }
      const patch = await request(server.app).patch(`${API}/users/${superAdmin.userId}`).set('Authorization', `Bearer ${superBot.token}`).set('Content-Type', 'application/json').send('{"name":');
      expectApiError(patch, 400, 'invalid_json');
    });
  });

  describe('admin versus super admin', () => {
    const admins = () => [
      { label: 'admin by session', caller: session(adminSession) },
      { label: 'admin client by bearer', caller: bearer(adminBot.token) },
    ];

    it('an admin cannot create an admin user, an admin app, or give anyone an admin role (403 forbidden); nothing changes', async () => {
      const { userId, appId } = await targets();
      for (const { label, caller } of admins()) {
        const username = uniqueName('wannabe');
        expectApiError(await call(server, caller, 'post', '/users', { username, password: 'a long enough password', admin_role: 'admin' }), 403, 'forbidden');
        expect(await server.portcullis.users.findByUsername(username), label).to.equal(undefined);
        expectApiError(await call(server, caller, 'post', '/users', { username, password: 'a long enough password', admin_role: 'super-admin' }), 403, 'forbidden');
        expectApiError(await call(server, caller, 'patch', `/users/${userId}`, { admin_role: 'admin' }), 403, 'forbidden');
        expect((await server.portcullis.users.get(userId)).adminRole, label).to.equal(undefined);
        const before = (await server.portcullis.clients.list()).length;
        expectApiError(await call(server, caller, 'post', '/apps', { name: 'bot', application: 'echo', type: 'service', admin_role: 'admin' }), 403, 'forbidden');
        expect((await server.portcullis.clients.list()).length).to.equal(before);
        expectApiError(await call(server, caller, 'patch', `/apps/${appId}`, { admin_role: 'admin' }), 403, 'forbidden');
        expect((await server.portcullis.clients.get(appId)).adminRole).to.equal(undefined);
      }
    });

    it('an admin cannot edit, disable, or reset the password of a super admin (403); an admin may edit another admin', async () => {
      const target = await makeUser(server, { adminRole: 'super-admin' });
      const peer = await makeUser(server, { adminRole: 'admin' });
      for (const { caller } of admins()) {
        for (const body of [{ name: 'Renamed' }, { status: 'disabled' }, { password: 'a new long password' }, { admin_role: null }]) {
          expectApiError(await call(server, caller, 'patch', `/users/${target.userId}`, body), 403, 'forbidden');
        }
        const after = await server.portcullis.users.get(target.userId);
        expect(after).to.include({ status: 'active', adminRole: 'super-admin' });
        expect(after.name).to.equal(undefined);
        expect((await call(server, caller, 'patch', `/users/${peer.userId}`, { name: 'Peer' })).status).to.equal(200);
      }
      // The super admin's password still works.
      const { res } = await signInAt(server, target);
      expect(res.status, res.text).to.equal(303);
    });

    it("an admin cannot take over a super-admin client: no secret regeneration, edit, deactivation or reactivation (403)", async () => {
      const bot = await automationClient(server, 'super-admin');
      SECRETS.add(bot.clientSecret);
      for (const { caller } of admins()) {
        expectApiError(await call(server, caller, 'post', `/apps/${bot.clientId}/secret`), 403, 'forbidden');
        expectApiError(await call(server, caller, 'patch', `/apps/${bot.clientId}`, { name: 'mine now' }), 403, 'forbidden');
        expectApiError(await call(server, caller, 'post', `/apps/${bot.clientId}/deactivate`), 403, 'forbidden');
        expectApiError(await call(server, caller, 'post', `/apps/${bot.clientId}/reactivate`), 403, 'forbidden');
      }
      // The old secret still works, so nothing was rotated.
      expect(await clientCredentialsToken(server, bot.clientId, bot.clientSecret)).to.be.a('string');
      expect((await server.portcullis.clients.get(bot.clientId)).status).to.equal('active');
    });

    it('a super admin can make and unmake admins, and create an admin service client through the API whose token then works', async () => {
      const { userId } = await targets();
      const res = await call(server, session(superSession), 'patch', `/users/${userId}`, { admin_role: 'admin' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.admin_role).to.equal('admin');
      expect((await call(server, bearer(superBot.token), 'patch', `/users/${userId}`, { admin_role: null })).body.admin_role).to.equal(null);

      const created = await call(server, session(superSession), 'post', '/apps', { name: 'CI pipeline', application: 'echo', type: 'service', roles: ['echo-reader'], admin_role: 'admin' });
      expect(created.status, created.text).to.equal(201);
      expect(created.body).to.include({ type: 'service', admin_role: 'admin' });
      SECRETS.add(created.body.client_secret);
      const token = await clientCredentialsToken(server, created.body.client_id, created.body.client_secret);
      const who = await call(server, bearer(token), 'get', '/session');
      expect(who.status, who.text).to.equal(200);
      expect(who.body.actor).to.deep.include({ type: 'client', id: created.body.client_id, name: 'CI pipeline', admin_role: 'admin' });
    });
  });

  describe('what the operations do', () => {
    async function createWebApp(caller: Caller): Promise<FlowApp> {
      const res = await call(server, caller, 'post', '/apps', webAppBody());
      expect(res.status, res.text).to.equal(201);
      SECRETS.add(res.body.client_secret);
      return { clientId: res.body.client_id, clientSecret: res.body.client_secret, name: res.body.name, type: 'web', redirectUri: REDIRECT_URI };
    }

    it('create returns client_secret once; GET of the app and the list never return it (nor secretHash)', async () => {
      const res = await call(server, session(superSession), 'post', '/apps', webAppBody());
      expect(res.status).to.equal(201);
      const secret: string = res.body.client_secret;
      SECRETS.add(secret);
      for (const path of [`/apps/${res.body.client_id}`, '/apps']) {
        for (const caller of [session(superSession), bearer(superBot.token)]) {
          const again = await call(server, caller, 'get', path);
          expect(again.status).to.equal(200);
          expect(again.text).to.not.contain(secret);
          expectNoSecretFields(again.body);
        }
      }
      // Public apps have no secret at all.
      const pub = await call(server, session(superSession), 'post', '/apps', webAppBody({ type: 'public' }));
      expect(pub.status, pub.text).to.equal(201);
      expect(pub.body).to.not.have.property('client_secret');
      expectApiError(await call(server, session(superSession), 'post', `/apps/${pub.body.client_id}/secret`), 422, 'invalid_field', 'type');
    });

    it('regenerate: the old secret is refused at /oauth2/token (401 invalid_client), the new one accepted', async () => {
      const created = await call(server, bearer(superBot.token), 'post', '/apps', { name: 'rotating service', application: 'echo', type: 'service', roles: ['echo-reader'] });
      expect(created.status, created.text).to.equal(201);
      const { client_id: id, client_secret: oldSecret } = created.body;
      SECRETS.add(oldSecret);
      await clientCredentialsToken(server, id, oldSecret);
      const rotated = await call(server, session(superSession), 'post', `/apps/${id}/secret`);
      expect(rotated.status, rotated.text).to.equal(200);
      const newSecret: string = rotated.body.client_secret;
      SECRETS.add(newSecret);
      expect(newSecret).to.not.equal(oldSecret);
      const old = await request(server.app).post('/oauth2/token').auth(id, oldSecret).type('form').send('grant_type=client_credentials');
      expect(old.status, old.text).to.equal(401);
      expect(old.body.error).to.equal('invalid_client');
      expect(await clientCredentialsToken(server, id, newSecret)).to.be.a('string');
      expect((await call(server, bearer(superBot.token), 'get', `/apps/${id}`)).text).to.not.contain(newSecret);
    });

    it('deactivate: token endpoint refuses the app, /oauth2/authorize shows an error page, its access token is refused by the guard within 1 s, its refresh token fails', async () => {
      const app = await createWebApp(session(superSession));
      const user = await createUser(server);
      const tokens = await obtainTokens(server, { app, user });
      expect(await echoStatus(server, tokens.access_token)).to.equal(200);

      const res = await call(server, session(superSession), 'post', `/apps/${app.clientId}/deactivate`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.status).to.equal('disabled');

      await refusedWithinASecond(server, tokens.access_token);
      const refreshed = await refresh(server, app, tokens.refresh_token);
      expect(refreshed.status, refreshed.text).to.equal(401);
      expect(refreshed.body.error).to.equal('invalid_client');
      const page = await startAuthorization(request.agent(server.app), authorizeParams(app));
      expect(page.status).to.equal(400);
      expect(page.headers['content-type']).to.match(/^text\/html/);
      expect(page.headers).to.not.have.property('location');
      expect(page.text).to.match(/deactivated/i);
    });

    it('reactivate: the app works again, its old refresh token stays dead, and the user must consent again', async () => {
      const app = await createWebApp(bearer(superBot.token));
      const user = await createUser(server);
      const agent = request.agent(server.app);
      const first = await obtainTokens(server, { app, user, agent });
      // The same browser, with consent remembered, goes straight back to the app.
      const remembered = await startAuthorization(agent, authorizeParams(app));
      expect(remembered.status).to.equal(303);
      expect(remembered.headers.location).to.match(/^https:\/\/app\.example\/callback\?code=/);

      expect((await call(server, bearer(superBot.token), 'post', `/apps/${app.clientId}/deactivate`)).status).to.equal(200);
      const res = await call(server, bearer(superBot.token), 'post', `/apps/${app.clientId}/reactivate`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.status).to.equal('active');
      // Tokens from before the deactivation stay dead (tokensValidAfter, in whole seconds): let the
      // frozen test clock move on, as real time would, before new ones are issued.
      server.now.ms += 2000;

      const again = await startAuthorization(agent, authorizeParams(app));
      expect(again.status, again.text).to.equal(303);
      expect(again.headers.location).to.match(/^\/oauth2\/consent\?/);
      const consent = await agent.get(again.headers.location);
      expect(consent.status).to.equal(200);
      expect(consent.text).to.contain(app.name);
      const final = await followFlow(agent, again, user);
      expect(final.headers.location).to.match(/^https:\/\/app\.example\/callback\?code=/);

      const second = await obtainTokens(server, { app, user, agent });
      expect(await echoStatus(server, second.access_token)).to.equal(200);
      const old = await refresh(server, app, first.refresh_token);
      expect(old.status, old.text).to.equal(400);
      expect(old.body.error).to.equal('invalid_grant');
    });

    it('user disable: sign-in refused, refresh fails, access token refused; enable lets them sign in again', async () => {
      const app = await createWebApp(session(superSession));
      const user = await createUser(server);
      const tokens = await obtainTokens(server, { app, user });
      const res = await call(server, session(superSession), 'patch', `/users/${user.userId}`, { status: 'disabled' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.status).to.equal('disabled');

      const { res: signIn } = await signInAt(server, user);
      expect(signIn.status).to.equal(401);
      const refreshed = await refresh(server, app, tokens.refresh_token);
      expect(refreshed.status, refreshed.text).to.equal(400);
      expect(refreshed.body.error).to.equal('invalid_grant');
      await refusedWithinASecond(server, tokens.access_token);

      const enabled = await call(server, bearer(adminBot.token), 'patch', `/users/${user.userId}`, { status: 'active' });
      expect(enabled.body.status).to.equal('active');
      const { res: back } = await signInAt(server, user);
      expect(back.status, back.text).to.equal(303);
    });

    it('user disable ends their admin sessions too', async () => {
      const victim = await makeUser(server, { adminRole: 'admin' });
      const s = await apiSession(server, victim);
      expect((await call(server, session(s), 'get', '/apps')).status).to.equal(200);
      expect((await call(server, bearer(superBot.token), 'patch', `/users/${victim.userId}`, { status: 'disabled' })).status).to.equal(200);
      expectApiError(await call(server, session(s), 'get', '/apps'), 401, 'unauthorized');
    });
  });

  describe('audit log', () => {
    it('each action is written with actor, action, target and address, newest first; filters by app and user', async () => {
      const s = session(superSession);
      const created = await call(server, s, 'post', '/apps', webAppBody());
      const id: string = created.body.client_id;
      SECRETS.add(created.body.client_secret);
      await call(server, s, 'patch', `/apps/${id}`, { name: 'Audited app', description: 'desc' });
      SECRETS.add((await call(server, s, 'post', `/apps/${id}/secret`)).body.client_secret);
      await call(server, s, 'post', `/apps/${id}/deactivate`);
      await call(server, bearer(adminBot.token), 'post', `/apps/${id}/reactivate`);
      const password = 'audited user password';
      SECRETS.add(password);
      const user = await call(server, s, 'post', '/users', { username: uniqueName('audited'), password });
      const userId: string = user.body.user_id;
      const newPassword = 'changed user password';
      SECRETS.add(newPassword);
      await call(server, s, 'patch', `/users/${userId}`, { name: 'Audited', password: newPassword });
      await call(server, s, 'patch', `/users/${userId}`, { status: 'disabled' });

      const res = await call(server, bearer(superBot.token), 'get', `/audit?app=${id}`);
      expect(res.status).to.equal(200);
      expect(res.body.map((e: { action: string }) => e.action)).to.deep.equal(['app.reactivate', 'app.deactivate', 'app.secret.regenerate', 'app.update', 'app.create']);
      for (const entry of res.body) {
        expect(entry.target).to.deep.include({ type: 'app', id });
        expect(entry.from).to.be.a('string').and.not.be.empty;
        expect(entry.at).to.be.a('number');
      }
      const [reactivate, , , update, create] = res.body;
      expect(create.actor).to.deep.equal({ type: 'user', id: superAdmin.userId, name: superAdmin.username });
      expect(reactivate.actor).to.deep.include({ type: 'client', id: adminBot.clientId });
      expect(update.changed).to.have.members(['name', 'description']);
      expect(update.target.name).to.equal('Audited app');

      const users = await call(server, s, 'get', `/audit?user=${userId}`);
      expect(users.body.map((e: { action: string }) => e.action)).to.deep.equal(['user.disable', 'user.update', 'user.create']);
      expect(users.body[1].changed).to.include('name');
      for (const entry of users.body) expect(entry.actor).to.deep.equal({ type: 'user', id: superAdmin.userId, name: superAdmin.username });

      const all = await call(server, s, 'get', '/audit?limit=1000');
      const ids = all.body.map((e: { id: string }) => e.id);
      expect(ids).to.deep.equal([...ids].sort().reverse());
      expect((await call(server, s, 'get', '/audit?limit=3')).body).to.have.length(3);
    });

    it('no audit entry ever contains a client secret or a password used in this suite', async () => {
      const all = await call(server, bearer(superBot.token), 'get', '/audit?limit=1000');
      expect(all.status).to.equal(200);
      expect(all.body.length).to.be.above(50);
      const text = JSON.stringify(all.body);
      expect(SECRETS.size).to.be.above(20);
      for (const secret of SECRETS) expect(text, 'a secret or password is in the audit log').to.not.contain(secret);
      // And the store itself holds no secret in the clear either.
      const stored = JSON.stringify(await server.portcullis.store.list('audit'));
      for (const secret of SECRETS) expect(stored).to.not.contain(secret);
    });
  });
});
