import type { PortcullisSettings } from '../config/settings';
import { RedisStore } from './redis-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

/** Opens the backend the settings name: the embedded SQLite file by default, Redis for clusters. */
export async function openStore(settings: PortcullisSettings['store']): Promise<Store> {
  if (settings.type === 'redis') {
    return RedisStore.open({ url: settings.redisUrl, keyPrefix: settings.redisKeyPrefix, connection: settings.redis });
  }
  return new SqliteStore({ path: settings.sqlitePath });
}
