import { expect } from 'chai';
import request from 'supertest';
import { ADMIN_PASSWORD, clientCredentialsToken, makeUser, pageCsrf, signInAt, signedIn, unescapeHtml, uniqueName, type AdminUser } from '../helpers/admin-session';
import { REDIRECT_URI, formFields, type Agent } from '../helpers/browser-flow';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * The admin pages (/admin) over HTTP with supertest agents as browsers: who may see them, their
 * security headers, CSRF on every form, field errors that keep what was typed, the one-time secret
 * dialog, and each operation on apps and users, down to the audit page.
 */

type Form = Record<string, string | string[] | undefined>;

/** An urlencoded body; arrays repeat the name (checkboxes). */
function encode(form: Form): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

function post(agent: Agent, path: string, form: Form): request.Test {
  return agent.post(path).type('form').send(encode(form));
}

/** GETs `path` (asserting 200) and posts `form` to `action` with the page's CSRF token. */
async function submit(agent: Agent, path: string, action: string, form: Form): Promise<request.Response> {
  const page = await agent.get(path);
  expect(page.status, page.text).to.equal(200);
  return post(agent, action, { csrf_token: pageCsrf(page.text), ...form });
}

function expectPageHeaders(res: request.Response): void {
  expect(res.headers['content-type']).to.match(/^text\/html/);
  expect(res.headers['content-security-policy']).to.contain("frame-ancestors 'none'");
  expect(res.headers['content-security-policy']).to.contain("default-src 'none'");
  expect(res.headers['content-security-policy']).to.not.contain('unsafe-inline');
  expect(res.headers['x-frame-options']).to.equal('DENY');
  expect(res.headers['cache-control']).to.equal('no-store');
}

/** Text of the element with this id (tags stripped, entities decoded), or undefined. */
function textOf(html: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return match ? unescapeHtml(match[2].replace(/<[^>]+>/g, '')).trim() : undefined;
}

/** The value attribute of the input with this id, decoded. */
function inputValue(html: string, id: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  const value = input && /\bvalue="([^"]*)"/.exec(input)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}

const appIdFrom = (location: string) => /^\/admin\/apps\/(pcc_[A-Za-z0-9_-]+)(?:\?done=\w+)?$/.exec(location)?.[1];
const userIdFrom = (location: string) => /^\/admin\/users\/([0-9a-f-]{36})(?:\?done=\w+)?$/.exec(location)?.[1];

