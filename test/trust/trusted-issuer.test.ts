import { expect } from 'chai';
import { testSettings } from '../helpers/test-portcullis';
import { FakeIssuer } from '../helpers/fake-issuer';
import { TrustedIssuer } from '../../src/trust/trusted-issuer';

/** One trusted issuer: its metadata found once, asked again at most once per interval while it fails. */
describe('trust: TrustedIssuer', () => {
  let issuer: FakeIssuer;
  const clock = { ms: 5_000_000 };
  beforeEach(async () => (issuer = await FakeIssuer.start('/realms/acme')));
  afterEach(() => issuer.close());

  const trusted = () => {
    const [settings] = testSettings({ trustedIssuers: [{ issuer: issuer.issuer, keys: { refetchIntervalSeconds: 10 }, introspection: { clientId: 'a', clientSecret: 'b' } }] }).trustedIssuers;
    return new TrustedIssuer(settings, () => clock.ms, () => undefined);
  };

  it('finds the JWK Set through discovery at start, once', async () => {
    const t = trusted();
    await t.start();
    expect(t.ready).to.equal(true);
    await t.start();
    expect(issuer.metadataFetches).to.equal(1);
    expect(issuer.jwksFetches).to.equal(1);
  });

  it('while the metadata is down: not ready, and asked again at most once a second', async () => {
    issuer.metadataDown = true;
    const t = trusted();
    await t.start();
    await t.start();
    expect(t.ready).to.equal(false);
    expect(issuer.metadataFetches).to.equal(1);
    const opaque = await t.check('opaque-token').catch((e: unknown) => e);
    expect((opaque as Error).message).to.match(/not known yet/);
    expect(issuer.metadataFetches, 'a request within the interval does not ask either').to.equal(1);
    issuer.metadataDown = false;
    clock.ms += 999;
    await t.start();
    expect(issuer.metadataFetches).to.equal(1);
    clock.ms += 1;
    await t.start();
    expect(t.ready).to.equal(true);
    expect(issuer.metadataFetches).to.equal(2);
  });
});
