import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { createApp, obtainTokens, postAs, refresh, startFlowServer, type FlowApp, type FlowUser } from '../helpers/browser-flow';
import { expectJsonError, expectNoStore } from '../helpers/wire-expect';
import { createServiceClient, ISSUER, TEST_APPLICATIONS, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7662 token introspection on the wire: the response for active tokens (§2.2), `{"active":
 * false}` and nothing else for anything not active, known and the caller's to see (§2.2, §4),
 * client authentication (§2.1), and the protocol errors (§2.3).
 */

eachStore('RFC 7662 token introspection', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let other: FlowApp;
  let user: FlowUser;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
    other = await createApp(server);
  });
  afterEach(() => server.close());

  const tokens = () => obtainTokens(server, { app: web, user, params: { scope: 'echo:read openid offline_access' } });

  /** POST /oauth2/introspect as `app`; asserts a 200 no-store JSON answer and returns its body. */
  async function introspect(app: FlowApp, token: string, hint?: string): Promise<Record<string, unknown>> {
    const res = await postAs(server, '/oauth2/introspect', app, { token, token_type_hint: hint });
    expect(res.status, res.text).to.equal(200);
    expectNoStore(res);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    return res.body;
  }

  const inactive = { active: false };

  it('§2.2 an access token: active, with client_id, sub, scope, exp, iat, token_type and more', async () => {
    const { access_token: token } = await tokens();
    const claims = decodeJwt(token);
    expect(await introspect(web, token)).to.deep.equal({
      active: true,
      token_type: 'Bearer',
      client_id: web.clientId,
      sub: user.userId,
      scope: 'echo:read openid offline_access',
      exp: claims.exp,
      iat: claims.iat,
      iss: ISSUER,
      aud: TEST_APPLICATIONS.echo.audience,
      jti: claims.jti,
      roles: ['echo-reader'],
    });
  });

  it('a resource server (service client) may introspect an access token of another client', async () => {
    const { access_token: token } = await tokens();
    const { clientId, clientSecret } = await createServiceClient(server);
    const rs: FlowApp = { clientId, clientSecret, name: 'rs', type: 'web', redirectUri: '' };
    expect(await introspect(rs, token)).to.include({ active: true, client_id: web.clientId });
  });

  it('a revoked access token: active false and nothing else', async () => {
    const { access_token: token } = await tokens();
    expect((await postAs(server, '/oauth2/revoke', web, { token })).status).to.equal(200);
    expect(await introspect(web, token)).to.deep.equal(inactive);
  });

  it('an expired access token: active false', async () => {
    const { access_token: token } = await tokens();
    server.now.ms += 3601_000;
    expect(await introspect(web, token)).to.deep.equal(inactive);
  });

  it('a token minted by an instance whose clock runs 10 s ahead is active here; one 40 s ahead is not (iat in the future)', async () => {
    server.now.ms += 10_000; // the issuing instance's clock
    const { access_token: ahead } = await tokens();
    server.now.ms -= 10_000; // this instance's clock
    expect(await introspect(web, ahead)).to.include({ active: true });
    server.now.ms += 40_000;
    const { access_token: farAhead } = await tokens();
    server.now.ms -= 40_000;
    expect(await introspect(web, farAhead)).to.deep.equal(inactive);
  });

  it('an access token of a deactivated client: active false', async () => {
    const { access_token: token } = await tokens();
    await server.portcullis.access.deactivateClient(web.clientId);
    expect(await introspect(other, token)).to.deep.equal(inactive);
  });

  it('garbage of every shape: active false', async () => {
    for (const token of ['garbage', 'pcr_garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'x'.repeat(8000)]) {
      expect(await introspect(web, token)).to.deep.equal(inactive);
    }
  });

  it('a refresh token, asked by its own client: active with token_type refresh_token', async () => {
    const { refresh_token: token } = await tokens();
    const body = await introspect(web, token, 'refresh_token');
    expect(body).to.deep.equal({
      active: true,
      token_type: 'refresh_token',
      client_id: web.clientId,
      sub: user.userId,
      scope: 'echo:read openid offline_access',
      exp: Math.floor(server.now.ms / 1000) + 90 * 24 * 3600,
    });
  });

  it('a refresh token, asked by another client: active false', async () => {
    const { refresh_token: token } = await tokens();
    expect(await introspect(other, token)).to.deep.equal(inactive);
  });

  it('a rotated-out or revoked refresh token: active false', async () => {
    const first = await tokens();
    const second = (await refresh(server, web, first.refresh_token)).body;
    expect(await introspect(web, first.refresh_token)).to.deep.equal(inactive);
    expect((await postAs(server, '/oauth2/revoke', web, { token: second.refresh_token })).status).to.equal(200);
    expect(await introspect(web, second.refresh_token)).to.deep.equal(inactive);
  });

  it('§2.1 a public client (no secret) may not introspect: 401 invalid_client', async () => {
    const pub = await createApp(server, { type: 'public' });
    const { access_token: token } = await tokens();
    expectJsonError(await postAs(server, '/oauth2/introspect', pub, { token }, 'none'), 401, 'invalid_client');
  });

  it('bad or missing client authentication: 401 invalid_client', async () => {
    const { access_token: token } = await tokens();
    expectJsonError(await postAs(server, '/oauth2/introspect', { ...web, clientSecret: 'wrong' }, { token }), 401, 'invalid_client');
    expectJsonError(await request(server.app).post('/oauth2/introspect').type('form').send({ token }), 401, 'invalid_client');
  });

  it('§2.3 a missing token parameter: 400 invalid_request; GET: 405', async () => {
    expectJsonError(await postAs(server, '/oauth2/introspect', web, {}), 400, 'invalid_request');
    const res = await request(server.app).get('/oauth2/introspect');
    expectJsonError(res, 405, 'invalid_request');
    expect(res.headers.allow).to.equal('POST');
  });
});
