import type { StoredRoles } from '../applications/permissions';
import type { StatusCache } from '../store/status-cache';
import { isUserToken } from '../tokens/token-standing';
import type { ClientStatus, UserStatus } from './client-status';
import type { AccessTokenClaims } from './token-verifier';

/**
 * Where a guard takes the caller's roles from (the `roles` guard parameter):
 * - `token`: the token's `roles` claim, as issued;
 * - `live`: the client's (client credentials) or user's (user token) current roles in the
 *   registry, through the status caches, so a changed assignment reaches tokens already issued
 *   within the cache time.
 */
export type RoleMode = 'token' | 'live';

/** The roles a request is decided with, and the definitions of the roles admins made. */
export interface RoleFacts {
  roles: readonly string[];
  stored: StoredRoles;
}

/** The caches a RoleSource reads: role definitions always, clients and users for `live`. */
export interface RoleCaches {
  clients: Pick<StatusCache<ClientStatus>, 'peek' | 'get'>;
  users: Pick<StatusCache<UserStatus>, 'peek' | 'get'>;
  roles: Pick<StatusCache<StoredRoles>, 'peek' | 'get'>;
}

const NONE: StoredRoles = Object.freeze({});
const NO_ROLES: readonly string[] = Object.freeze([]);

/** A guard's roles and role definitions: from memory without waiting, or from the store. */
export class RoleSource {
  constructor(private readonly caches: RoleCaches, private readonly application: string, private readonly mode: RoleMode) {}

  /** The facts from memory alone; undefined means "ask the store". */
  peek(claims: AccessTokenClaims): RoleFacts | undefined {
    const stored = this.caches.roles.peek(this.application);
    if (!stored) return undefined;
    if (this.mode === 'token') return { roles: claims.roles ?? NO_ROLES, stored: stored.value ?? NONE };
    const holder = isUserToken(claims) ? this.caches.users.peek(claims.sub) : this.caches.clients.peek(claims.client_id);
    if (!holder) return undefined;
    return { roles: this.rolesOf(claims, holder.value), stored: stored.value ?? NONE };
  }

  async load(claims: AccessTokenClaims): Promise<RoleFacts> {
    const user = isUserToken(claims);
    const [stored, holder] = await Promise.all([
      this.caches.roles.get(this.application),
      this.mode === 'token' ? undefined : user ? this.caches.users.get(claims.sub) : this.caches.clients.get(claims.client_id),
    ]);
    return { roles: this.mode === 'token' ? (claims.roles ?? NO_ROLES) : this.rolesOf(claims, holder ?? null), stored: stored ?? NONE };
  }

  /** A live holder's roles here (none for a holder that is gone: the standing check refuses it anyway). */
  private rolesOf(claims: AccessTokenClaims, holder: ClientStatus | UserStatus | null): readonly string[] {
    if (!holder) return NO_ROLES;
    if (!isUserToken(claims)) return (holder as ClientStatus).roles;
    const roles = (holder as UserStatus).roles;
    return Object.hasOwn(roles, this.application) ? roles[this.application] : NO_ROLES;
  }
}
