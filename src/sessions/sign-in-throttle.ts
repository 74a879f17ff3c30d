import { addressBucket } from '../http/peer-address';
import type { Store } from '../store/store';
import { FailureThrottle } from '../throttle/failure-throttle';
import { usernameKey } from '../users/user-registry';

const ADDRESS_FACTOR = 4;

/**
 * Throttles password guessing: attempts are counted per username and per client address; past
 * `maxFailures` failures for a username (four times that for an address) within `lockoutSeconds`,
 * sign-in is refused for `lockoutSeconds`, even with the right password. The counting is the
 * shared {@link FailureThrottle} (counted before the password is checked, refunded on success),
 * so every gateway node sees the same counts and a burst of parallel guesses is counted too.
 */
export class SignInThrottle {
  private readonly failures: FailureThrottle;

  constructor(store: Store, private readonly maxFailures: number, lockoutSeconds: number, now: () => number = Date.now) {
    this.failures = new FailureThrottle(store, 'sign-in-failures', { windowSeconds: lockoutSeconds, maxLockoutSeconds: lockoutSeconds }, now);
  }

  /** Begins a sign-in attempt: 0 if it may go on (and is counted), else the seconds to wait. */
  async begin(username: string, address: string): Promise<number> {
    const [user, addr] = keys(username, address);
    // One address (a proxy, an office) is shared by many people: it gets more room before it
    // is locked than one username does, but password spraying from it is still stopped.
    return this.failures.begin([{ id: user, limit: this.maxFailures }, { id: addr, limit: this.maxFailures * ADDRESS_FACTOR }]);
  }

  /** The attempt succeeded: the username's failures are forgotten, the address's attempt refunded. */
  async succeeded(username: string, address: string): Promise<void> {
    const [user, addr] = keys(username, address);
    await this.failures.succeeded([addr]);
    await this.failures.resetUnlessLocked(user);
  }
}

/** The account's key, as the registry spells it (every spelling of one username is one counter). */
const keys = (username: string, address: string) => [`user:${usernameKey(username)}`, `addr:${addressBucket(address)}`];
