import { expect } from 'chai';
import request from 'supertest';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { startOidcProvider, type OidcProviderIssuer } from '../helpers/oidc-provider-issuer';
import { startTestServer, TEST_APPLICATIONS, testSettings, type TestServer } from '../helpers/test-portcullis';

const ECHO = TEST_APPLICATIONS.echo.audience;
const BILLING = TEST_APPLICATIONS.billing.audience;

/**
 * RFC 9068 access tokens of another issuer: node-oidc-provider on 127.0.0.1 issues them through
 * client credentials with resource indicators (RFC 8707); the guard finds its keys through OpenID
 * discovery (only the issuer URL is configured) and accepts them at `echo`, which names it, with
 * scopes used as permissions.
 */
describe('RFC 9068: JWT access tokens of a trusted issuer (node-oidc-provider)', () => {
  let op: OidcProviderIssuer;
  let server: TestServer;
  const get = (path: string, token: string) => request(server.app).get(path).set('Authorization', `Bearer ${token}`);

  before(async () => {
    op = await startOidcProvider({ [ECHO]: { format: 'jwt', scope: 'echo:read echo:write' }, [BILLING]: { format: 'jwt', scope: 'billing:read' } });
    server = await startTestServer({
      settings: testSettings({
        trustedIssuers: [{ issuer: op.issuer, permissions: 'scopes' }],
        applications: { ...TEST_APPLICATIONS, echo: { ...TEST_APPLICATIONS.echo, trustedIssuers: [op.issuer] } },
      }),
    });
    await server.portcullis.trustedIssuers.start();
  });
  after(async () => {
    await server.close();
    await op.close();
  });

  it('§2, §4: a token with typ at+jwt, signed by a key of the discovered jwks_uri, passes with the scopes it carries', async () => {
    const token = await op.token(ECHO, 'echo:read');
    const res = await get('/echo/items', token);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.identity).to.include({ 'x-portcullis-client-id': op.client.id, 'x-portcullis-subject': op.client.id, 'x-portcullis-permissions': 'echo:read', 'x-portcullis-scope': 'echo:read' });
    const write = await request(server.app).post('/echo/items').set('Authorization', `Bearer ${token}`);
    expect(write.status).to.equal(403);
    expect(write.body.error).to.equal('insufficient_scope');
  });

  it('§4 step 4: aud must be the application\'s (a token for billing is refused at echo)', async () => {
    expectInvalidToken(await get('/echo/items', await op.token(BILLING, 'billing:read')), /for another application/);
  });

  it('an application that names no other issuer refuses the same issuer\'s token as before', async () => {
    expectInvalidToken(await get('/billing/x', await op.token(BILLING, 'billing:read')), /not signed by a key of this issuer/);
  });

  it('a byte changed in the signature is refused', async () => {
    const token = await op.token(ECHO, 'echo:read');
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BA' : 'AA');
    const res = await get('/echo/items', tampered);
    expect(res.status).to.equal(401);
  });

  it('readiness includes the trusted issuers', async () => {
    expect((await server.portcullis.readiness.report()).checks).to.include({ trustedIssuers: 'ok' });
  });
});
