import type { PortcullisSettings } from '../config/settings';
import type { Store } from './store';

/**
 * Opens the backend the settings name: the embedded SQLite file by default, Redis for clusters.
 * Each backend is loaded only when it is used: the Redis client alone takes longer to load than a
 * whole CLI command should (bench/cli/), and a SQLite deployment never needs it. `require`, not
 * `import()`: the tests run src/ through tsx's CommonJS hook, which does not resolve a `.ts` file
 * for `import()`.
 */
export async function openStore(settings: PortcullisSettings['store']): Promise<Store> {
  if (settings.type === 'redis') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisStore } = require('./redis-store') as typeof import('./redis-store');
    return RedisStore.open({ url: settings.redisUrl, keyPrefix: settings.redisKeyPrefix, connection: settings.redis });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SqliteStore } = require('./sqlite-store') as typeof import('./sqlite-store');
  return new SqliteStore({ path: settings.sqlitePath });
}
