import { InsufficientScope } from '../errors/oauth-errors';
import type { RouteAccess } from './route-rule';

/**
 * Whether a request may pass without a token: some rule matched (`needed` is not empty) and every
 * rule that a reading of its path matched is public. One protected reading makes it protected.
 */
export function isPublic(needed: readonly RouteAccess[]): boolean {
  return needed.length > 0 && needed.every((access) => access.kind === 'public');
}

/**
 * Check 4 of the guard: every matched rule (usually one) is met by the permissions the token
 * grants. A rule is met when all the permissions of one of its alternatives are granted. Throws
 * `insufficient_scope`: with no `scope` when no rule allows the request (none matched, or the rule
 * denies everyone), else with the first unmet alternative as the RFC 6750 §3 `scope`.
 */
export function checkAccess(needed: readonly RouteAccess[], granted: ReadonlySet<string>): void {
  if (needed.length === 0) throw new InsufficientScope('no route rule allows this request', '');
  for (const access of needed) {
    if (access.kind === 'public') continue;
    if (access.kind === 'deny' || access.anyOf.length === 0) throw new InsufficientScope('no route rule allows this request', '');
    if (access.anyOf.some((all) => all.every((p) => granted.has(p)))) continue;
    throw new InsufficientScope(`this request needs ${needText(access.anyOf)}`, access.anyOf[0].join(' '));
  }
}

/** `the echo:write permission`; `the a and b permissions`; `the a permission, or the b and c permissions`. */
function needText(anyOf: readonly (readonly string[])[]): string {
  return anyOf.map((all) => (all.length === 1 ? `the ${all[0]} permission` : `the ${all.join(' and ')} permissions`)).join(', or ');
}
