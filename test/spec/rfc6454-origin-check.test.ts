import { expect } from 'chai';
import type { Router } from 'express';
import request from 'supertest';
import { adminPagesRouter } from '../../src/admin/web/admin-pages-router';
import { ADMIN_ROUTES } from '../../src/admin/api/routes';
import { API, apiSession, automationClient, makeUser, pageCsrf, signedIn } from '../helpers/admin-session';
import { authorizeParams, formFields, locationOf, query, signIn, startAuthorization, startFlowServer, type Agent, type FlowApp, type FlowUser } from '../helpers/browser-flow';
import { expectPage } from '../helpers/wire-expect';
import { ISSUER, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * The Origin check, a second line of defence behind the CSRF token on every state-changing browser
 * request (RFC 6454 §7.3: the `Origin` header; Fetch Metadata: `Sec-Fetch-Site`): sign-in,
 * consent, sign-out, every admin page form, and admin API calls made with the session cookie.
 * A cross-site `Origin` (or `null`) or a `Sec-Fetch-Site` other than `same-origin`/`none` is
 * refused with 403 even with a valid CSRF token, and nothing changes in the store. Without these
 * headers (old browsers) the CSRF token alone decides; a same-origin request still works.
 */

const CROSS_SITE: Record<string, string>[] = [
  { Origin: 'https://evil.example' },
  { Origin: 'null' },
  { Origin: 'http://issuer.test:8080' },
  { 'Sec-Fetch-Site': 'cross-site' },
  { 'Sec-Fetch-Site': 'same-site' },
  { Origin: ISSUER, 'Sec-Fetch-Site': 'cross-site' },
];
const SAME_ORIGIN = { Origin: ISSUER, 'Sec-Fetch-Site': 'same-origin' };

const label = (headers: Record<string, string>) => Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join(', ');

eachStore('RFC 6454 / Fetch Metadata: state-changing browser requests must be same-origin', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
  });
  afterEach(() => server.close());

  /** The sign-in form of a fresh authorization: its location and its fields (CSRF token included). */
  async function signInForm(agent: Agent): Promise<{ location: string; fields: Record<string, string> }> {
    const location = locationOf(await startAuthorization(agent, authorizeParams(web)));
    const page = await agent.get(location);
    return { location, fields: formFields(page.text) };
  }

  it('POST /login: a cross-site request with a valid CSRF token is refused (403) and starts no session', async () => {
    const agent = request.agent(server.app);
    const { fields } = await signInForm(agent);
    for (const headers of CROSS_SITE) {
      const res = await agent.post('/login').set(headers).type('form').send(query({ ...fields, username: user.username, password: user.password }));
      expectPage(res, 403);
      expect(res.headers['set-cookie'] ?? [], label(headers)).to.not.satisfy((lines: string[]) => lines.some((l) => l.startsWith('portcullis_session=')));
    }
    const ok = await agent.post('/login').set(SAME_ORIGIN).type('form').send(query({ ...fields, username: user.username, password: user.password }));
    expect(ok.status, ok.text).to.equal(303);
    expect(ok.headers.location).to.match(/^\/oauth2\/authorize\/continue\?interaction=/);
  });

  it('POST /oauth2/consent: a cross-site Allow is refused (403): no consent stored, no code issued', async () => {
    const agent = request.agent(server.app);
    const { location } = await signInForm(agent);
    const consent = locationOf(await agent.get(locationOf(await signIn(agent, location, user))));
    const fields = formFields((await agent.get(consent)).text);
    for (const headers of CROSS_SITE) {
      const res = await agent.post('/oauth2/consent').set(headers).type('form').send(query({ ...fields, decision: 'allow' }));
      expectPage(res, 403);
    }
    expect(await server.portcullis.consents.covers(user.userId, web.clientId, ['echo:read'])).to.equal(false);
    const ok = await agent.post('/oauth2/consent').set(SAME_ORIGIN).type('form').send(query({ ...fields, decision: 'allow' }));
    expect(ok.status, ok.text).to.equal(303);
    expect(new URL(ok.headers.location).searchParams.get('code')).to.be.a('string');
  });

  it('POST /logout: a cross-site sign-out is refused (403) and the session stays', async () => {
    const agent = await signedIn(server, await makeUser(server, { adminRole: 'admin' }));
    const fields = formFields((await agent.get('/logout')).text);
    for (const headers of CROSS_SITE) expectPage(await agent.post('/logout').set(headers).type('form').send(query(fields)), 403);
    expect((await agent.get('/admin/apps')).status, 'still signed in').to.equal(200);
    const ok = await agent.post('/logout').set(SAME_ORIGIN).type('form').send(query(fields));
    expectPage(ok, 200);
    expect((await agent.get('/admin/apps')).status, 'signed out').to.equal(303);
  });

  it('every admin page form (each POST route of /admin): a cross-site post is refused (403), nothing is written', async () => {
    const admin = await makeUser(server, { adminRole: 'super-admin' });
    const agent = await signedIn(server, admin);
    const csrf = pageCsrf((await agent.get('/admin/apps/new')).text);
    const postPaths = (adminPagesRouter(server.portcullis) as Router).stack
      .filter((layer) => layer.route && (layer.route as unknown as { methods: Record<string, boolean> }).methods.post)
      .map((layer) => layer.route!.path as string);
    expect(postPaths).to.include.members(['/apps', '/apps/:id/deactivate', '/users', '/users/:id/disable']);
    const target = await makeUser(server);
    const form = { csrf_token: csrf, name: 'Renamed', type: 'web', application: 'echo', redirectUris: 'https://x.example/cb', username: 'newuser', password: 'a long enough password', email: 'x@example.com' };
    const before = (await server.portcullis.admin.auditLog(500)).length;
    for (const path of postPaths) {
      const url = `/admin${path.replace(':id', path.startsWith('/users') ? target.userId : web.clientId)}`;
      for (const headers of CROSS_SITE) {
        const res = await agent.post(url).set(headers).type('form').send(query(form));
        expect(res.status, `${url} with ${label(headers)}: ${res.text}`).to.equal(403);
        expectPage(res, 403);
      }
    }
    expect((await server.portcullis.admin.auditLog(500)).length, 'no audit entry: nothing changed').to.equal(before);
    expect((await server.portcullis.clients.find(web.clientId))?.status).to.equal('active');
    expect((await server.portcullis.users.find(target.userId))?.status).to.equal('active');
    const ok = await agent.post(`/admin/apps/${web.clientId}/deactivate`).set(SAME_ORIGIN).type('form').send(query({ csrf_token: csrf }));
    expect(ok.status, ok.text).to.equal(303);
    expect((await server.portcullis.clients.find(web.clientId))?.status).to.equal('disabled');
  });

  it('every admin API change made with the session cookie: cross-site is refused (403 JSON csrf), nothing is written', async () => {
    const { agent, csrf } = await apiSession(server, await makeUser(server, { adminRole: 'super-admin' }));
    const target = await makeUser(server);
    const unsafe = ADMIN_ROUTES.filter((r) => r.method !== 'get');
    expect(unsafe.length).to.be.greaterThan(5);
    const before = (await server.portcullis.admin.auditLog(500)).length;
    for (const route of unsafe) {
      const url = API + route.path.replace('{id}', route.path.startsWith('/users') ? target.userId : web.clientId);
      for (const headers of CROSS_SITE) {
        const res = await agent[route.method](url).set(headers).set('X-CSRF-Token', csrf).send({ name: 'Renamed', status: 'disabled' });
        expect(res.status, `${route.method} ${url} with ${label(headers)}: ${res.text}`).to.equal(403);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body.error).to.equal('csrf');
        expect(res.body.error_description).to.match(/cross-site/);
      }
    }
    expect((await server.portcullis.admin.auditLog(500)).length, 'no audit entry: nothing changed').to.equal(before);
    const ok = await agent.post(`${API}/apps/${web.clientId}/deactivate`).set(SAME_ORIGIN).set('X-CSRF-Token', csrf).send({});
    expect(ok.status, ok.text).to.equal(200);
  });

  it('the admin API with a bearer token is not a browser session: a cross-site Origin does not matter', async () => {
    const automation = await automationClient(server, 'super-admin');
    const res = await request(server.app).post(`${API}/apps/${web.clientId}/deactivate`).set('Authorization', `Bearer ${automation.token}`).set(CROSS_SITE[0]).send({});
    expect(res.status, res.text).to.equal(200);
  });

  it('without Origin and Sec-Fetch-Site (an old browser) the CSRF token alone decides', async () => {
    const agent = request.agent(server.app);
    const { fields } = await signInForm(agent);
    const res = await agent.post('/login').type('form').send(query({ ...fields, username: user.username, password: user.password }));
    expect(res.status, res.text).to.equal(303);
  });

  it('the pages use Referrer-Policy: same-origin (under no-referrer browsers send Origin: null on their own forms)', async () => {
    const page = await request(server.app).get('/login');
    expect(page.headers['referrer-policy']).to.equal('same-origin');
    expect(page.text).to.include('<meta name="referrer" content="same-origin">');
    expect(page.text).to.not.include('no-referrer');
  });

  it('Sec-Fetch-Site: none (typed in the address bar, a bookmark) is accepted', async () => {
    const agent = request.agent(server.app);
    const { fields } = await signInForm(agent);
    const res = await agent.post('/login').set('Sec-Fetch-Site', 'none').type('form').send(query({ ...fields, username: user.username, password: user.password }));
    expect(res.status, res.text).to.equal(303);
  });
});
