import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import request from 'supertest';
import { API, automationClient, makeUser, signedIn, unescapeHtml, type AutomationClient } from '../helpers/admin-session';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';
import { expectNoInternals, expectPage } from '../helpers/wire-expect';

type Res = request.Response;

/**
 * One error body across the product (docs/errors.md, "What an error response looks like"):
 * `{error, error_description, request_id}`, plus `field` where one field is at fault (and `scope`
 * for `insufficient_scope`), on every JSON surface: the issuer's endpoints, the guard and the admin
 * API; `request_id` is the `X-Request-Id` header. A page shows the same code and description.
 */
function expectErrorBody(res: Res, status: number, error: string, extra: string[] = []): Record<string, string> {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
  expect(res.headers['cache-control']).to.equal('no-store');
  const body = JSON.parse(res.text) as Record<string, string>;
  expect(Object.keys(body)).to.have.members(['error', 'error_description', 'request_id', ...extra]);
  expect(body.error).to.equal(error);
  expect(body.error_description).to.be.a('string').and.not.be.empty;
  expect(body.request_id).to.equal(res.headers['x-request-id']);
  expectNoInternals(res.text);
  return body;
}

describe('one error body on every surface: {error, error_description, field?, request_id}', () => {
  let server: TestServer;
  let bot: AutomationClient;
  before(async () => {
    server = await startTestServer();
    bot = await automationClient(server, 'super-admin');
  });
  after(() => server.close());

  describe('an issuer endpoint (RFC 6749 §5.2)', () => {
    it('a missing grant_type: 400 invalid_request, no-store and Pragma', async () => {
      const res = await request(server.app).post('/oauth2/token').type('form').send('');
      expectErrorBody(res, 400, 'invalid_request');
      expect(res.headers.pragma).to.equal('no-cache');
    });
    it('a wrong client secret: 401 invalid_client with the Basic challenge', async () => {
      const res = await request(server.app).post('/oauth2/token').auth(bot.clientId, 'wrong').type('form').send('grant_type=client_credentials');
      expectErrorBody(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.equal('Basic realm="portcullis", charset="UTF-8"');
    });
    it('another method: 405 invalid_request with Allow: POST, in the protocol body', async () => {
      for (const path of ['/oauth2/token', '/oauth2/revoke', '/oauth2/introspect']) {
        const res = await request(server.app).get(path);
        expect(expectErrorBody(res, 405, 'invalid_request').error_description).to.equal(`${path} accepts only POST`);
        expect(res.headers.allow).to.equal('POST');
        expect(res.headers['www-authenticate']).to.equal(undefined);
      }
    });
  });

  describe('a protected resource (RFC 6750 §3)', () => {
    it('the guard without a token: 401 unauthorized, a challenge without an error code', async () => {
      const res = await request(server.app).get('/echo/x');
      expectErrorBody(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
    });
    it('the guard with a token lacking the permission: 403 insufficient_scope, with scope', async () => {
      const res = await request(server.app).post('/echo/x').set('Authorization', `Bearer ${bot.token}`);
      const body = expectErrorBody(res, 403, 'insufficient_scope', ['scope']);
      expect(body.scope).to.equal('echo:write');
      expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="insufficient_scope", error_description="${body.error_description}", scope="echo:write"`);
    });
    it('userinfo with a garbage token: 401 invalid_token, the description in the challenge', async () => {
      const res = await request(server.app).get('/oauth2/userinfo').set('Authorization', 'Bearer not-a-jwt');
      const body = expectErrorBody(res, 401, 'invalid_token');
      expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="invalid_token", error_description="${body.error_description}"`);
    });
  });

  describe('the admin API: the same body (it said `message` before)', () => {
    const call = (method: 'get' | 'post' | 'patch', path: string) =>
      request(server.app)[method](`${API}${path}`).set('Authorization', `Bearer ${bot.token}`);

    it('an invalid field: 422 invalid_field naming the field in the API\'s terms', async () => {
      const res = await call('post', '/apps').send({ name: 'shape', application: 'echo', type: 'web', redirect_uris: ['http://app.example/cb'] });
      const body = expectErrorBody(res, 422, 'invalid_field', ['field']);
      expect(body.field).to.equal('redirect_uris');
      expect(res.headers.pragma).to.equal(undefined);
    });
    it('an unknown id: 404 not_found; a conflict: 409; an unknown route: 404', async () => {
      expectErrorBody(await call('get', '/apps/pcc_nope'), 404, 'not_found');
      const user = await makeUser(server);
      expectErrorBody(await call('post', '/users').send({ username: user.username, password: 'a long enough password' }), 409, 'conflict');
      expect(expectErrorBody(await call('get', '/nothing'), 404, 'not_found').error_description).to.equal('no admin API route GET /nothing');
    });
    it('no credentials: 401 unauthorized with the Bearer challenge; a bad token: invalid_token, the code in the challenge', async () => {
      const anonymous = await request(server.app).get(`${API}/apps`);
      expectErrorBody(anonymous, 401, 'unauthorized');
      expect(anonymous.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
      const garbage = await request(server.app).get(`${API}/apps`).set('Authorization', 'Bearer not-a-jwt');
      expectErrorBody(garbage, 401, 'invalid_token');
      expect(garbage.headers['www-authenticate']).to.equal('Bearer realm="portcullis", error="invalid_token"');
    });
    it('malformed bearer credentials: 400 invalid_request with the full RFC 6750 challenge', async () => {
      const res = await request(server.app).get(`${API}/apps`).set('Authorization', 'Bearer');
      const body = expectErrorBody(res, 400, 'invalid_request');
      expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="invalid_request", error_description="${body.error_description}"`);
    });
    it('no admin role: 403 forbidden; a session without its CSRF header: 403 csrf', async () => {
      const plain = await automationClient(server);
      expectErrorBody(await request(server.app).get(`${API}/apps`).set('Authorization', `Bearer ${plain.token}`), 403, 'forbidden');
      const agent = await signedIn(server, await makeUser(server, { adminRole: 'admin' }));
      expectErrorBody(await agent.post(`${API}/apps`).send({ name: 'x' }), 403, 'csrf');
    });
    it('the OpenAPI document describes this body: every error above validates against its Error schema', async () => {
      const doc = (await request(server.app).get(`${API}/openapi.json`)).body;
      const validate = new Ajv2020({ strict: false }).compile(doc.components.schemas.Error);
      for (const res of [await call('get', '/apps/pcc_nope'), await request(server.app).get(`${API}/apps`), await call('patch', '/apps/pcc_nope').send({ name: 'x' })]) {
        expect(validate(res.body), `${res.text} ${JSON.stringify(validate.errors)}`).to.equal(true);
      }
      expect(validate({ error: 'not_found', message: 'the old shape' })).to.equal(false);
    });
  });

  describe('a page: the same code and description, as HTML', () => {
    it('an issuer page (authorize with an unknown client): 400, the code and the description shown', async () => {
      const res = await request(server.app).get('/oauth2/authorize?client_id=pcc_nope&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb');
      expectPage(res, 400, 'invalid_request');
      expect(res.text).to.match(/<p id="message">[^<]+<\/p>/);
    });
    it('an admin page: a domain error is its status on the page as on the API (404 not_found)', async () => {
      const agent = await signedIn(server, await makeUser(server, { adminRole: 'admin' }));
      const page = await agent.get('/admin/apps/pcc_nope');
      expectPage(page, 404, 'not_found');
      const api = await agent.get(`${API}/apps/pcc_nope`);
      expect(expectErrorBody(api, 404, 'not_found').error_description).to.equal(unescapeHtml(/<p id="message">([^<]+)<\/p>/.exec(page.text)?.[1] ?? ''));
    });
  });
});
