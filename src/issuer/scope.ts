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

/** The permissions that `roles` grant in `application`, per the ops' YAML. */
export function permissionsOf(application: ApplicationSettings, roles: readonly string[]): Set<string> {
  const granted = new Set<string>();
  for (const role of roles) {
    for (const permission of application.roles[role] ?? []) granted.add(permission);
  }
  return granted;
}
