import type { KeyRing } from '../keys/key-ring';
import type { Store } from '../store/store';
import type { ReadinessCheck } from './readiness';

/** What the readiness checks look at. */
export interface ReadinessDeps {
  store: Store;
  keys: KeyRing;
  /** The trusted issuers (src/trust/trusted-issuers.ts), if any are declared. */
  trust?: { readonly size: number; fetched(): Promise<void> };
}

/**
 * The one list of what `/readyz` requires before the load balancer may send traffic. Each entry
 * is cheap: one bounded store round trip at most. A new dependency adds its check here.
 */
export function readinessChecks({ store, keys, trust }: ReadinessDeps): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    // Every endpoint and every guard decision reads the store: without it, all answer 503.
    { name: 'store', run: () => store.ping() },
    // Tokens cannot be signed or verified before the key ring holds an active key (in memory).
    { name: 'signingKeys', run: () => keys.active() },
  ];
  // A guard that accepts another issuer's tokens cannot verify them before that issuer's keys are in.
  if (trust?.size) checks.push({ name: 'trustedIssuers', run: () => trust.fetched() });
  return checks;
}
