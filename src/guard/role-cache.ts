import type { StoredRoles } from '../applications/permissions';
import { StatusCache, type CacheFeed } from '../store/status-cache';

/**
 * The roles admins made, per application, as the guard reads them on every request: kept like a
 * client's status (at most `cacheMs`, or until the change feed names the application), so a
 * changed role reaches tokens in use within the cache time. `null`: the application has none.
 */
export function roleDefinitionCache(load: (application: string) => Promise<StoredRoles>, ttlMs: number, now?: () => number, push?: CacheFeed): StatusCache<StoredRoles> {
  return new StatusCache<StoredRoles>(load, ttlMs, now, undefined, push && { ...push, kind: 'roles' });
}
