import { expect } from 'chai';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { ISSUER, TEST_APPLICATIONS, createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 9068 (JWT profile for OAuth 2.0 access tokens) on the wire: the header (§2.1), the claims
 * (§2.2, §2.2.3.1 roles), and that a resource server can validate the token from the JWKS (§4).
 */

const ECHO_AUDIENCE = TEST_APPLICATIONS.echo.audience;

/** Obtains an access token for a fresh echo client through the token endpoint (client_secret_basic). */
async function issueToken(server: TestServer, roles = ['echo-reader'], scope?: string) {
  const { clientId, clientSecret } = await createServiceClient(server, 'echo', roles);
  const res = await request(server.app)
    .post('/oauth2/token')
    .auth(clientId, clientSecret)
    .type('form')
    .send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  expect(res.status, res.text).to.equal(200);
  return { clientId, token: res.body.access_token as string };
}

async function fetchJwks(server: TestServer): Promise<JSONWebKeySet> {
  const res = await request(server.app).get('/.well-known/jwks.json');
  expect(res.status).to.equal(200);
  return JSON.parse(res.text) as JSONWebKeySet;
}

eachStore('RFC 9068 JWT access tokens', (backend) => {
  describe('with the default RS256 key', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: backend });
    });
    afterEach(() => server.close());

    it('§2.1 header: typ "at+jwt", alg RS256, a kid published in the JWKS', async () => {
      const { token } = await issueToken(server);
      const header = decodeProtectedHeader(token);
      expect(header).to.have.all.keys('typ', 'alg', 'kid');
      expect(header.typ).to.equal('at+jwt');
      expect(header.alg).to.equal('RS256');
      const jwks = await fetchJwks(server);
      const published = jwks.keys.find((k) => k.kid === header.kid);
      expect(published, 'kid in JWKS').to.not.equal(undefined);
      expect(published).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    });

    it('§2.2 claims: iss exact, sub = client_id, aud = the application audience, client_id, roles, jti', async () => {
      const { token, clientId } = await issueToken(server, ['echo-reader', 'echo-writer']);
      const claims = decodeJwt(token);
      expect(claims).to.have.all.keys('iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'roles');
      expect(claims.iss).to.equal(ISSUER);
      expect(claims.sub).to.equal(clientId);
      expect(claims.client_id).to.equal(clientId);
      expect(claims.aud).to.equal(ECHO_AUDIENCE);
      expect(claims.roles).to.deep.equal(['echo-reader', 'echo-writer']);
      expect(claims.jti).to.be.a('string').with.length.greaterThan(15);
    });

    it('§2.2 iat is the issue time and exp - iat equals expires_in (3600)', async () => {
      const { token } = await issueToken(server);
      const { iat, exp } = decodeJwt(token);
      expect(iat).to.equal(Math.floor(server.now.ms / 1000));
      expect(exp! - iat!).to.equal(3600);
    });

    it('iat and exp follow the issuer clock', async () => {
      server.now.ms += 86_400_000;
      const { token } = await issueToken(server);
      expect(decodeJwt(token).iat).to.equal(Math.floor(server.now.ms / 1000));
    });

    it('§2.2 jti is unique across tokens, even for the same client', async () => {
      const { clientId, clientSecret } = await createServiceClient(server);
      const jtis = new Set<unknown>();
      for (let i = 0; i < 2; i++) {
        const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
        jtis.add(decodeJwt(res.body.access_token).jti);
      }
      expect(jtis.size).to.equal(2);
    });

    it('§2.2.3 a requested scope is carried in the `scope` claim', async () => {
      const { token } = await issueToken(server, ['echo-reader', 'echo-writer'], 'echo:read');
      expect(decodeJwt(token).scope).to.equal('echo:read');
    });

    it('§4 verifies with jose against the published JWKS (iss, aud, typ pinned)', async () => {
      const { token, clientId } = await issueToken(server);
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await fetchJwks(server)), {
        issuer: ISSUER,
        audience: ECHO_AUDIENCE,
        typ: 'at+jwt',
        algorithms: ['RS256'],
        currentDate: new Date(server.now.ms),
      });
      expect(protectedHeader.alg).to.equal('RS256');
      expect(payload.client_id).to.equal(clientId);
    });
  });

  for (const algorithm of ['ES256', 'EdDSA'] as const) {
    describe(`with keys.algorithm ${algorithm}`, () => {
      let server: TestServer;
      beforeEach(async () => {
        server = await startTestServer({ store: backend, settings: testSettings({ keys: { algorithm } }) });
      });
      afterEach(() => server.close());

      it(`signs with ${algorithm}, publishes a matching key, and verifies against the JWKS`, async () => {
        const { token } = await issueToken(server);
        const header = decodeProtectedHeader(token);
        expect(header).to.include({ alg: algorithm, typ: 'at+jwt' });
        const jwks = await fetchJwks(server);
        expect(jwks.keys.find((k) => k.kid === header.kid)).to.include({ alg: algorithm, use: 'sig' });
        await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: ECHO_AUDIENCE, typ: 'at+jwt', currentDate: new Date(server.now.ms) });
      });

      it('the guard accepts the token', async () => {
        const { token, clientId } = await issueToken(server);
        const res = await request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);
        expect(res.status, res.text).to.equal(200);
        expect(res.body.identity['x-portcullis-client-id']).to.equal(clientId);
      });
    });
  }
});
