import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { ISSUER, createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 8414 (authorization server metadata) and OpenID Connect Discovery on the wire, plus the JWK
 * Set the metadata points to (RFC 7517 §5; RFC 7518 §6 for which members are private).
 */

const METADATA_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
/** RFC 7518 §6.2.2 / §6.3.2 / RFC 8037 §2: private key members that must never be published. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

eachStore('RFC 8414 server metadata and the JWK Set', (backend) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ store: backend });
  });
  after(() => server.close());

  async function getJson(path: string, contentType: RegExp) {
    const res = await request(server.app).get(path);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers['content-type']).to.match(contentType);
    return JSON.parse(res.text) as Record<string, unknown>;
  }

  const getMetadata = (path: string) => getJson(path, /^application\/json(;|$)/);

  for (const path of METADATA_PATHS) {
    describe(`GET ${path}`, () => {
      it('§3.2: 200 application/json; §3.3: issuer is exactly the issuer of the tokens', async () => {
        const metadata = await getMetadata(path);
        expect(metadata.issuer).to.equal(ISSUER);
        const { clientId, clientSecret } = await createServiceClient(server);
        const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
        expect(decodeJwt(res.body.access_token).iss).to.equal(metadata.issuer);
      });

      it('§2: token_endpoint and jwks_uri are under the issuer, and both answer', async () => {
        const metadata = await getMetadata(path);
        expect(metadata.token_endpoint).to.equal(`${ISSUER}/oauth2/token`);
        expect(metadata.jwks_uri).to.equal(`${ISSUER}/.well-known/jwks.json`);
        const jwks = await request(server.app).get(new URL(metadata.jwks_uri as string).pathname);
        expect(jwks.status).to.equal(200);
        const token = await request(server.app).get(new URL(metadata.token_endpoint as string).pathname);
        expect(token.status).to.equal(405);
      });

      it('§2: grant_types_supported includes client_credentials; auth methods are the implemented ones', async () => {
        const metadata = await getMetadata(path);
        expect(metadata.grant_types_supported).to.be.an('array').that.includes('client_credentials');
        const methods = metadata.token_endpoint_auth_methods_supported;
        expect(methods).to.be.an('array').that.includes.members(['client_secret_basic', 'client_secret_post']);
        // Only methods the token endpoint implements ("none" is a public client with PKCE).
        for (const method of methods as string[]) expect(['client_secret_basic', 'client_secret_post', 'none']).to.include(method);
        expect(metadata.response_types_supported).to.be.an('array');
      });

      it('advertises the signing algorithm actually used', async () => {
        const metadata = await getMetadata(path);
        expect(metadata.access_token_signing_alg_values_supported).to.deep.equal(['RS256']);
      });
    });
  }

  it('both documents are identical', async () => {
    const [first, second] = await Promise.all(METADATA_PATHS.map(getMetadata));
    expect(first).to.deep.equal(second);
  });

  describe('GET /.well-known/jwks.json', () => {
    const getJwks = async () => (await getJson('/.well-known/jwks.json', /^application\/(jwk-set\+)?json(;|$)/)) as { keys: Array<Record<string, unknown>> };

    it('RFC 7517 §5: a JWK Set with at least one key', async () => {
      const jwks = await getJwks();
      expect(jwks).to.have.all.keys('keys');
      expect(jwks.keys).to.be.an('array').that.is.not.empty;
    });

    it('publishes only public members', async () => {
      for (const key of (await getJwks()).keys) {
        for (const member of PRIVATE_MEMBERS) expect(key, `member ${member}`).to.not.have.property(member);
      }
    });

    it('each key has kid, alg and use "sig"', async () => {
      for (const key of (await getJwks()).keys) {
        expect(key.kid).to.be.a('string').and.not.be.empty;
        expect(key.alg).to.equal('RS256');
        expect(key.use).to.equal('sig');
        expect(key).to.include.keys('kty', 'n', 'e');
      }
    });

    it('kids are unique', async () => {
      const kids = (await getJwks()).keys.map((k) => k.kid);
      expect(new Set(kids).size).to.equal(kids.length);
    });

    it('after a key rotation both the new and the previous key are published, still public only', async () => {
      const before = (await getJwks()).keys.map((k) => k.kid);
      const next = await server.portcullis.keys.rotate();
      const after = (await getJwks()).keys;
      expect(after.map((k) => k.kid)).to.include.members([...before, next.kid]);
      for (const key of after) expect(key).to.not.have.any.keys(...PRIVATE_MEMBERS);
    });
  });
});
