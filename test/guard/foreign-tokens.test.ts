import { expect } from 'chai';
import request from 'supertest';
import { FakeIssuer } from '../helpers/fake-issuer';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { createServiceClient, startTestServer, TEST_APPLICATIONS, testSettings, type TestServer } from '../helpers/test-portcullis';

const ECHO_AUD = TEST_APPLICATIONS.echo.audience;

/**
 * The guard in front of other issuers (issue 9 parts 1, 3 and 8): a real Portcullis runtime as
 * plain Express middleware, and a real issuer of the test's own on 127.0.0.1 signing Keycloak-,
 * Auth0- and Entra-shaped tokens. `echo` accepts Keycloak (roles from `realm_access.roles`) and
 * Auth0 (scopes as permissions, one pinned client); `billing` accepts no other issuer.
 */
describe('guard: tokens of trusted issuers', () => {
  let keycloak: FakeIssuer;
  let auth0: FakeIssuer;
  let server: TestServer;

  const get = (path: string, token: string) => request(server.app).get(path).set('Authorization', `Bearer ${token}`);
  /** A Keycloak access token: `typ` header `JWT`, `azp`, realm roles, `scope` of OIDC scopes. */
  const keycloakToken = (claims: Record<string, unknown> = {}, options = {}) =>
    keycloak.sign({ sub: 'user-1', azp: 'orders-web', aud: [ECHO_AUD, 'account'], typ: 'Bearer', scope: 'openid profile', realm_access: { roles: ['echo-reader', 'offline_access'] }, ...claims }, { typ: 'JWT', ...options });
  const auth0Token = (claims: Record<string, unknown> = {}) =>
    auth0.sign({ sub: 'auth0|42', azp: 'auth0-client', aud: [ECHO_AUD, `${auth0.issuer}userinfo`], scope: 'openid echo:read', 'https://example.com/roles': ['admin'], ...claims }, { typ: 'at+jwt' });

  beforeEach(async () => {
    keycloak = await FakeIssuer.start('/realms/acme');
    auth0 = await FakeIssuer.start('', { trailingSlash: true });
    const settings = testSettings({
      trustedIssuers: [
        { issuer: keycloak.issuer, requireTyp: false, claims: { roles: 'realm_access.roles' }, keys: { refetchIntervalSeconds: 1, cacheSeconds: 60, maxStaleSeconds: 60, timeoutMs: 300 } },
        { issuer: auth0.issuer, permissions: 'scopes' },
      ],
      applications: { ...TEST_APPLICATIONS, echo: { ...TEST_APPLICATIONS.echo, trustedIssuers: [keycloak.issuer, auth0.issuer], allowedClientIds: ['orders-web', 'auth0-client'] } },
    });
    server = await startTestServer({ settings });
    await server.portcullis.trustedIssuers.start();
  });
  afterEach(async () => {
    await server.close();
    await keycloak.close();
    await auth0.close();
  });

  it('fetches every issuer\'s keys at start, and /readyz says so', async () => {
    expect(keycloak.jwksFetches).to.equal(1);
    expect(auth0.jwksFetches).to.equal(1);
    const report = await server.portcullis.readiness.report();
    expect(report.checks.trustedIssuers).to.equal('ok');
  });

  it('Keycloak: roles from realm_access.roles become the application\'s permissions, and identity headers go upstream', async () => {
    const res = await get('/echo/orders', await keycloakToken());
    expect(res.status, res.text).to.equal(200);
    expect(res.body.identity).to.include({
      'x-portcullis-client-id': 'orders-web',
      'x-portcullis-subject': 'user-1',
      'x-portcullis-roles': 'echo-reader,offline_access',
      'x-portcullis-permissions': 'echo:read',
    });
    const write = await request(server.app).post('/echo/orders').set('Authorization', `Bearer ${await keycloakToken()}`);
    expect(write.status).to.equal(403);
    expect(write.body.error_description).to.equal('this request needs the echo:write permission');
  });

  it('Auth0 (an issuer ending in /): scopes used as permissions directly (the namespaced roles claim is not read without claims.roles)', async () => {
    const res = await get('/echo/x', await auth0Token());
    expect(res.status, res.text).to.equal(200);
    expect(res.body.identity['x-portcullis-permissions']).to.equal('echo:read');
    const none = await get('/echo/x', await auth0Token({ scope: 'openid' }));
    expect(none.status).to.equal(403);
  });

  it('aud must be the application\'s audience', async () => {
    expectInvalidToken(await get('/echo/x', await keycloakToken({ aud: 'account' })), /for another application/);
  });

  it('an application accepts only the issuers it names: billing refuses a Keycloak token as not its issuer\'s', async () => {
    const token = await keycloakToken({ aud: TEST_APPLICATIONS.billing.audience });
    expectInvalidToken(await get('/billing/x', token), /not signed by a key of this issuer/);
  });

  it('ops may pin the client ids (azp / client_id)', async () => {
    expectInvalidToken(await get('/echo/x', await keycloakToken({ azp: 'someone-else' })), /client of this access token is not allowed/);
  });

  it('an ID token never passes as an access token, even where typ is not required', async () => {
    // A Keycloak ID token: typ JWT, aud the API (ops set it so by mistake), a nonce, no scope.
    expectInvalidToken(await get('/echo/x', await keycloakToken({ nonce: 'n-1' })), /not an access token \(it carries nonce/);
    expectInvalidToken(await get('/echo/x', await keycloakToken({ typ: 'ID' })), /not an access token \(its typ claim is ID/);
    expectInvalidToken(await get('/echo/x', await keycloakToken({ at_hash: 'abc' })), /not an access token/);
    expectInvalidToken(await get('/echo/x', await keycloakToken({ scope: undefined, typ: undefined })), /carries none of scope, scp, client_id/);
    // Where typ is required (Auth0 here), typ JWT alone is refused.
    const jwtTyp = await auth0.sign({ sub: 's', azp: 'auth0-client', aud: ECHO_AUD, scope: 'echo:read' }, { typ: 'JWT' });
    expectInvalidToken(await get('/echo/x', jwtTyp), /typ must be at\+jwt/);
  });

  it('refuses an expired token, a wrong iss, a token living longer than maxTokenLifetime, a token without sub', async () => {
    expectInvalidToken(await get('/echo/x', await keycloakToken({ exp: Math.floor(Date.now() / 1000) - 120 })), /expired/);
    expectInvalidToken(await get('/echo/x', await keycloakToken({}, { ttl: 86_401 })), /lives longer/);
    expectInvalidToken(await get('/echo/x', await keycloakToken({ sub: undefined })), /sub/);
    const forged = await auth0.sign({ iss: keycloak.issuer, sub: 's', azp: 'orders-web', aud: ECHO_AUD, scope: 'x' });
    expectInvalidToken(await get('/echo/x', forged), /not signed by a key its issuer publishes/);
  });

  it('key rotation at the issuer works without restart; a retired key stops working once the set is re-read', async () => {
    const before = await keycloakToken();
    expect((await get('/echo/x', before)).status).to.equal(200);
    const old = keycloak.kid;
    await keycloak.rotate();
    server.now.ms += 1_000;
    expect((await get('/echo/x', await keycloakToken())).status, 'a new kid is fetched').to.equal(200);
    keycloak.retire(old);
    server.now.ms += 60_000;
    expectInvalidToken(await get('/echo/x', before), /no longer published|not signed by a key/);
  });

  it('while the JWKS endpoint is down: the last good keys serve for maxStaleSeconds, then 503', async () => {
    const token = await keycloakToken({}, { ttl: 3_600 });
    keycloak.jwksMode = 'down';
    server.now.ms += 60_000 + 30_000;
    expect((await get('/echo/x', token)).status).to.equal(200);
    server.now.ms += 31_000;
    const res = await get('/echo/x', token);
    expect(res.status, res.text).to.equal(503);
    expect(res.body.error).to.equal('temporarily_unavailable');
  });

  it('a slow JWKS endpoint stalls no request beyond keys.timeoutMs', async () => {
    await keycloak.rotate();
    keycloak.jwksMode = 'slow';
    server.now.ms += 1_000;
    const started = Date.now();
    // A new kid while the endpoint hangs: the one refetch gives up at the timeout, and the kid is unknown.
    expectInvalidToken(await get('/echo/x', await keycloakToken()), /not signed by a key its issuer publishes/);
    expect(Date.now() - started).to.be.lessThan(1_500);
  });

  it('a flood of random kids through the guard costs one JWKS fetch per interval', async () => {
    server.now.ms += 1_000;
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => keycloak.signWithUnknownKey({ sub: 's', azp: 'orders-web', aud: ECHO_AUD, scope: 'x' }, `rnd-${i}`)));
    const answers = await Promise.all(tokens.map((t) => get('/echo/x', t)));
    expect(answers.every((r) => r.status === 401)).to.equal(true);
    expect(keycloak.jwksFetches).to.equal(2);
  });

  it('Portcullis\'s own tokens keep working at an application that trusts other issuers', async () => {
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' });
    const res = await get('/echo/x', token.body.access_token);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.identity['x-portcullis-client-id']).to.equal(clientId);
  });

  it('portcullis explain: a trusted issuer\'s token is reported by that issuer\'s check, and agrees with the guard', async () => {
    const guard = server.portcullis.guard({ application: 'echo' });
    const allowed = await guard.explain({ token: await keycloakToken(), method: 'GET', path: '/echo/orders' });
    expect(allowed.steps.map((s) => s.check)).to.deep.equal(['route', 'issuer']);
    expect(allowed.result).to.equal('allowed');
    expect(allowed.guard).to.deep.equal({ result: 'allowed' });
    expect(allowed.steps[1].reason).to.include(keycloak.issuer).and.include('client orders-web').and.include('echo:read');
    const refused = await guard.explain({ token: await keycloakToken({ azp: 'someone-else' }), method: 'GET', path: '/echo/orders' });
    expect(refused.result).to.equal('refused');
    expect(refused.steps[1]).to.include({ result: 'fail', code: 'wrong_application' });
    expect(refused.guard).to.include({ result: 'refused', reason: 'wrong_application' });
  });

  it('a trusted issuer\'s token must be canonical compact JWS too (RFC 7515 §2), as Portcullis\'s own', async () => {
    const res = await get('/echo/orders', `${await keycloakToken()}=`);
    expectInvalidToken(res, /^the access token is malformed \(only unpadded base64url is allowed\)$/);
  });
});
