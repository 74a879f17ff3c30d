import { permissionsOf, type HasRoles, type StoredRoles } from '../applications/permissions';

/**
 * What a token's roles grant at an application (the guard's identities and `portcullis explain`
 * both ask here). If its scope names any of the application's permissions (`grantable`), only
 * those are granted (a down-scoped token); scopes like `openid` or `profile` do not limit.
 */
export function grantedPermissions(application: HasRoles, grantable: ReadonlySet<string>, claims: { readonly roles?: readonly string[]; readonly scope?: string }, stored?: StoredRoles): Set<string> {
  const granted = permissionsOf(application, claims.roles ?? [], stored);
  if (claims.scope === undefined) return granted;
  const scope = claims.scope.split(' ').filter((s) => grantable.has(s));
  if (scope.length === 0) return granted;
  return new Set(scope.filter((p) => granted.has(p)));
}
