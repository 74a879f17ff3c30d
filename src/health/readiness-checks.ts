import type { KeyRing } from '../keys/key-ring';
import type { Store } from '../store/store';
import type { ReadinessCheck } from './readiness';

/** What the readiness checks look at. */
export interface ReadinessDeps {
  store: Store;
  keys: KeyRing;
}

/**
 * The one list of what `/readyz` requires before the load balancer may send traffic. Each entry
 * is cheap: one bounded store round trip at most. A new dependency adds its check here.
 */
export function readinessChecks({ store, keys }: ReadinessDeps): ReadinessCheck[] {
  return [
    // Every endpoint and every guard decision reads the store: without it, all answer 503.
    { name: 'store', run: () => store.ping() },
    // Tokens cannot be signed or verified before the key ring holds an active key (in memory).
    { name: 'signingKeys', run: () => keys.active() },
    // Issue 9 (trusted issuers) adds here: { name: 'trustedIssuers', run: () => every trusted issuer's keys fetched once }.
  ];
}
