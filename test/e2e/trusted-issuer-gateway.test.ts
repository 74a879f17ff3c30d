import { expect } from 'chai';
import { configWith } from '../helpers/config-copy';
import { FakeIssuer } from '../helpers/fake-issuer';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

/**
 * The guard in front of another issuer inside Express Gateway: the plugin settings (validated by
 * Express Gateway against the plugin's schema too) declare a Keycloak-shaped issuer of the test's
 * own, the sample `echo` application names it, and its tokens reach the echo upstream through the
 * `portcullis-guard` policy; `reports` does not name it and refuses them.
 */
describe('e2e: a trusted issuer\'s tokens through the gateway', function () {
  this.timeout(60_000);
  let issuer: FakeIssuer;
  let gw: GatewayProcess;

  before(async () => {
    issuer = await FakeIssuer.start('/realms/acme');
    const trusted = `    trustedIssuers:\n      - issuer: ${issuer.issuer}\n        requireTyp: false\n        claims:\n          roles: realm_access.roles\n`;
    const config = configWith('system.config.yml', (text) =>
      text
        .replace('    applications:\n', `${trusted}    applications:\n`)
        .replace('        audience: urn:portcullis:application:echo\n', `        audience: urn:portcullis:application:echo\n        trustedIssuers: [${issuer.issuer}]\n`),
    );
    gw = await startGateway({ PORTCULLIS_CONFIG_DIR: config });
    // The keys are fetched right after start, without holding it up; /readyz says when they are in
    // (a fetch missed while the gateway was busy starting is tried again within a second).
    while ((await fetch(gw.baseUrl + '/readyz', { headers: { connection: 'close' } })).status !== 200) await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    await gw?.stop();
    await issuer?.close();
  });

  const call = (path: string, token: string) => fetch(gw.baseUrl + path, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
  const token = (aud: string) => issuer.sign({ sub: 'user-7', azp: 'orders-web', aud, typ: 'Bearer', scope: 'openid', realm_access: { roles: ['echo-reader'] } }, { typ: 'JWT' });

  it('/readyz includes the trusted issuer', async () => {
    const res = await fetch(gw.baseUrl + '/readyz', { headers: { connection: 'close' } });
    expect(res.status, gw.output()).to.equal(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).to.deep.equal({ store: 'ok', signingKeys: 'ok', trustedIssuers: 'ok' });
  });

  it('a Keycloak-shaped token with the echo audience and role reaches the upstream with its identity', async () => {
    const res = await call('/echo/hello', await token('urn:portcullis:application:echo'));
    const body = (await res.json()) as { identity: Record<string, string> };
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.identity).to.include({ 'x-portcullis-client-id': 'orders-web', 'x-portcullis-subject': 'user-7', 'x-portcullis-permissions': 'echo:read', 'x-portcullis-application': 'echo' });
  });

  it('reports, which names no other issuer, refuses it as before', async () => {
    const res = await call('/reports/x', await token('urn:portcullis:application:reports'));
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error_description: string }).error_description).to.equal('the access token was not signed by a key of this issuer');
  });
});
