import { expect } from 'chai';
import request from 'supertest';
import type { Client } from '../../src/clients/client';
import { API, makeUser, pageCsrf, signedIn } from '../helpers/admin-session';
import { authorizeParams, createApp, query, startFlowServer, type Agent, type FlowApp } from '../helpers/browser-flow';
import { gatewayEnv, runCli } from '../helpers/gateway-process';
import type { TestServer } from '../helpers/test-portcullis';
import { expectPage } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 §3.1.2: a redirection endpoint URI is an absolute URI (RFC 3986 §4.3), and RFC 3986 §2
 * lists its characters: unreserved, reserved and `%` HEX HEX. A space, a tab, a line break, a
 * control character, a non-ASCII character or one of `<>"{}|\^\`` is not part of a URI (WHATWG's
 * `new URL()` silently strips some of them). One validator refuses them at registration (admin API,
 * admin pages, CLI; also CORS origins), and the authorization and logout endpoints refuse such a
 * `redirect_uri` even when a client stored one before this check existed.
 */

const GOOD = 'https://app.example/cb';
const BAD: Record<string, string> = {
  'an inner space': 'https://app.example/c b',
  'a leading space': ` ${GOOD}`,
  'a trailing space': `${GOOD} `,
  'a tab': `https://app.example/c\tb`,
  'a trailing tab': `${GOOD}\t`,
  'a line feed': `${GOOD}\n`,
  'a carriage return': `https://app.example/c\rb`,
  'a NUL': 'https://app.example/c\u0000b',
  'a control character': 'https://app.example/c\u001bb',
  'a non-ASCII character': 'https://app.example/caf\u00e9',
  'a less-than sign': 'https://app.example/cb?x=<script>',
  'a double quote': 'https://app.example/c"b',
  'a backslash': 'https://app.example/c\\b',
  'a brace': 'https://app.example/c{b}',
  'a pipe': 'https://app.example/c|b',
  'a caret': 'https://app.example/c^b',
  'a backtick': 'https://app.example/c`b',
  'a broken percent escape': 'https://app.example/c%zzb',
};
/** What a message may contain: printable ASCII only (no control character echoed). */
const PRINTABLE = /^[\x20-\x7e]+$/;

function expectNamedProblem(message: string, value: string): void {
  expect(message).to.match(PRINTABLE);
  expect(message).to.match(/redirect URI|origin/);
  if (/[^\x21-\x7e]/.test(value)) expect(message).to.not.include(value);
}

