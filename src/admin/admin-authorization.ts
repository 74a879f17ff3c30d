import { DomainError } from '../errors/domain-errors';
import { ADMIN_ROLES, type AdminRole } from '../users/user';

/** Who performs an admin action, and from where. */
export interface Actor {
  type: 'user' | 'client' | 'cli';
  id: string;
  name: string;
  adminRole: AdminRole;
  from: string;
}

/** The actor lacks the power for this action (403). */
export class Forbidden extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/**
 * Everything the admin area lets someone do, and the least admin role that may do it. Admins
 * manage apps, users and the roles of applications; only super admins make or unmake admins, touch a super admin (a user or
 * a client: a new secret of a super-admin client would be its power) or rotate signing keys.
 * `refusal` finishes "only a super admin can ..." (the words the pages and the API show).
 */
const ACTIONS = {
  'use-admin-area': { least: 'admin', refusal: 'use the admin area' },
  'manage-apps': { least: 'admin', refusal: 'manage apps' },
  'manage-users': { least: 'admin', refusal: 'manage users' },
  'give-client-admin-role': { least: 'super-admin', refusal: 'give a client an admin role' },
  'change-client-admin-role': { least: 'super-admin', refusal: "change a client's admin role" },
  'change-super-admin-client': { least: 'super-admin', refusal: 'change a super-admin client' },
  'create-admin': { least: 'super-admin', refusal: 'create an admin' },
  'change-admin-role': { least: 'super-admin', refusal: 'make or unmake admins' },
  'change-super-admin': { least: 'super-admin', refusal: 'change a super admin' },
  'rotate-signing-keys': { least: 'super-admin', refusal: 'rotate signing keys' },
  'manage-roles': { least: 'admin', refusal: 'manage roles' },
} as const satisfies Record<string, { least: AdminRole; refusal: string }>;

export type AdminAction = keyof typeof ACTIONS;

export const ADMIN_ACTIONS = Object.keys(ACTIONS) as AdminAction[];

/** The admin roles from the least power to the most: a role may do what any role before it may. */
const RANKS: readonly AdminRole[] = ADMIN_ROLES;

/** Whether someone holding `role` (none: not an admin) may do `action`. The one admin role check. */
export function may(role: AdminRole | undefined | null, action: AdminAction): boolean {
  if (!role || !RANKS.includes(role)) return false;
  return RANKS.indexOf(role) >= RANKS.indexOf(ACTIONS[action].least);
}

/** Throws Forbidden unless `actor` may do `action`. */
export function authorize(actor: Pick<Actor, 'adminRole'>, action: AdminAction): void {
  if (may(actor.adminRole, action)) return;
  const least = ACTIONS[action].least === 'super-admin' ? 'a super admin' : 'an admin';
  throw new Forbidden(`only ${least} can ${ACTIONS[action].refusal}`);
}

/** The admin role of an account (user or client) that may use the admin area, or undefined: not an admin. */
export function adminRoleOf(account: { adminRole?: AdminRole }): AdminRole | undefined {
  return may(account.adminRole, 'use-admin-area') ? account.adminRole : undefined;
}

/** Whether an account (user or client) holds the most power: the target that needs a super admin. */
export function isSuperAdmin(account: { adminRole?: AdminRole }): boolean {
  return account.adminRole === 'super-admin';
}
