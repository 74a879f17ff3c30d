/**
 * The one home of the roles -> permissions model. An application declares its permissions (ops,
 * in YAML: `permissions`, by default every permission its YAML roles name) and roles, each a set
 * of those permissions: the YAML roles (read-only) and the roles admins make (stored, see
 * src/admin/role-registry.ts). A client or user holds roles; what they may do is the union of
 * their roles' permissions. Everything that asks "which permissions" (the guard, the grants, the
 * authorize checks, discovery, the start-up checks) asks here.
 *
 * It takes only the shapes it reads, so every layer (settings included) can use it.
 */
export interface HasRoles {
  readonly roles: Readonly<Record<string, readonly string[]>>;
  /** The permissions ops declared; absent: the union of the YAML roles' permissions. */
  readonly permissions?: readonly string[];
}

/** A role an admin made: a description and a set of the application's declared permissions. */
export interface StoredRole {
  description?: string;
  permissions: string[];
  createdAt: number;
  updatedAt: number;
}

/** The roles admins made in one application, by name. */
export type StoredRoles = Readonly<Record<string, StoredRole>>;

/** One role as the admin area shows it: where it comes from decides whether it can be edited. */
export interface RoleDefinition {
  name: string;
  description?: string;
  permissions: string[];
  source: 'settings' | 'admin';
}

/**
 * The permissions that `roles` grant in `application`. A role comes from a token's `roles` claim,
 * so only the maps' own keys count: `__proto__` or `constructor` would otherwise find
 * Object.prototype's members (RFC 8725 §3.11: a signed claim is still input). A YAML role wins
 * over a stored role of the same name; a stored role grants only permissions still declared (ops
 * may have withdrawn one since the role was made).
 */
export function permissionsOf(application: HasRoles, roles: readonly string[], stored: StoredRoles = {}): Set<string> {
  const granted = new Set<string>();
  let declared: Set<string> | undefined;
  for (const role of roles) {
    if (Object.hasOwn(application.roles, role)) {
      for (const permission of application.roles[role]) granted.add(permission);
    } else if (Object.hasOwn(stored, role)) {
      declared ??= grantablePermissions(application);
      for (const permission of stored[role].permissions) if (declared.has(permission)) granted.add(permission);
    }
  }
  return granted;
}

/** Every permission the application declares: what a role, a scope or a route rule may name. */
export function grantablePermissions(application: HasRoles): Set<string> {
  if (application.permissions) return new Set(application.permissions);
  return new Set(Object.values(application.roles).flat());
}

/** The grantable permissions of all `applications`, each once (discovery's `scopes_supported`). */
export function allGrantablePermissions(applications: Readonly<Record<string, HasRoles>>): string[] {
  return [...new Set(Object.values(applications).flatMap((application) => [...grantablePermissions(application)]))];
}

/** Whether `role` names a role of `application` (YAML or stored). */
export function hasRole(application: HasRoles, role: string, stored: StoredRoles = {}): boolean {
  return Object.hasOwn(application.roles, role) || Object.hasOwn(stored, role);
}

/** Every role of `application`, YAML first, then stored, each by name. */
export function roleDefinitions(application: HasRoles, stored: StoredRoles = {}): RoleDefinition[] {
  const fromSettings = Object.entries(application.roles).map(([name, permissions]): RoleDefinition => ({ name, permissions: [...permissions], source: 'settings' }));
  const fromAdmins = Object.entries(stored)
    .filter(([name]) => !Object.hasOwn(application.roles, name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, role]): RoleDefinition => ({ name, ...(role.description ? { description: role.description } : {}), permissions: [...role.permissions], source: 'admin' }));
  return [...fromSettings, ...fromAdmins];
}

/**
 * What another issuer's token grants in `application` (issue 9 part 3): through the
 * application's roles (the token's mapped roles, as for Portcullis's own tokens), or its scopes
 * taken as permissions directly. Either way only permissions the application declares count,
 * and as for own tokens, scopes that name some of them narrow what the roles grant.
 */
export function foreignPermissions(application: HasRoles, source: 'roles' | 'scopes', roles: readonly string[], scopes: readonly string[]): Set<string> {
  const declared = grantablePermissions(application);
  const named = scopes.filter((scope) => declared.has(scope));
  if (source === 'scopes') return new Set(named);
  const granted = permissionsOf(application, roles);
  return named.length === 0 ? granted : new Set(named.filter((p) => granted.has(p)));
}
