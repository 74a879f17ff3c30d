import type { PortcullisSettings } from '../config/settings';
import type { Logger } from '../logging/logger';
import { PollingFeed, type ChangeFeed } from './change-feed';
import { RedisChangeFeed } from './redis-notifications';
import { SqliteChangeFeed } from './sqlite-data-version';

/**
 * The change feed for the store the settings name (call it once the store is open): Redis
 * pub/sub for Redis, `PRAGMA data_version` for a SQLite file, none for `:memory:` (one process,
 * nobody else writes) or when `invalidation.push` is false.
 */
export async function openChangeFeed(settings: PortcullisSettings, options: { logger?: Logger; now?: () => number } = {}): Promise<ChangeFeed> {
  const { store, invalidation, cacheMs } = settings;
  if (!invalidation.push) return new PollingFeed();
  if (store.type === 'redis') return RedisChangeFeed.open({ url: store.redisUrl, keyPrefix: store.redisKeyPrefix, logger: options.logger });
  if (store.sqlitePath === ':memory:' || store.sqlitePath === '') return new PollingFeed();
  return new SqliteChangeFeed(store.sqlitePath, cacheMs, options.now);
}
