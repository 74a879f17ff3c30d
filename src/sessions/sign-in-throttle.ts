import type { Store } from '../store/store';

const KIND = 'sign-in-failures';
const ADDRESS_FACTOR = 4;

/**
 * Throttles password guessing: failures are counted per username and per client address; past
 * `maxFailures` for a username (four times that for an address) within `lockoutSeconds`, sign-in is refused until the window passes, even with
 * the right password. Counts live in the store so every gateway node shares them.
 */
export class SignInThrottle {
  constructor(
    private readonly store: Store,
    private readonly maxFailures: number,
    private readonly lockoutSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async isLocked(username: string, address: string): Promise<boolean> {
    const [user, addr] = keys(username, address);
    const userCount = (await this.store.get<{ count: number }>(KIND, user))?.value.count ?? 0;
    // One address (a proxy, an office) is shared by many people: it gets more room before it
    // is locked than one username does, but password spraying from it is still stopped.
    const addrCount = (await this.store.get<{ count: number }>(KIND, addr))?.value.count ?? 0;
    return userCount >= this.maxFailures || addrCount >= this.maxFailures * ADDRESS_FACTOR;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const expiresAt = this.now() + this.lockoutSeconds * 1000;
    for (const key of keys(username, address)) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const record = await this.store.get<{ count: number }>(KIND, key);
        if (!record) {
          if (await this.store.create(KIND, key, { count: 1 }, { expiresAt })) break;
        } else if (await this.store.compareAndSet(KIND, key, record.version, { count: record.value.count + 1 }, { expiresAt })) {
          break;
        }
      }
    }
  }

  async reset(username: string): Promise<void> {
    await this.store.delete(KIND, `user:${username.toLowerCase()}`);
  }
}

const keys = (username: string, address: string) => [`user:${username.toLowerCase()}`, `addr:${address}`];