eachStore('RFC 3986 §2 / RFC 6749 §3.1.2: a redirect URI holds only URI characters', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let agent: Agent;
  let csrf: string;

  before(async () => {
    ({ server, web } = await startFlowServer({ store: backend }));
    agent = await signedIn(server, await makeUser(server, { adminRole: 'super-admin' }));
    csrf = (await agent.get(`${API}/session`)).body.csrf_token;
  });
  after(() => server.close());

  describe('admin API', () => {
    for (const [label, uri] of Object.entries(BAD)) {
      it(`POST /apps with ${label} -> 422 invalid_field redirect_uris`, async () => {
        const res = await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ name: 'Bad URI app', application: 'echo', type: 'web', redirect_uris: [uri] });
        expect(res.status, res.text).to.equal(422);
        expect(res.body).to.include({ error: 'invalid_field', field: 'redirect_uris' });
        expectNamedProblem(res.body.error_description, uri);
      });
    }

    it('PATCH /apps/{id} with a trailing space -> 422; the stored list is unchanged', async () => {
      const res = await agent.patch(`${API}/apps/${web.clientId}`).set('X-CSRF-Token', csrf).send({ redirect_uris: [`${web.redirectUri} `] });
      expect(res.status, res.text).to.equal(422);
      expect(res.body.field).to.equal('redirect_uris');
      expect((await server.portcullis.clients.find(web.clientId))!.redirectUris).to.deep.equal([web.redirectUri]);
    });

    for (const origin of ['https://app.example ', ' https://app.example', 'https://app.example\t', 'https://app.ex ample']) {
      it(`allowed_origins with ${JSON.stringify(origin)} -> 422 invalid_field allowed_origins`, async () => {
        const res = await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ name: 'Bad origin app', application: 'echo', type: 'web', redirect_uris: [GOOD], allowed_origins: [origin] });
        expect(res.status, res.text).to.equal(422);
        expect(res.body).to.include({ error: 'invalid_field', field: 'allowed_origins' });
        expectNamedProblem(res.body.error_description, origin);
      });
    }

    it('a clean URI is still accepted as typed', async () => {
      const res = await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ name: 'Good app', application: 'echo', type: 'web', redirect_uris: ['https://app.example/cb?tenant=a%20b&x=(1)'] });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.redirect_uris).to.deep.equal(['https://app.example/cb?tenant=a%20b&x=(1)']);
    });
  });

  describe('admin pages', () => {
    for (const [label, uri] of Object.entries(BAD).filter(([, u]) => !/[\r\n]/.test(u))) {
      it(`the Create App form with ${label} -> 422 page naming the redirect URI field`, async () => {
        const page = await agent.get('/admin/apps/new');
        const res = await agent.post('/admin/apps').type('form').send(query({ csrf_token: pageCsrf(page.text), name: 'Page app', type: 'web', application: 'echo', redirectUris: `https://app.example/other\n${uri}` }));
        expect(res.status, res.text).to.equal(422);
        expect(res.text).to.match(/id="error-redirectUris"/);
      });
    }
  });

  describe('authorization and logout endpoints, with a URI stored before this check', () => {
    let legacy: Client;
    let single: Client;
    /** Writes redirect URIs straight into the store, as a client registered before the fix has them. */
    async function storeLegacy(app: FlowApp, uris: string[]): Promise<Client> {
      const stored = (await server.portcullis.store.get<Client>('clients', app.clientId))!.value;
      const client = { ...stored, redirectUris: uris };
      await server.portcullis.store.put('clients', app.clientId, client, { indexes: { application: client.application } });
      return client;
    }
    before(async () => {
      legacy = await storeLegacy(await createApp(server), [`${GOOD} `, `https://app.example/c\tb`, 'https://app.example/c b', GOOD]);
      single = await storeLegacy(await createApp(server), [`${GOOD}\t`]);
    });

    for (const uri of [`${GOOD} `, 'https://app.example/c\tb', 'https://app.example/c b']) {
      it(`authorize with redirect_uri=${JSON.stringify(uri)} that is stored -> 400 page, no redirect`, async () => {
        const res = await request(server.app).get(`/oauth2/authorize?${query({ ...authorizeParams({ clientId: legacy.clientId } as FlowApp), redirect_uri: uri })}`);
        expectPage(res, 400, 'invalid_request');
        expect(res.text).to.include('redirect_uri');
      });

      it(`logout with post_logout_redirect_uri=${JSON.stringify(uri)} that is stored -> 400 page`, async () => {
        const res = await request(server.app).get(`/logout?${query({ client_id: legacy.clientId, post_logout_redirect_uri: uri })}`);
        expectPage(res, 400, 'invalid_request');
      });
    }

    it('authorize without redirect_uri when the only stored one is malformed -> 400 page', async () => {
      const res = await request(server.app).get(`/oauth2/authorize?${query({ ...authorizeParams({ clientId: single.clientId } as FlowApp), redirect_uri: undefined })}`);
      expectPage(res, 400, 'invalid_request');
    });

    it('the clean URI of the same client still works', async () => {
      const res = await request(server.app).get(`/oauth2/authorize?${query({ ...authorizeParams({ clientId: legacy.clientId } as FlowApp), redirect_uri: GOOD })}`);
      expect(res.status, res.text).to.equal(303);
      expect(res.headers.location).to.match(/^\/login\?/);
    });
  });
});

// The CLI validates before it writes; it runs on a SQLite file here, once: its store is not what is under test.
describe('RFC 3986 §2 / RFC 6749 §3.1.2: a redirect URI holds only URI characters: CLI', function () {
  this.timeout(60_000);
  let env: NodeJS.ProcessEnv;
  before(async () => {
    env = await gatewayEnv();
  });
  for (const [label, uri] of Object.entries(BAD).filter(([, u]) => !u.includes('\u0000'))) {
    it(`apps create --redirect-uri with ${label} -> exit 1, invalid_field redirectUris`, async () => {
      const run = await runCli(['apps', 'create', '--name', 'cli app', '--application', 'echo', '--type', 'web', '--redirect-uri', uri, '--json'], env);
      expect(run.code, run.stdout).to.equal(1);
      expect(run.stdout).to.equal('');
      const error = JSON.parse(run.stderr.trim()) as { error: string; field: string; message: string };
      expect(error).to.include({ error: 'invalid_field', field: 'redirectUris' });
      expectNamedProblem(error.message, uri);
    });
  }

  it('apps update --redirect-uri with a trailing tab -> exit 1, invalid_field redirectUris; the app keeps its list', async () => {
    const created = JSON.parse((await runCli(['apps', 'create', '--name', 'cli app', '--application', 'echo', '--type', 'web', '--redirect-uri', GOOD, '--json'], env)).stdout) as { client_id: string };
    const run = await runCli(['apps', 'update', created.client_id, '--redirect-uri', `${GOOD}\t`, '--json'], env);
    expect(run.code).to.equal(1);
    expect(JSON.parse(run.stderr.trim())).to.include({ error: 'invalid_field', field: 'redirectUris' });
    const shown = JSON.parse((await runCli(['apps', 'show', created.client_id, '--json'], env)).stdout) as { redirect_uris: string[] };
    expect(shown.redirect_uris).to.deep.equal([GOOD]);
  });
});
