import { expect } from 'chai';
import request from 'supertest';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { FakeIssuer } from '../helpers/fake-issuer';
import { startOidcProvider, type OidcProviderIssuer } from '../helpers/oidc-provider-issuer';
import { startTestServer, TEST_APPLICATIONS, testSettings, type TestServer } from '../helpers/test-portcullis';

const BILLING = TEST_APPLICATIONS.billing.audience;

const billingTrusts = (issuer: string, introspection: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  testSettings({
    trustedIssuers: [{ issuer, permissions: 'scopes', introspection, ...extra }],
    applications: { ...TEST_APPLICATIONS, billing: { ...TEST_APPLICATIONS.billing, trustedIssuers: [issuer] } },
  });

/**
 * RFC 7662: opaque tokens of another issuer, introspected by the guard with its own client
 * credentials. node-oidc-provider shows the real exchange (and that a revocation at the issuer
 * reaches the guard within `cacheSeconds`); the test's own issuer counts requests and fails on cue.
 */
describe('RFC 7662: opaque tokens of a trusted issuer, through its introspection endpoint', () => {
  describe('node-oidc-provider', () => {
    let op: OidcProviderIssuer;
    let server: TestServer;
    before(async () => {
      op = await startOidcProvider({ [BILLING]: { format: 'opaque', scope: 'billing:read' } });
      server = await startTestServer({ settings: billingTrusts(op.issuer, { clientId: op.guardClient.id, clientSecret: op.guardClient.secret, cacheSeconds: 5 }) });
      await server.portcullis.trustedIssuers.start();
    });
    after(async () => {
      await server.close();
      await op.close();
    });

    it('§2.1, §2.2: an active token passes with its scope; a revoked one is refused once the cached answer ends', async () => {
      const token = await op.token(BILLING, 'billing:read');
      const res = await request(server.app).get('/billing/invoices').set('Authorization', `Bearer ${token}`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.identity).to.include({ 'x-portcullis-client-id': op.client.id, 'x-portcullis-permissions': 'billing:read' });
      await op.revoke(token);
      const cached = await request(server.app).get('/billing/invoices').set('Authorization', `Bearer ${token}`);
      expect(cached.status, 'the active answer is reused for cacheSeconds').to.equal(200);
      server.now.ms += 5_001;
      expectInvalidToken(await request(server.app).get('/billing/invoices').set('Authorization', `Bearer ${token}`), /not active at its issuer/);
    });

    it('an unknown opaque token is inactive: 401', async () => {
      expectInvalidToken(await request(server.app).get('/billing/x').set('Authorization', 'Bearer not-a-token-of-anyone-0123456789'), /not active/);
    });
  });

  describe('the test\'s own issuer: caching, outages, answers that are no answer', () => {
    let issuer: FakeIssuer;
    let server: TestServer;
    const get = (token: string) => request(server.app).get('/billing/x').set('Authorization', `Bearer ${token}`);
    const nowS = () => Math.floor(server.now.ms / 1000);
    const active = (claims: Record<string, unknown> = {}) => ({ active: true, client_id: 'c1', aud: BILLING, scope: 'billing:read', exp: nowS() + 600, ...claims });

    beforeEach(async () => {
      issuer = await FakeIssuer.start();
      const { id, secret } = issuer.introspectionClient;
      server = await startTestServer({ settings: billingTrusts(issuer.issuer, { clientId: id, clientSecret: secret, cacheSeconds: 60, timeoutMs: 300 }) });
      await server.portcullis.trustedIssuers.start();
    });
    afterEach(async () => {
      await server.close();
      await issuer.close();
    });

    it('caches an active answer (one request for many uses), never past exp', async () => {
      issuer.opaque.set('tok-1', active({ exp: nowS() + 10 }));
      for (let i = 0; i < 5; i++) expect((await get('tok-1')).status).to.equal(200);
      expect(issuer.introspectionRequests).to.equal(1);
      issuer.opaque.set('tok-1', { active: false });
      server.now.ms += 10_000;
      expectInvalidToken(await get('tok-1'), /not active/);
      expect(issuer.introspectionRequests, 'asked again at exp, well before cacheSeconds').to.equal(2);
    });

    it('a token outside the RFC 6750 §2.1 syntax is never introspected, so never remembered: explain refuses it, a request gets invalid_request', async () => {
      // The guard's cached lookup does not check a token's characters (extract-bearer.ts): it may
      // only because nothing remembers such a token, not even one `portcullis explain` was given.
      issuer.opaque.set('tok 4', active());
      const guard = server.portcullis.guard({ application: 'billing' });
      const report = await guard.explain({ token: 'tok 4', method: 'GET', path: '/billing/x' });
      expect(report.guard, JSON.stringify(report)).to.include({ result: 'refused' });
      expect(issuer.introspectionRequests).to.equal(0);
      const res = await get('tok 4');
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
      expect(res.headers['www-authenticate']).to.match(/^Bearer .*error="invalid_request"/);
      expect(issuer.introspectionRequests).to.equal(0);
    });

    it('concurrent uses of one token share one request', async () => {
      issuer.opaque.set('tok-2', active());
      const answers = await Promise.all(Array.from({ length: 20 }, () => get('tok-2')));
      expect(answers.every((r) => r.status === 200)).to.equal(true);
      expect(issuer.introspectionRequests).to.equal(1);
    });

    it('introspection down: 503, and the error is never cached (as success or failure)', async () => {
      issuer.opaque.set('tok-3', active());
      issuer.introspectionMode = 'down';
      const res = await get('tok-3');
      expect(res.status, res.text).to.equal(503);
      expect(res.body.error).to.equal('temporarily_unavailable');
      expect(res.headers['retry-after']).to.match(/^\d+$/);
      issuer.introspectionMode = 'ok';
      expect((await get('tok-3')).status).to.equal(200);
      expect(issuer.introspectionRequests).to.equal(2);
    });

    it('a slow introspection endpoint costs a request at most introspection.timeoutMs, then 503', async () => {
      issuer.introspectionMode = 'slow';
      const started = Date.now();
      expect((await get('tok-slow')).status).to.equal(503);
      expect(Date.now() - started).to.be.lessThan(1_500);
    });

    it('an answer without a boolean active is no answer: 503', async () => {
      issuer.introspectionMode = 'garbage';
      expect((await get('tok-4')).status).to.equal(503);
    });

    it('an inactive answer is not cached: a token the issuer activates a moment later passes', async () => {
      expectInvalidToken(await get('tok-5'), /not active/);
      issuer.opaque.set('tok-5', active());
      expect((await get('tok-5')).status).to.equal(200);
    });

    it('refuses an active answer for another audience, another issuer, or a refresh token', async () => {
      issuer.opaque.set('a', active({ aud: 'urn:other' }));
      expectInvalidToken(await get('a'), /for another application/);
      issuer.opaque.set('b', active({ iss: 'https://elsewhere.example' }));
      expectInvalidToken(await get('b'), /from another issuer/);
      issuer.opaque.set('c', active({ token_type: 'refresh_token' }));
      expectInvalidToken(await get('c'), /not an access token/);
      issuer.opaque.set('d', active({ exp: nowS() - 1 }));
      expectInvalidToken(await get('d'), /not active/);
    });

    it('sends the guard\'s own credentials, form-encoded (RFC 6749 §2.3.1)', async () => {
      // The fake issuer accepts only `portcullis-guard:guard+secret%21` for the secret "guard secret!".
      issuer.opaque.set('e', active());
      expect((await get('e')).status).to.equal(200);
    });
  });
});
