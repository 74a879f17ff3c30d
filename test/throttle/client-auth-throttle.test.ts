import { expect } from 'chai';
import { createLogger } from '../../src/logging/logger';
import { SqliteStore } from '../../src/store/sqlite-store';
import { ClientAuthThrottle } from '../../src/throttle/client-auth-throttle';

/**
 * The parts of src/throttle/client-auth-throttle.ts that the wire tests (test/spec/rfc6749-client-
 * auth-throttle.test.ts) cannot tell apart: what a known address's success costs and resets.
 */
describe('ClientAuthThrottle: successes from a known address (src/throttle/client-auth-throttle.ts)', () => {
  const settings = { maxFailures: 10, windowSeconds: 300, maxLockoutSeconds: 3600 };
  const KNOWN = '192.0.2.1';
  const OTHER = '198.51.100.7';
  let clock: { ms: number };
  let store: SqliteStore;
  let throttle: ClientAuthThrottle;

  beforeEach(() => {
    clock = { ms: Date.UTC(2026, 0, 1) };
    store = new SqliteStore({ path: ':memory:', now: () => clock.ms });
    throttle = new ClientAuthThrottle(store, settings, createLogger('error', () => undefined), () => clock.ms);
  });
  afterEach(() => store.close());

  const succeed = async (address: string) => (await throttle.begin('pcc_a', address)).succeeded('pcc_a');
  const fail = async (address: string) => (await throttle.begin('pcc_a', address)).failed();
  const clientCounter = async () => (await store.get<{ count: number }>('client-auth-failures', 'client:pcc_a'))?.value.count;

  it('the first success from a known address resets the client id counter; further ones within a second do not; after a second, one does', async () => {
    await succeed(KNOWN); // KNOWN is now known for pcc_a
    await fail(OTHER);
    await fail(OTHER);
    expect(await clientCounter()).to.equal(2);
    await succeed(KNOWN);
    expect(await clientCounter(), 'reset by the first known success').to.equal(undefined);
    await fail(OTHER);
    await succeed(KNOWN);
    expect(await clientCounter(), 'within the second: left counted (never fewer failures than before)').to.equal(1);
    clock.ms += 1000;
    await succeed(KNOWN);
    expect(await clientCounter(), 'a second later: reset').to.equal(undefined);
  });

  it('a known address stays known on this instance without reading its record again (the record only ever expires)', async () => {
    await succeed(KNOWN);
    // Only expiry removes the record in real life; deleting it shows the instance does not re-read it.
    await store.delete('client-auth-known', `pcc_a@${KNOWN}`);
    for (let i = 0; i < settings.maxFailures; i++) await fail(OTHER);
    let locked = false;
    await fail(OTHER).catch((err: Error) => (locked = err.name === 'SlowDown' || /too many/.test(err.message)));
    expect(locked, 'the client id is locked for an unknown address').to.equal(true);
    await succeed(KNOWN); // still known here: the client id's lock does not apply
  });
});
