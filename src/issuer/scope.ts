import type { ApplicationSettings } from '../config/settings';
import { InvalidScope } from '../errors/oauth-errors';

/** Splits a space-delimited scope string (RFC 6749 §3.3) into its distinct tokens. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
    throw new InvalidScope('scope must be space-separated tokens of printable ASCII');
  }
  return [...new Set(scope.split(' '))];
}

/**
 * The permissions that `roles` grant in `application`, per the ops' YAML. A role comes from a
 * token's `roles` claim, so only the map's own keys count: `__proto__` or `constructor` would
 * otherwise find Object.prototype's members (RFC 8725 §3.11: a signed claim is still input).
 */
export function permissionsOf(application: ApplicationSettings, roles: readonly string[]): Set<string> {
  const granted = new Set<string>();
  for (const role of roles) {
    if (!Object.hasOwn(application.roles, role)) continue;
    for (const permission of application.roles[role]) granted.add(permission);
  }
  return granted;
}
