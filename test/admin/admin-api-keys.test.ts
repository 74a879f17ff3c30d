import { expect } from 'chai';
import request from 'supertest';
import { API, apiSession, makeUser, type ApiSession } from '../helpers/admin-session';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * API keys over the admin REST API, against a guard that requires them: issued with the
 * credentials, shown once, rotated (the old key refused at once), revoked, refused for public
 * apps, and audited without ever recording the key.
 */
describe('admin API: API keys', () => {
  let server: TestServer;
  let admin: ApiSession;
  before(async () => {
    server = await startTestServer({ guard: { apiKey: 'required' } });
    admin = await apiSession(server, await makeUser(server, { adminRole: 'admin' }));
  });
  after(() => server.close());

  const post = (path: string, body: object = {}) => admin.agent.post(`${API}${path}`).set('X-CSRF-Token', admin.csrf).send(body);
  const get = (path: string) => admin.agent.get(`${API}${path}`);

  async function tokenOf(app: { client_id: string; client_secret: string }): Promise<string> {
    const res = await request(server.app).post('/oauth2/token').auth(app.client_id, app.client_secret).type('form').send('grant_type=client_credentials');
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  }
  const echo = (token: string, apiKey?: string) => {
    const req = request(server.app).get('/echo/items').set('Authorization', `Bearer ${token}`);
    return apiKey === undefined ? req : req.set('X-API-Key', apiKey);
  };

  it('issues a key with the credentials, rotates and revokes it; the guard follows within cacheMs', async () => {
    const created = await post('/apps', { name: 'Partner feed', application: 'echo', type: 'service', roles: ['echo-reader'], api_key: true });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.api_key).to.match(/^pck_[A-Za-z0-9_-]{43}$/);
    const id = created.body.client_id as string;
    const token = await tokenOf(created.body);
    const first = created.body.api_key as string;
    expect((await echo(token, first)).status).to.equal(200);

    // Shown once: reading the app or its key never shows it again.
    const shown = await get(`/apps/${id}/api-key`);
    expect(shown.status).to.equal(200);
    expect(Object.keys(shown.body.api_key)).to.deep.equal(['issued_at']);
    expect((await get(`/apps/${id}`)).text).to.not.include(first);
    expect((await get('/apps')).text).to.not.include(first);

    const rotated = await post(`/apps/${id}/api-key`);
    expect(rotated.status, rotated.text).to.equal(200);
    const second = rotated.body.api_key.api_key as string;
    expect(second).to.not.equal(first);
    // Like disabling a client: every guard sees it within cacheMs (docs/ops-guide.md).
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expectInvalidToken(await echo(token, first), /revoked or replaced/);
    expect((await echo(token, second)).status).to.equal(200);

    const revoked = await post(`/apps/${id}/api-key/revoke`);
    expect(revoked.body).to.deep.equal({ client_id: id, api_key: null });
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expectInvalidToken(await echo(token, second), /revoked or replaced/);
    expect((await get(`/apps/${id}/api-key`)).body).to.deep.equal({ api_key: null });
    const again = await post(`/apps/${id}/api-key/revoke`);
    expect(again.status).to.equal(409);
    expect(again.body.error).to.equal('conflict');

    const audit = await get(`/audit?app=${id}`);
    expect(audit.body.map((e: { action: string }) => e.action)).to.deep.equal(['app.api-key.revoke', 'app.api-key.rotate', 'app.api-key.issue', 'app.create']);
    for (const key of [first, second]) expect(audit.text).to.not.include(key);
  });

  it('an app without a key gets one by POST; a public app never does', async () => {
    const created = await post('/apps', { name: 'Plain', application: 'echo', type: 'service', roles: ['echo-reader'] });
    expect(created.body).to.not.have.property('api_key');
    const token = await tokenOf(created.body);
    expectInvalidToken(await echo(token), /requires the client's API key/);
    const issued = await post(`/apps/${created.body.client_id}/api-key`);
    expect((await echo(token, issued.body.api_key.api_key)).status).to.equal(200);

    const spa = await post('/apps', { name: 'SPA', application: 'echo', type: 'public', redirect_uris: ['http://127.0.0.1/cb'], api_key: true });
    expect(spa.status, spa.text).to.equal(422);
    expect(spa.body).to.include({ error: 'invalid_field', field: 'type' });
    const pub = await post('/apps', { name: 'SPA', application: 'echo', type: 'public', redirect_uris: ['http://127.0.0.1/cb'] });
    const refused = await post(`/apps/${pub.body.client_id}/api-key`);
    expect(refused.status).to.equal(422);
    expect(refused.body.error_description).to.equal('a public client cannot keep an API key secret');
    expect((await post('/apps', { name: 'x', application: 'echo', type: 'service', api_key: 'yes' })).body).to.include({ field: 'api_key' });
  });

  it('the OpenAPI document lists the key routes and the api_key field', async () => {
    const doc = (await request(server.app).get(`${API}/openapi.json`)).body;
    expect(doc.paths['/apps/{id}/api-key']).to.have.keys('get', 'post');
    expect(doc.paths['/apps/{id}/api-key/revoke']).to.have.keys('post');
    expect(doc.paths['/apps/{id}/api-key/revoke'].post.operationId).to.equal('postAppsIdApiKeyRevoke');
    expect(doc.paths['/apps'].post.requestBody.content['application/json'].schema.properties.api_key.type).to.equal('boolean');
  });
});
