import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { clientCredentialsToken } from '../helpers/admin-session';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7009 §2: once revoked, a token is refused for as long as it would otherwise be accepted.
 * A guard accepts a token until `exp` plus its `leeway` (up to 300 s), so the revocation must be
 * remembered at least that long: a revocation forgotten at `exp` let the token back in.
 */
eachStore('RFC 7009 §2: a revocation outlives the token, leeway included', (backend) => {
  let server: TestServer;
  afterEach(() => server.close());

  it('a token revoked at /oauth2/revoke stays refused by a guard with leeway 300 after exp, within the leeway', async () => {
    server = await startTestServer({ store: backend, guard: { leeway: 300 } });
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = await clientCredentialsToken(server, clientId, clientSecret);
    const guard = () => request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);
    expect((await guard()).status, 'verified and cached').to.equal(200);

    const revoked = await request(server.app).post('/oauth2/revoke').auth(clientId, clientSecret).type('form').send({ token });
    expect(revoked.status, revoked.text).to.equal(200);

    // Past exp, inside the guard's leeway: the token's signature and lifetime still pass here, and
    // the guard has not read the revocation yet (no remembered answer to hide a forgotten record).
    server.now.ms = (decodeJwt(token).exp! + 100) * 1000;
    expectInvalidToken(await guard(), /^the access token was revoked$/);
  });

  it('a token past exp but inside a guard\'s leeway can still be revoked, and the guard then refuses it', async () => {
    server = await startTestServer({ store: backend, guard: { leeway: 300 } });
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = await clientCredentialsToken(server, clientId, clientSecret);
    const guard = () => request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);

    server.now.ms = (decodeJwt(token).exp! + 100) * 1000;
    expect((await guard()).status, 'expired, but inside this guard\'s leeway').to.equal(200);
    const revoked = await request(server.app).post('/oauth2/revoke').auth(clientId, clientSecret).type('form').send({ token });
    expect(revoked.status, revoked.text).to.equal(200);
    expectInvalidToken(await guard(), /^the access token was revoked$/);
    // Introspection keeps RFC 7662 §2.2: a token past exp is not active.
    const introspected = await request(server.app).post('/oauth2/introspect').auth(clientId, clientSecret).type('form').send({ token });
    expect(introspected.body).to.deep.equal({ active: false });
  });
});
