import { expect } from 'chai';
import request from 'supertest';
import {
  createApp,
  echoStatus,
  obtainTokens,
  postAs,
  refresh,
  refusedWithinASecond,
  startFlowServer,
  type ClientAuth,
  type FlowApp,
  type FlowUser,
} from '../helpers/browser-flow';
import { expectJsonError } from '../helpers/wire-expect';
import type { TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7009 token revocation on the wire: revoking refresh tokens (§2.1: with the grant's access
 * tokens) and access tokens, the 200 for tokens that are unknown or not the caller's (§2.2), the
 * error responses (§2.2.1, RFC 6749 §5.2), and POST only.
 */

eachStore('RFC 7009 token revocation', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let other: FlowApp;
  let user: FlowUser;

  before(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
    other = await createApp(server);
  });
  after(() => server.close());

  const tokens = (app = web) => obtainTokens(server, { app, user });
  const revoke = (app: FlowApp, form: Record<string, string | undefined>, auth?: ClientAuth) => postAs(server, '/oauth2/revoke', app, form, auth);

  /** §2.2: 200, empty body, not cached. */
  function expectRevoked(res: request.Response): void {
    expect(res.status, res.text).to.equal(200);
    expect(res.text).to.equal('');
    expect(res.headers['cache-control']).to.equal('no-store');
  }

  it('§2.1 a refresh token: it stops working and its access token is refused at the guard within a second', async () => {
    const { access_token: access, refresh_token: token } = await tokens();
    expect(await echoStatus(server, access)).to.equal(200);
    expectRevoked(await revoke(web, { token, token_type_hint: 'refresh_token' }));
    expectJsonError(await refresh(server, web, token), 400, 'invalid_grant');
    await refusedWithinASecond(server, access);
  });

  it('a refresh token after rotation: the whole family goes, including the newest tokens', async () => {
    const first = await tokens();
    const second = (await refresh(server, web, first.refresh_token)).body;
    expectRevoked(await revoke(web, { token: second.refresh_token }));
    await refusedWithinASecond(server, second.access_token);
    await refusedWithinASecond(server, first.access_token);
  });

  it('an access token: the guard refuses it within a second; the refresh token keeps working', async () => {
    const { access_token: token, refresh_token: refreshToken } = await tokens();
    expect(await echoStatus(server, token)).to.equal(200);
    expectRevoked(await revoke(web, { token, token_type_hint: 'access_token' }));
    await refusedWithinASecond(server, token);
    expect((await refresh(server, web, refreshToken)).status).to.equal(200);
  });

  it('a wrong token_type_hint only changes the lookup order (§2.1)', async () => {
    const { access_token: access, refresh_token: refreshToken } = await tokens();
    expectRevoked(await revoke(web, { token: refreshToken, token_type_hint: 'access_token' }));
    expectJsonError(await refresh(server, web, refreshToken), 400, 'invalid_grant');
    await refusedWithinASecond(server, access);
  });

  it('client_secret_post and a public client (client_id only) may revoke their own tokens', async () => {
    const own = await tokens();
    expectRevoked(await revoke(web, { token: own.refresh_token }, 'post'));
    expectJsonError(await refresh(server, web, own.refresh_token), 400, 'invalid_grant');

    const pub = await createApp(server, { type: 'public' });
    const theirs = await tokens(pub);
    expectRevoked(await revoke(pub, { token: theirs.refresh_token }, 'none'));
    expectJsonError(await refresh(server, pub, theirs.refresh_token), 400, 'invalid_grant');
  });

  it('§2.2 an unknown, garbage or already revoked token: 200', async () => {
    const { refresh_token: token } = await tokens();
    expectRevoked(await revoke(web, { token }));
    for (const value of [token, 'pcr_unknown', 'not-a-token', 'a.b.c']) expectRevoked(await revoke(web, { token: value }));
  });

  it("§2.2 another client's tokens: 200, and both tokens stay valid", async () => {
    const { access_token: access, refresh_token: refreshToken } = await tokens();
    expectRevoked(await revoke(other, { token: refreshToken }));
    expectRevoked(await revoke(other, { token: access }));
    // Past cacheMs on the product's clock: the guard has read the store again, still not revoked.
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expect(await echoStatus(server, access)).to.equal(200);
    expect((await refresh(server, web, refreshToken)).status).to.equal(200);
  });

  it('§2.2.1 a missing token parameter: 400 invalid_request', async () => {
    expectJsonError(await revoke(web, {}), 400, 'invalid_request');
    expectJsonError(await revoke(web, { token: '' }), 400, 'invalid_request');
  });

  it('bad client authentication: 401 invalid_client, and nothing is revoked', async () => {
    const { refresh_token: token } = await tokens();
    expectJsonError(await revoke({ ...web, clientSecret: 'wrong' }, { token }), 401, 'invalid_client');
    expectJsonError(await revoke(web, { token }, 'none'), 401, 'invalid_client');
    expectJsonError(await request(server.app).post('/oauth2/revoke').type('form').send({ token }), 401, 'invalid_client');
    expect((await refresh(server, web, token)).status).to.equal(200);
  });

  it('GET (and other methods): 405 with Allow: POST', async () => {
    for (const method of ['get', 'put', 'delete'] as const) {
      const res = await request(server.app)[method]('/oauth2/revoke');
      expectJsonError(res, 405, 'invalid_request');
      expect(res.headers.allow).to.equal('POST');
    }
  });
});
