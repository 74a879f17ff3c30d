import type { Store } from '../store/store';

const KIND = 'sign-in-failures';

/**
 * Throttles password guessing: failures are counted per username and per client address; past
 * `maxFailures` within `lockoutSeconds`, sign-in is refused until the window passes, even with
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
    for (const key of keys(username, address)) {
      const record = await this.store.get<{ count: number }>(KIND, key);
      if (record && record.value.count >= this.maxFailures) return true;
    }
    return false;
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
