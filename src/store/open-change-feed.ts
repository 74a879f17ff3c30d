import type { PortcullisSettings } from '../config/settings';
import type { Logger } from '../logging/logger';
import { PollingFeed, type ChangeFeed } from './change-feed';

/**
 * The change feed for the store the settings name (call it once the store is open): Redis
 * pub/sub for Redis, `PRAGMA data_version` for a SQLite file, none for `:memory:` (one process,
 * nobody else writes) or when `invalidation.push` is false. Each feed is loaded only for its
 * backend, as in open-store.ts.
 */
export async function openChangeFeed(settings: PortcullisSettings, options: { logger?: Logger; now?: () => number } = {}): Promise<ChangeFeed> {
  const { store, invalidation, cacheMs } = settings;
  if (!invalidation.push) return new PollingFeed();
  if (store.type === 'redis') {
    // Redis Cluster and Sentinel: not yet pushed (a cluster subscriber and a Sentinel failover need
    // their own handling of the channel's liveness); the guard polls there, as with push off.
    const mode = store.redis?.mode ?? 'standalone';
    if (mode !== 'standalone') {
      options.logger?.info('invalidation push is not available with this Redis mode; the guard polls', { mode });
      return new PollingFeed();
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisChangeFeed } = require('./redis-notifications') as typeof import('./redis-notifications');
    return RedisChangeFeed.open({ url: store.redisUrl, redis: store.redis, keyPrefix: store.redisKeyPrefix, logger: options.logger });
  }
  if (store.sqlitePath === ':memory:' || store.sqlitePath === '') return new PollingFeed();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SqliteChangeFeed } = require('./sqlite-data-version') as typeof import('./sqlite-data-version');
  return new SqliteChangeFeed(store.sqlitePath, cacheMs, options.now);
}
