import { expect } from 'chai';
import { FakeIssuer } from '../helpers/fake-issuer';
import { startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';

/** `/readyz` waits for the keys of every trusted issuer (src/health/readiness-checks.ts). */
describe('readiness: trusted issuers', () => {
  let issuer: FakeIssuer;
  let server: TestServer;
  afterEach(async () => {
    await server.close();
    await issuer.close();
  });

  it('has no trustedIssuers check when none is declared', async () => {
    issuer = await FakeIssuer.start();
    server = await startTestServer();
    expect(Object.keys((await server.portcullis.readiness.report()).checks)).to.deep.equal(['store', 'signingKeys']);
  });

  it('is not ready while an issuer\'s keys were never fetched, and ready once they are (asked again at most once a second until then)', async () => {
    issuer = await FakeIssuer.start();
    issuer.jwksMode = 'down';
    server = await startTestServer({ settings: testSettings({ health: { cacheMs: 0 }, trustedIssuers: [{ issuer: issuer.issuer, jwksUri: `${issuer.issuer}/jwks`, keys: { refetchIntervalSeconds: 5 } }] }) });
    await server.portcullis.trustedIssuers.start();
    const down = await server.portcullis.readiness.report();
    expect(down.ready).to.equal(false);
    expect(down.checks.trustedIssuers).to.equal('failed');
    issuer.jwksMode = 'ok';
    expect((await server.portcullis.readiness.report()).checks.trustedIssuers, 'within the interval: not asked again').to.equal('failed');
    expect(issuer.jwksFetches).to.equal(1);
    server.now.ms += 1_000;
    const up = await server.portcullis.readiness.report();
    expect(up.checks.trustedIssuers).to.equal('ok');
    expect(up.ready).to.equal(true);
  });
});
