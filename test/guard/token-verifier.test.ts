import { expect } from 'chai';
import { InvalidToken } from '../../src/errors/oauth-errors';
import { TokenVerifier } from '../../src/guard/token-verifier';
import { KeyRing } from '../../src/keys/key-ring';
import { SqliteStore } from '../../src/store/sqlite-store';
import { AccessTokenIssuer } from '../../src/tokens/access-token-issuer';

const ISSUER = 'http://issuer.test';
const TTL = 60;
const LEEWAY = 30;

/** The verified-token cache on a real key ring and real tokens, with a controllable clock. */
describe('TokenVerifier (src/guard/token-verifier.ts): verified tokens in memory', () => {
  let clock: { ms: number };
  let store: SqliteStore;
  let tokens: AccessTokenIssuer;
  let verifier: TokenVerifier;
  let counted: { hits: number; misses: number };

  beforeEach(async () => {
    clock = { ms: Date.now() };
    const now = () => clock.ms;
    store = new SqliteStore({ path: ':memory:', now });
    const keys = new KeyRing(store, { algorithm: 'ES256', maxTokenLifetime: TTL, now });
    await keys.init();
    tokens = new AccessTokenIssuer(keys, ISSUER, TTL, now);
    counted = { hits: 0, misses: 0 };
    const cacheMeter = { hit: () => counted.hits++, miss: () => counted.misses++ };
    verifier = new TokenVerifier(keys, { issuer: ISSUER, leeway: LEEWAY, maxTokenLifetime: TTL + LEEWAY, now, cacheMeter });
  });
  afterEach(() => store.close());

  const issue = () => tokens.issue({ clientId: 'pcc_test', subject: 'pcc_test', audience: 'urn:portcullis:application:echo', roles: [] });

  it('an entry is gone from memory once exp + leeway has passed on the product clock, without the token being presented again', async () => {
    const first = await issue();
    await verifier.verify(first.token);
    expect(verifier.cachedTokens).to.equal(1);

    clock.ms = (first.exp + LEEWAY) * 1000 + 1;
    await verifier.verify((await issue()).token);
    expect(verifier.cachedTokens, 'only the live token is held').to.equal(1);
    let refused: unknown;
    await verifier.verify(first.token).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(InvalidToken);
    expect((refused as InvalidToken).message).to.equal('the access token expired');
  });

  it('an entry stays, and is used, until exp + leeway', async () => {
    const first = await issue();
    const claims = await verifier.verify(first.token);

    clock.ms = (first.exp + LEEWAY) * 1000 - 1;
    await verifier.verify((await issue()).token);
    expect(verifier.cachedTokens).to.equal(2);
    const misses = counted.misses;
    expect(await verifier.verify(first.token)).to.deep.equal(claims);
    expect(counted.misses, 'the cached verification, not a new one').to.equal(misses);
    expect(counted.hits).to.equal(1);
  });
});
