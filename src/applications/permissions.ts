/**
 * The one home of the roles -> permissions model. An application declares roles, each a list of
 * permissions; a client or user holds roles; what they may do is the union of their roles'
 * permissions. Everything that asks "which permissions" (the guard, the grants, the authorize
 * checks, discovery, the start-up checks) asks here, so the model changes in one place when roles
 * become data.
 *
 * It takes only the shape it reads, so every layer (settings included) can use it.
 */
export interface HasRoles {
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

/**
 * The permissions that `roles` grant in `application`. A role comes from a token's `roles` claim,
 * so only the map's own keys count: `__proto__` or `constructor` would otherwise find
 * Object.prototype's members (RFC 8725 §3.11: a signed claim is still input).
 */
export function permissionsOf(application: HasRoles, roles: readonly string[]): Set<string> {
  const granted = new Set<string>();
  for (const role of roles) {
    if (!Object.hasOwn(application.roles, role)) continue;
    for (const permission of application.roles[role]) granted.add(permission);
  }
  return granted;
}

/** Every permission some role of `application` grants: what a scope or a route rule may name. */
export function grantablePermissions(application: HasRoles): Set<string> {
  return permissionsOf(application, Object.keys(application.roles));
}

/** The grantable permissions of all `applications`, each once (discovery's `scopes_supported`). */
export function allGrantablePermissions(applications: Readonly<Record<string, HasRoles>>): string[] {
  return [...new Set(Object.values(applications).flatMap((application) => [...grantablePermissions(application)]))];
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
