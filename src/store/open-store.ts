import type { PortcullisSettings } from '../config/settings';
import type { Store } from './store';

/**
 * Opens the backend the settings name: the embedded SQLite file by default, Redis for clusters.
 * Each backend is loaded only when it is used: the Redis client alone takes longer to load than a
 * whole CLI command should (bench/cli/), and a SQLite deployment never needs it.
 */
export async function openStore(settings: PortcullisSettings['store']): Promise<Store> {
  if (settings.type === 'redis') {
    const { RedisStore } = await import('./redis-store');
    return RedisStore.open({ url: settings.redisUrl, keyPrefix: settings.redisKeyPrefix, connection: settings.redis });
  }
  const { SqliteStore } = await import('./sqlite-store');
  return new SqliteStore({ path: settings.sqlitePath });
}
