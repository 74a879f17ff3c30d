import type { Client } from '../clients/client';
import type { User } from '../users/user';
import { StatusCache, type CacheFeed } from '../store/status-cache';
import type { ClientStanding, UserStanding } from '../tokens/token-standing';

/** What the guard needs to know about a client: what the token-standing rules read, and its current roles (`roles: live`). */
export type ClientStatus = ClientStanding & Pick<Client, 'roles'>;
/** What the guard needs to know about a user behind a token, and their current roles per application (`roles: live`). */
export type UserStatus = UserStanding & Pick<User, 'roles'>;

/** The client statuses the guard checks on every request. */
export function clientStatusCache(find: (id: string) => Promise<Client | undefined>, ttlMs: number, now?: () => number, push?: CacheFeed): StatusCache<ClientStatus> {
  return new StatusCache<ClientStatus>(async (id) => {
    const c = await find(id);
    return c ? { status: c.status, application: c.application, tokensValidAfter: c.tokensValidAfter, roles: c.roles } : null;
  }, ttlMs, now, undefined, push && { ...push, kind: 'clients' });
}

/** The user statuses the guard checks for user tokens, so a disabled user is refused within a second. */
export function userStatusCache(find: (id: string) => Promise<User | undefined>, ttlMs: number, now?: () => number, push?: CacheFeed): StatusCache<UserStatus> {
  return new StatusCache<UserStatus>(async (id) => {
    const u = await find(id);
    return u ? { status: u.status, roles: u.roles } : null;
  }, ttlMs, now, undefined, push && { ...push, kind: 'users' });
}
