import { expect } from 'chai';
import { TemporarilyUnavailable } from '../../src/errors/oauth-errors';
import { RemoteKeySet, type RemoteKeySetOptions } from '../../src/trust/remote-key-set';
import { FakeIssuer } from '../helpers/fake-issuer';

/**
 * One issuer's JWK Set against a real HTTP issuer whose endpoint the test rotates, takes down,
 * slows and breaks, on a clock the test moves: when the set is fetched, how long the last good
 * one serves, and what a flood of unknown kids costs.
 */
describe('trust: RemoteKeySet (a trusted issuer\'s JWK Set)', () => {
  let issuer: FakeIssuer;
  const clock = { ms: 1_000_000 };
  const errors: Error[] = [];

  const keySet = (overrides: Partial<RemoteKeySetOptions> = {}) =>
    new RemoteKeySet({
      jwksUri: async () => `${issuer.issuer}/jwks`,
      algorithms: ['RS256'],
      cacheMs: 60_000,
      refetchIntervalMs: 10_000,
      maxStaleMs: 120_000,
      timeoutMs: 300,
      unknownKidCacheSize: 100,
      now: () => clock.ms,
      onFetchError: (e) => errors.push(e),
      ...overrides,
    });

  beforeEach(async () => {
    issuer = await FakeIssuer.start();
    errors.length = 0;
  });
  afterEach(() => issuer.close());

  it('fetches the set at start, and serves its keys from memory until cacheMs', async () => {
    const keys = keySet();
    expect(keys.loaded).to.equal(false);
    await keys.start();
    expect(keys.loaded).to.equal(true);
    expect(issuer.jwksFetches).to.equal(1);
    expect(keys.cachedKey(issuer.kid)?.algorithms).to.deep.equal(['RS256']);
    expect(await keys.verificationKey(issuer.kid)).to.not.equal(undefined);
    expect(issuer.jwksFetches).to.equal(1);
    clock.ms += 60_000;
    expect(keys.cachedKey(issuer.kid), 'a set older than cacheMs is not used without a re-read').to.equal(undefined);
  });

  it('finds a key the issuer rotated in, and stops serving a retired key once the set is re-read', async () => {
    const keys = keySet();
    await keys.start();
    const old = issuer.kid;
    const fresh = await issuer.rotate();
    clock.ms += 10_000;
    expect(await keys.verificationKey(fresh), 'a new kid: one refetch').to.not.equal(undefined);
    expect(issuer.jwksFetches).to.equal(2);
    issuer.retire(old);
    expect(keys.cachedKey(old), 'still in the set fetched before it was retired').to.not.equal(undefined);
    clock.ms += 60_000;
    expect(await keys.verificationKey(old)).to.equal(undefined);
    expect(await keys.verificationKey(fresh)).to.not.equal(undefined);
  });

  it('a flood of unknown kids costs one fetch per interval (and a negative cache of the kids)', async () => {
    const keys = keySet();
    await keys.start();
    clock.ms += 10_000;
    const kids = Array.from({ length: 500 }, (_, i) => `random-${i}`);
    const found = await Promise.all(kids.map((kid) => keys.verificationKey(kid)));
    expect(found.every((k) => k === undefined)).to.equal(true);
    expect(issuer.jwksFetches, 'one fetch at start, one for the whole flood').to.equal(2);
    for (const kid of kids) expect(await keys.verificationKey(kid)).to.equal(undefined);
    expect(await keys.verificationKey('yet-another')).to.equal(undefined);
    expect(issuer.jwksFetches, 'within the interval no kid fetches again').to.equal(2);
    clock.ms += 10_000;
    await Promise.all(kids.map((kid) => keys.verificationKey(`${kid}-b`)));
    expect(issuer.jwksFetches, 'the next interval: one more').to.equal(3);
  });

  for (const mode of ['down', 'garbage', 'no-keys'] as const) {
    it(`while the endpoint is ${mode}, the last good set serves for maxStaleMs past cacheMs, then 503`, async () => {
      const keys = keySet();
      await keys.start();
      issuer.jwksMode = mode;
      clock.ms += 60_000 + 100_000;
      expect(await keys.verificationKey(issuer.kid), 'stale but within maxStaleMs').to.not.equal(undefined);
      expect(errors.length).to.be.greaterThan(0);
      clock.ms += 20_000;
      const err = await keys.verificationKey(issuer.kid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TemporarilyUnavailable);
      issuer.jwksMode = 'ok';
      clock.ms += 10_000;
      expect(await keys.verificationKey(issuer.kid), 'back once the endpoint answers').to.not.equal(undefined);
    });
  }

  it('a slow endpoint costs at most timeoutMs, and never stalls a request longer', async () => {
    issuer.jwksMode = 'slow';
    const keys = keySet({ timeoutMs: 200 });
    const started = Date.now();
    await keys.start();
    const err = await keys.verificationKey(issuer.kid).catch((e: unknown) => e);
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(err, 'never fetched: fail closed').to.be.instanceOf(TemporarilyUnavailable);
    expect(errors[0].message).to.match(/did not answer within 200 ms/);
  });

  it('without any set yet, answers 503 (fail closed), not "unknown key", and asks again at most once a second', async () => {
    issuer.jwksMode = 'down';
    const keys = keySet();
    await keys.start();
    const err = await keys.verificationKey(issuer.kid).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TemporarilyUnavailable);
    expect(issuer.jwksFetches).to.equal(1);
    issuer.jwksMode = 'ok';
    clock.ms += 1_000;
    expect(await keys.verificationKey(issuer.kid), 'the first set: not a whole refetch interval later').to.not.equal(undefined);
    expect(issuer.jwksFetches).to.equal(2);
  });

  it('keeps only keys whose algorithm the issuer is trusted with', async () => {
    const keys = keySet({ algorithms: ['ES256'] });
    await keys.start();
    expect(keys.loaded, 'an RS256-only set is no usable set').to.equal(false);
    expect(errors[0].message).to.match(/no key usable with ES256/);
  });
});
