import { meteredStore } from '../../src/metrics/metered-store';
import { PortcullisMetrics } from '../../src/metrics/portcullis-metrics';
import { PollingFeed } from '../../src/store/change-feed';
import { failClosed } from '../../src/store/fail-closed';
import { notifying } from '../../src/store/notifying-store';
import type { Store } from '../../src/store/store';
import { enabledStores, storeBackend } from '../helpers/each-store';
import { injectedClock, storeContract } from './store-contract';

/**
 * The wrappers the runtime puts around its store (fail-closed, notifying, metered) are stores
 * themselves, so each must keep the contract on every backend: a wrapper that changed an answer
 * (a false for a true, a rejection for an undefined) would break the issuer on top of it. Also
 * the backends on an injected clock, the way every feature suite opens them.
 */
const WRAPPERS: Record<string, (store: Store) => Store> = {
  failClosed: (store) => failClosed(store),
  notifying: (store) => notifying(store, new PollingFeed()),
  meteredStore: (store) => meteredStore(store, new PortcullisMetrics()),
  // As Portcullis.open composes them.
  'meteredStore(failClosed(notifying))': (store) => meteredStore(failClosed(notifying(store, new PollingFeed())), new PortcullisMetrics()),
};

for (const label of enabledStores()) {
  const backend = storeBackend(label);
  after(() => backend.cleanup());
  // On an injected clock: the wrappers do nothing with time, and the backends' own expiry on the
  // real clock is held to the contract in sqlite-store.test.ts / redis-store.test.ts.
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    const clock = injectedClock();
    storeContract(`${name}(${label})`, async () => wrap(await backend.open(clock.now)), undefined, clock);
  }
  const clock = injectedClock();
  storeContract(`${label} on an injected clock`, () => backend.open(clock.now), undefined, clock);
}