describe('admin pages: /admin', function () {
  let server: TestServer;
  let superAdmin: AdminUser;
  let admin: AdminUser;
  let superAgent: Agent;
  let adminAgent: Agent;

  before(async () => {
    server = await startTestServer();
    superAdmin = await makeUser(server, { adminRole: 'super-admin' });
    admin = await makeUser(server, { adminRole: 'admin' });
    superAgent = await signedIn(server, superAdmin);
    adminAgent = await signedIn(server, admin);
  });
  after(() => server?.close());

  /** Creates an app through the Create App form; returns its id (the 303 was to its page). */
  async function createAppByForm(agent: Agent, form: Form = {}): Promise<string> {
    const res = await submit(agent, '/admin/apps/new', '/admin/apps', { name: uniqueName('Page app '), type: 'web', application: 'echo', redirectUris: REDIRECT_URI, ...form });
    expect(res.status, res.text).to.equal(303);
    const id = appIdFrom(res.headers.location);
    expect(id, res.headers.location).to.be.a('string');
    return id!;
  }

  describe('who may see them', () => {
    it('anonymous GET /admin/apps → 303 to /login?return_to=%2Fadmin%2Fapps; signing in lands back on /admin/apps', async () => {
      const agent = request.agent(server.app);
      const res = await agent.get('/admin/apps');
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/login?return_to=%2Fadmin%2Fapps');
      const login = await agent.get(res.headers.location);
      expect(login.status).to.equal(200);
      expect(formFields(login.text).return_to).to.equal('/admin/apps');
      const signIn = await agent.post('/login').type('form').send(encode({ ...formFields(login.text), username: superAdmin.username, password: superAdmin.password }));
      expect(signIn.status, signIn.text).to.equal(303);
      expect(signIn.headers.location).to.equal('/admin/apps');
      const apps = await agent.get(signIn.headers.location);
      expect(apps.status).to.equal(200);
      expect(textOf(apps.text, 'create-app')).to.equal('Create App');
    });

    it('anonymous visitors of any admin page, and of /admin itself, are sent to sign in and back', async () => {
      for (const path of ['/admin', '/admin/apps/new', '/admin/users', '/admin/audit', '/admin/apps?x=1']) {
        const res = await request(server.app).get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location).to.equal(`/login?return_to=${encodeURIComponent(path)}`);
      }
      const res = await superAgent.get('/admin');
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin/apps');
    });

    it('a signed-in user without an admin role gets a 403 page (same security headers), on every page and form', async () => {
      const plain = await makeUser(server);
      const { agent } = await signInAt(server, plain);
      for (const path of ['/admin/apps', '/admin/apps/new', '/admin/users', '/admin/audit']) {
        const res = await agent.get(path);
        expect(res.status, path).to.equal(403);
        expectPageHeaders(res);
        expect(textOf(res.text, 'error-code')).to.equal('forbidden');
        expect(res.text).to.contain(plain.username);
      }
      const csrf = pageCsrf((await agent.get('/logout')).text);
      const before = (await server.portcullis.clients.list()).length;
      const res = await post(agent, '/admin/apps', { csrf_token: csrf, name: 'sneaky', type: 'service', application: 'echo' });
      expect(res.status).to.equal(403);
      expect((await server.portcullis.clients.list()).length).to.equal(before);
    });
  });

  it('every page (and its 403, 404 and 422 variants) carries CSP frame-ancestors \'none\', X-Frame-Options DENY, Cache-Control no-store', async () => {
    const appId = await createAppByForm(superAgent);
    const userId = (await makeUser(server)).userId;
    const pages = ['/admin/apps', '/admin/apps/new', `/admin/apps/${appId}`, `/admin/apps/${appId}/secret`, '/admin/users', '/admin/users/new', `/admin/users/${userId}`, '/admin/audit'];
    for (const path of pages) {
      const res = await superAgent.get(path);
      expect(res.status, path).to.equal(200);
      expectPageHeaders(res);
      expect(res.headers['content-security-policy']).to.contain("script-src 'self'");
      expect(res.text).to.match(/<script src="\/assets\/admin\.js"><\/script>/);
      expect(res.text).to.not.match(/<script>|<script [^s]|\son\w+="/);
    }
    const missing = await superAgent.get('/admin/apps/pcc_nope');
    expect(missing.status).to.equal(404);
    expectPageHeaders(missing);
    const missingUser = await superAgent.get('/admin/users/nope');
    expect(missingUser.status).to.equal(404);
    const invalid = await submit(superAgent, '/admin/apps/new', '/admin/apps', { name: '', type: 'web', application: 'echo', redirectUris: REDIRECT_URI });
    expect(invalid.status).to.equal(422);
    expectPageHeaders(invalid);
    const js = await request(server.app).get('/assets/admin.js');
    expect(js.status).to.equal(200);
    expect(js.headers['content-type']).to.match(/javascript/);
  });

  describe('CSRF: every form refuses a missing or wrong csrf_token (403) and changes nothing', () => {
    let appId: string;
    let userId: string;
    let wrong: string;
    before(async () => {
      appId = await createAppByForm(superAgent, { type: 'service', redirectUris: '' });
      userId = (await makeUser(server)).userId;
      // A real token, but of another browser.
      wrong = pageCsrf((await adminAgent.get('/admin/apps/new')).text);
    });
    const forms = (): Array<[string, Form]> => [
      ['/admin/apps', { name: 'csrf app', type: 'service', application: 'echo' }],
      [`/admin/apps/${appId}`, { name: 'csrf renamed' }],
      [`/admin/apps/${appId}/secret`, {}],
      [`/admin/apps/${appId}/deactivate`, {}],
      [`/admin/apps/${appId}/reactivate`, {}],
      ['/admin/users', { username: 'csrfuser', password: 'a long enough password' }],
      [`/admin/users/${userId}`, { name: 'csrf renamed', adminRole: 'super-admin' }],
      [`/admin/users/${userId}/disable`, {}],
      [`/admin/users/${userId}/enable`, {}],
    ];
    for (const variant of ['missing', 'wrong', 'garbage'] as const) {
      it(`${variant} csrf_token`, async () => {
        const appsBefore = await server.portcullis.clients.list();
        const usersBefore = await server.portcullis.users.list();
        const auditBefore = (await server.portcullis.admin.auditLog(1000)).length;
        for (const [path, form] of forms()) {
          const token = variant === 'missing' ? undefined : variant === 'wrong' ? wrong : 'x'.repeat(43);
          const res = await post(superAgent, path, { ...form, csrf_token: token });
          expect(res.status, `${path}: ${res.text}`).to.equal(403);
          expectPageHeaders(res);
          expect(textOf(res.text, 'error-code')).to.equal('csrf');
        }
        expect(await server.portcullis.clients.list()).to.deep.equal(appsBefore);
        expect(await server.portcullis.users.list()).to.deep.equal(usersBefore);
        expect((await server.portcullis.admin.auditLog(1000)).length).to.equal(auditBefore);
      });
    }
  });

  describe('Create App with invalid input: 422, the error next to the field, what was typed kept', () => {
    const cases: Array<[string, Form, string]> = [
      ['an empty name', { name: '   ' }, 'name'],
      ['a 256-character name', { name: 'N'.repeat(256) }, 'name'],
      ['a wildcard redirect URI', { redirectUris: 'https://*.app.example/callback' }, 'redirectUris'],
      ['a redirect URI with a fragment', { redirectUris: `${REDIRECT_URI}\nhttps://app.example/cb#frag` }, 'redirectUris'],
      ['an http redirect URI off loopback', { redirectUris: 'http://app.example/callback' }, 'redirectUris'],
      ['a relative redirect URI', { redirectUris: '/callback' }, 'redirectUris'],
      ['no redirect URI for a web app', { redirectUris: '' }, 'redirectUris'],
      ['a 501-character description', { description: 'D'.repeat(501) }, 'description'],
      ['an origin with a path', { allowedOrigins: 'https://app.example/x' }, 'allowedOrigins'],
    ];
    for (const [what, form, field] of cases) {
      it(what, async () => {
        const before = (await server.portcullis.clients.list()).length;
        const typed = { name: 'Typed <name> & "quotes"', description: 'typed description', type: 'web', application: 'billing', redirectUris: REDIRECT_URI, allowedOrigins: 'https://app.example', ...form };
        const res = await submit(superAgent, '/admin/apps/new', '/admin/apps', typed);
        expect(res.status, res.text).to.equal(422);
        expect((await server.portcullis.clients.list()).length).to.equal(before);
        const message = textOf(res.text, `error-${field}`);
        expect(message, `#error-${field}`).to.be.a('string').and.not.be.empty;
        // Next to its field: right after the field's control, before the next label.
        const control = res.text.indexOf(`id="${field}"`);
        const error = res.text.indexOf(`id="error-${field}"`);
        expect(control).to.be.above(-1);
        expect(error).to.be.above(control);
        expect(res.text.slice(control, error)).to.not.contain('<label');
        // The field is outlined and tied to its message; the summary at the top links to it.
        expect(res.text).to.match(new RegExp(`id="${field}"[^>]*aria-invalid="true" aria-describedby="error-${field}"`));
        expect(res.text).to.contain(`<li><a href="#${field}">`);
        // Only that field is marked.
        expect([...res.text.matchAll(/id="error-(\w+)"/g)].map((m) => m[1])).to.deep.equal([field]);
        // Everything typed is still there.
        expect(inputValue(res.text, 'name')).to.equal(typed.name);
        expect(textOf(res.text, 'description')).to.equal(typed.description.trim());
        expect(textOf(res.text, 'redirectUris')).to.equal(typed.redirectUris);
        expect(textOf(res.text, 'allowedOrigins')).to.equal(typed.allowedOrigins);
        expect(res.text).to.match(/<option value="web"\s+selected>/);
        expect(res.text).to.match(/<option value="billing"\s+selected>/);
        expect(res.text).to.not.contain('<name>');
      });
    }
  });

  it('shows every invalid field of one submit at once, each next to its field', async () => {
    const res = await submit(superAgent, '/admin/apps/new', '/admin/apps', {
      name: '', description: 'D'.repeat(501), type: 'web', application: 'echo', redirectUris: 'https://*.app.example/cb', allowedOrigins: 'https://app.example/x',
    });
    expect(res.status).to.equal(422);
    expect([...res.text.matchAll(/id="error-(\w+)"/g)].map((m) => m[1]).sort()).to.deep.equal(['allowedOrigins', 'description', 'name', 'redirectUris']);
  });

  describe('the one-time secret dialog', () => {
    it('create → 303 to the app; the next GET shows #secret-dialog with #client-secret once, the second GET does not', async () => {
      const other = await signedIn(server, await makeUser(server, { adminRole: 'admin' }));
      const name = uniqueName('Service with secret ');
      const res = await submit(superAgent, '/admin/apps/new', '/admin/apps', { name, type: 'service', application: 'echo', roles: ['echo-reader', 'echo-writer'] });
      expect(res.status, res.text).to.equal(303);
      const id = appIdFrom(res.headers.location)!;
      expect(id).to.be.a('string');
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('portcullis_reveal='));
      expect(cookie, 'the reveal key travels in its own cookie').to.match(/HttpOnly/i).and.match(/SameSite=Strict/i).and.match(/Path=\/admin\//);

      // Another browser, signed in as another admin, does not see it: not before, not after.
      const before = await other.get(res.headers.location);
      expect(before.status).to.equal(200);
      expect(before.text).to.not.contain('secret-dialog');

      const first = await superAgent.get(res.headers.location);
      expect(first.status).to.equal(200);
      expect(first.text).to.contain('id="secret-dialog"');
      expect(textOf(first.text, 'client-id')).to.equal(id);
      const secret = textOf(first.text, 'client-secret')!;
      expect(secret).to.match(/^pcs_/);
      expect(first.text).to.match(/will not be shown again/i);
      expect(textOf(first.text, 'dismiss-secret')).to.be.a('string');
      // It is the real secret.
      expect(await clientCredentialsToken(server, id, secret)).to.be.a('string');

      const second = await superAgent.get(res.headers.location);
      expect(second.status).to.equal(200);
      expect(second.text).to.not.contain('secret-dialog');
      expect(second.text).to.not.contain(secret);
      const after = await other.get(res.headers.location);
      expect(after.text).to.not.contain(secret);
      for (const path of ['/admin/apps', '/admin/audit']) expect((await superAgent.get(path)).text).to.not.contain(secret);
      expect((await server.portcullis.clients.get(id)).roles).to.deep.equal(['echo-reader', 'echo-writer']);
    });

    it('the reveal belongs to its own app\'s page: the first app page visited spends it', async () => {
      const res = await submit(superAgent, '/admin/apps/new', '/admin/apps', { name: uniqueName('Web '), type: 'web', application: 'echo', redirectUris: REDIRECT_URI });
      const id = appIdFrom(res.headers.location)!;
      // Visiting a different app's page first does not reveal anything there, and spends the reveal.
      const otherApp = await createAppByForm(adminAgent);
      const elsewhere = await superAgent.get(`/admin/apps/${otherApp}`);
      expect(elsewhere.text).to.not.contain('secret-dialog');
      expect((await superAgent.get(`/admin/apps/${id}`)).text).to.not.contain('secret-dialog');
    });

    it('regenerate: a confirm page, then POST → 303; the detail page shows the new secret once; old refused, new accepted', async () => {
      const id = await createAppByForm(superAgent, { type: 'service', redirectUris: '', roles: 'echo-reader' });
      const oldSecret = textOf((await superAgent.get(`/admin/apps/${id}`)).text, 'client-secret')!;
      expect(oldSecret).to.match(/^pcs_/);

      const detail = await superAgent.get(`/admin/apps/${id}`);
      expect(detail.text).to.contain(`href="/admin/apps/${id}/secret"`);
      const confirm = await superAgent.get(`/admin/apps/${id}/secret`);
      expect(confirm.status).to.equal(200);
      expect(confirm.text).to.contain('id="confirm-regenerate"');
      expect(confirm.text).to.match(/stops working/i);
      // Only the POST regenerates: looking at the confirm page changed nothing.
      expect(await clientCredentialsToken(server, id, oldSecret)).to.be.a('string');

      const res = await post(superAgent, `/admin/apps/${id}/secret`, { csrf_token: pageCsrf(confirm.text) });
      expect(res.status, res.text).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/apps/${id}?done=regenerated`);
      const shown = await superAgent.get(res.headers.location);
      expect(textOf(shown.text, 'done')).to.match(/new secret was issued/);
      const newSecret = textOf(shown.text, 'client-secret')!;
      expect(newSecret).to.match(/^pcs_/).and.not.equal(oldSecret);
      expect((await superAgent.get(res.headers.location)).text).to.not.contain('secret-dialog');

      const old = await request(server.app).post('/oauth2/token').auth(id, oldSecret).type('form').send('grant_type=client_credentials');
      expect(old.status).to.equal(401);
      expect(old.body.error).to.equal('invalid_client');
      expect(await clientCredentialsToken(server, id, newSecret)).to.be.a('string');
    });
  });

  describe('apps', () => {
    it('the list shows every app with its type, application and status, names escaped', async () => {
      const id = await createAppByForm(superAgent, { name: '<img src=x onerror=alert(1)> App' });
      const res = await superAgent.get('/admin/apps');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('id="apps"');
      expect(res.text).to.not.contain('<img src=x');
      expect(res.text).to.contain(`href="/admin/apps/${id}"`);
      const detail = await superAgent.get(`/admin/apps/${id}`);
      expect(textOf(detail.text, 'app-title')).to.equal('<img src=x onerror=alert(1)> App');
      expect(detail.text).to.not.contain('<img src=x');
    });

    it('edit: name, description and redirect URIs are saved (303), and an invalid edit keeps the typed values (422)', async () => {
      const id = await createAppByForm(superAgent);
      const res = await submit(superAgent, `/admin/apps/${id}`, `/admin/apps/${id}`, { name: 'Edited Name', description: 'Edited description', redirectUris: `${REDIRECT_URI}\r\nhttps://app.example/second`, allowedOrigins: 'https://app.example' });
      expect(res.status, res.text).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/apps/${id}?done=saved`);
      expect(textOf((await superAgent.get(res.headers.location)).text, 'done')).to.equal('Changes saved.');
      const app = await server.portcullis.clients.get(id);
      expect(app).to.include({ name: 'Edited Name', description: 'Edited description' });
      expect(app.redirectUris).to.deep.equal([REDIRECT_URI, 'https://app.example/second']);
      const page = await superAgent.get(`/admin/apps/${id}`);
      expect(textOf(page.text, 'app-title')).to.equal('Edited Name');
      expect(inputValue(page.text, 'name')).to.equal('Edited Name');
      // The form sends every field again; the audit names only what changed.
      const renamed = await submit(superAgent, `/admin/apps/${id}`, `/admin/apps/${id}`, { name: 'Renamed Only', description: 'Edited description', redirectUris: `${REDIRECT_URI}\nhttps://app.example/second`, allowedOrigins: 'https://app.example' });
      expect(renamed.status).to.equal(303);
      const [latest, previous] = await server.portcullis.admin.auditLog(2, { type: 'app', id });
      expect(latest).to.deep.include({ action: 'app.update', changed: ['name'] });
      expect(previous.changed).to.have.members(['name', 'description', 'redirectUris', 'allowedOrigins']);

      const bad = await submit(superAgent, `/admin/apps/${id}`, `/admin/apps/${id}`, { name: 'Still typed', redirectUris: 'http://evil.example/cb' });
      expect(bad.status).to.equal(422);
      expect(textOf(bad.text, 'error-redirectUris')).to.match(/http/);
      expect(inputValue(bad.text, 'name')).to.equal('Still typed');
      expect(textOf(bad.text, 'redirectUris')).to.equal('http://evil.example/cb');
      expect((await server.portcullis.clients.get(id)).name).to.equal('Renamed Only');
    });

    it('deactivate asks on a confirm page (no script confirm); deactivated, the page has a banner, a read-only form and Reactivate', async () => {
      const id = await createAppByForm(superAgent);
      let page = await superAgent.get(`/admin/apps/${id}`);
      expect(textOf(page.text, 'app-status')).to.equal('Active');
      expect(page.text).to.contain(`href="/admin/apps/${id}/deactivate" id="deactivate"`);
      expect(page.text).to.not.contain('data-confirm');
      const confirm = await superAgent.get(`/admin/apps/${id}/deactivate`);
      expect(confirm.status).to.equal(200);
      expect(confirm.text).to.contain('id="confirm-deactivate"');
      // Looking at the confirm page changed nothing.
      expect((await server.portcullis.clients.get(id)).status).to.equal('active');
      let res = await post(superAgent, `/admin/apps/${id}/deactivate`, { csrf_token: pageCsrf(confirm.text) });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/apps/${id}?done=deactivated`);
      expect((await server.portcullis.clients.get(id)).status).to.equal('disabled');
      page = await superAgent.get(res.headers.location);
      expect(textOf(page.text, 'done')).to.match(/^App deactivated/);
      expect(page.text).to.contain('id="deactivated-banner"');
      expect(page.text).to.match(/<fieldset class="read-only"\s+disabled>/);
      expect(page.text).to.not.contain('id="save"');
      expect(textOf(page.text, 'app-status')).to.equal('Deactivated');
      expect(page.text).to.contain('id="reactivate"');
      expect(page.text).to.not.contain('id="deactivate"');
      const list = await superAgent.get('/admin/apps');
      expect(list.text).to.match(new RegExp(`${id}[\\s\\S]*?status-disabled">Deactivated`));
      res = await post(superAgent, `/admin/apps/${id}/reactivate`, { csrf_token: pageCsrf(page.text) });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/apps/${id}?done=reactivated`);
      page = await superAgent.get(`/admin/apps/${id}`);
      expect(textOf(page.text, 'app-status')).to.equal('Active');
      expect((await server.portcullis.clients.get(id)).status).to.equal('active');
    });

    it('an admin may not regenerate the secret of a super-admin client (403 page)', async () => {
      const { client } = await server.portcullis.clients.create({ name: 'root bot', application: 'echo', type: 'service', adminRole: 'super-admin' });
      const confirm = await adminAgent.get(`/admin/apps/${client.clientId}/secret`);
      const res = await post(adminAgent, `/admin/apps/${client.clientId}/secret`, { csrf_token: pageCsrf(confirm.text) });
      expect(res.status).to.equal(403);
      expectPageHeaders(res);
    });
  });

  describe('users', () => {
    it('create → 303 to the user, who can then sign in; a duplicate username is refused with a visible message', async () => {
      const username = uniqueName('pageuser');
      const res = await submit(superAgent, '/admin/users/new', '/admin/users', { username, password: 'a long enough password', email: `${username}@example.com`, name: 'Page User', roles: ['echo:echo-reader'] });
      expect(res.status, res.text).to.equal(303);
      const id = userIdFrom(res.headers.location)!;
      expect(id).to.be.a('string');
      const user = await server.portcullis.users.get(id);
      expect(user).to.include({ username, email: `${username}@example.com`, name: 'Page User', status: 'active' });
      expect(user.roles).to.deep.equal({ echo: ['echo-reader'] });
      const { res: signIn } = await signInAt(server, { username, password: 'a long enough password' });
      expect(signIn.status).to.equal(303);

      const dupe = await submit(superAgent, '/admin/users/new', '/admin/users', { username, password: 'another long password' });
      expect(dupe.status).to.equal(422);
      expect(textOf(dupe.text, 'error-form') ?? textOf(dupe.text, 'error-username'), 'the reason is on the page').to.match(/taken/);
      expect(inputValue(dupe.text, 'username')).to.equal(username);
      // A password is never echoed back into the form.
      expect(dupe.text).to.not.contain('another long password');
    });

    it('create with invalid input: the error next to the field, typed values kept', async () => {
      const res = await submit(superAgent, '/admin/users/new', '/admin/users', { username: 'ok-name', password: 'short', email: 'someone@example.com', name: 'Typed' });
      expect(res.status).to.equal(422);
      expect(textOf(res.text, 'error-password')).to.match(/10/);
      expect(inputValue(res.text, 'username')).to.equal('ok-name');
      expect(inputValue(res.text, 'email')).to.equal('someone@example.com');
      expect(inputValue(res.text, 'name')).to.equal('Typed');
      expect(inputValue(res.text, 'password') ?? '').to.equal('');
    });

    it('edit roles per application', async () => {
      const target = await makeUser(server);
      const res = await submit(superAgent, `/admin/users/${target.userId}`, `/admin/users/${target.userId}`, { roles: ['echo:echo-reader', 'echo:echo-writer', 'billing:billing-reader'] });
      expect(res.status, res.text).to.equal(303);
      expect((await server.portcullis.users.get(target.userId)).roles).to.deep.equal({ echo: ['echo-reader', 'echo-writer'], billing: ['billing-reader'] });
      const page = await superAgent.get(`/admin/users/${target.userId}`);
      for (const role of ['echo:echo-reader', 'echo:echo-writer', 'billing:billing-reader']) {
        expect(page.text).to.match(new RegExp(`value="${role}"\\s+checked`));
      }
      // Unticking everything removes every role.
      await submit(superAgent, `/admin/users/${target.userId}`, `/admin/users/${target.userId}`, {});
      expect((await server.portcullis.users.get(target.userId)).roles).to.deep.equal({});
    });

    it('the admin-role select is shown to super admins only; an admin\'s form cannot change admin roles', async () => {
      const target = await makeUser(server);
      const asSuper = await superAgent.get(`/admin/users/${target.userId}`);
      expect(asSuper.text).to.match(/<select id="adminRole" name="adminRole"\s*>/);
      expect((await superAgent.get('/admin/users/new')).text).to.contain('id="adminRole"');
      const asAdmin = await adminAgent.get(`/admin/users/${target.userId}`);
      expect(asAdmin.status).to.equal(200);
      expect(asAdmin.text).to.not.contain('id="adminRole"');
      expect(asAdmin.text).to.match(/only super admins change admin roles/);
      expect((await adminAgent.get('/admin/users/new')).text).to.not.contain('id="adminRole"');

      // A hand-made form from an admin is ignored for the admin role.
      const res = await post(adminAgent, `/admin/users/${target.userId}`, { csrf_token: pageCsrf(asAdmin.text), name: 'By Admin', adminRole: 'super-admin' });
      expect(res.status, res.text).to.equal(303);
      const after = await server.portcullis.users.get(target.userId);
      expect(after.adminRole).to.equal(undefined);
      expect(after.name).to.equal('By Admin');
      const created = await post(adminAgent, '/admin/users', { csrf_token: pageCsrf(asAdmin.text), username: uniqueName('byadmin'), password: 'a long enough password', adminRole: 'super-admin' });
      expect(created.status).to.be.oneOf([303, 403, 422]);
      if (created.status === 303) expect((await server.portcullis.users.get(userIdFrom(created.headers.location)!)).adminRole).to.equal(undefined);

      // The super admin makes them an admin, then takes it back.
      expect((await submit(superAgent, `/admin/users/${target.userId}`, `/admin/users/${target.userId}`, { adminRole: 'admin' })).status).to.equal(303);
      expect((await server.portcullis.users.get(target.userId)).adminRole).to.equal('admin');
      expect((await superAgent.get(`/admin/users/${target.userId}`)).text).to.match(/<option value="admin"\s+selected>/);
      expect((await submit(superAgent, `/admin/users/${target.userId}`, `/admin/users/${target.userId}`, { adminRole: '' })).status).to.equal(303);
      expect((await server.portcullis.users.get(target.userId)).adminRole).to.equal(undefined);
    });

    it('disable and enable: the status changes, a disabled user cannot sign in', async () => {
      const target = await makeUser(server);
      let page = await superAgent.get(`/admin/users/${target.userId}`);
      expect(textOf(page.text, 'user-status')).to.equal('active');
      let res = await post(superAgent, `/admin/users/${target.userId}/disable`, { csrf_token: pageCsrf(page.text) });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/users/${target.userId}?done=disabled`);
      page = await superAgent.get(res.headers.location);
      expect(textOf(page.text, 'done')).to.match(/^User disabled/);
      expect(textOf(page.text, 'user-status')).to.equal('disabled');
      expect(page.text).to.contain('id="enable-user"');
      expect((await signInAt(server, target)).res.status).to.equal(401);
      res = await post(superAgent, `/admin/users/${target.userId}/enable`, { csrf_token: pageCsrf(page.text) });
      expect(res.status).to.equal(303);
      page = await superAgent.get(res.headers.location);
      expect(textOf(page.text, 'user-status')).to.equal('active');
      expect(page.text).to.contain('id="disable-user"');
      expect((await signInAt(server, target)).res.status).to.equal(303);
    });

    it('an admin editing a super admin is told why: a form-level error, not tied to one field, is shown', async () => {
      // An admin (not super) may not edit a super admin: nothing is tied to a field, but it must be said.
      const target = await makeUser(server, { adminRole: 'super-admin' });
      const res = await submit(adminAgent, `/admin/users/${target.userId}`, `/admin/users/${target.userId}`, { name: 'Renamed by admin' });
      expect([403, 422]).to.include(res.status);
      const message = res.status === 403 ? textOf(res.text, 'message') : textOf(res.text, 'error-form');
      expect(message, 'the reason is on the page').to.match(/only a super admin can change a super admin/);
      expect((await server.portcullis.users.get(target.userId)).name).to.equal(undefined);
    });

    it('an admin cannot disable a super admin (403 page, still active)', async () => {
      const target = await makeUser(server, { adminRole: 'super-admin' });
      const page = await adminAgent.get(`/admin/users/${target.userId}`);
      const res = await post(adminAgent, `/admin/users/${target.userId}/disable`, { csrf_token: pageCsrf(page.text) });
      expect(res.status).to.equal(403);
      expect((await server.portcullis.users.get(target.userId)).status).to.equal('active');
    });
  });

  it('the audit page lists the actions newest first, with who did them and never a secret or password', async () => {
    const id = await createAppByForm(superAgent, { name: 'Audit Trail App', type: 'service', redirectUris: '' });
    const secret = textOf((await superAgent.get(`/admin/apps/${id}`)).text, 'client-secret')!;
    await submit(superAgent, `/admin/apps/${id}`, `/admin/apps/${id}`, { name: 'Audit Trail App 2' });
    const detail = await superAgent.get(`/admin/apps/${id}`);
    await post(superAgent, `/admin/apps/${id}/deactivate`, { csrf_token: pageCsrf(detail.text) });
    const username = uniqueName('audituser');
    await submit(superAgent, '/admin/users/new', '/admin/users', { username, password: 'audited long password' });

    const res = await superAgent.get('/admin/audit');
    expect(res.status).to.equal(200);
    expectPageHeaders(res);
    const rows = [...res.text.matchAll(/<tr><td data-label="When">([^<]+)<\/td><td data-label="Who">([^<]+)<\/td><td data-label="What" title="[^"]*" data-action="([^"]+)">([^<]+)<\/td><td data-label="From">([^<]+)<\/td><\/tr>/g)]
      .map((m) => ({ when: m[1], who: unescapeHtml(m[2]), action: unescapeHtml(m[3]), words: unescapeHtml(m[4]), from: m[5] }));
    expect(rows.slice(0, 4).map((r) => r.action)).to.deep.equal(['user.create', 'app.deactivate', 'app.update', 'app.create']);
    // In words, naming the target as it was then.
    expect(rows[0].words).to.equal(`Created user ${username}`);
    expect(rows[1].words).to.equal('Deactivated app Audit Trail App 2');
    expect(rows[2].words).to.equal('Edited app Audit Trail App 2 (name)');
    for (const row of rows.slice(0, 4)) expect(row.who).to.equal(superAdmin.username);
    const whens = rows.map((r) => r.when);
    expect(whens).to.deep.equal([...whens].sort().reverse());
    expect(res.text).to.not.contain(secret);
    expect(res.text).to.not.contain('audited long password');
    expect(res.text).to.not.contain(ADMIN_PASSWORD);

    // The app's own page shows its history too.
    const history = (await superAgent.get(`/admin/apps/${id}`)).text;
    expect(history.indexOf('data-action="app.deactivate"')).to.be.below(history.indexOf('data-action="app.update"'));
    expect(history.indexOf('data-action="app.update"')).to.be.below(history.indexOf('data-action="app.create"'));
  });
});
