import { hasRole, permissionsOf } from '../../applications/permissions';
import { InsufficientScope } from '../../errors/oauth-errors';
import { checkAccess, isPublic } from '../access-check';
import { grantedPermissions } from '../granted-permissions';
import { accessText } from '../route-rule';
import type { ExplainCheck } from './explain-check';

/** What the route needs against what the token's roles grant, and which role grants which (the guard's own check 4). */
export const permissionCheck: ExplainCheck = async (ctx, _input, state) => {
  const { claims, needed = [] } = state;
  if (isPublic(needed)) return [{ check: 'permission', result: 'pass', reason: 'a public route: no token or permission is needed' }];
  if (!claims) return [{ check: 'permission', result: 'skip', reason: 'the token is not verified' }];
  const roles = claims.roles ?? [];
  const granted = grantedPermissions(ctx.settings, ctx.grantable, claims, ctx.stored);
  const byRole = Object.fromEntries(roles.map((role) => [role, hasRole(ctx.settings, role, ctx.stored) ? [...permissionsOf(ctx.settings, [role], ctx.stored)] : null]));
  const grants = roles.map((role) => (byRole[role] ? `${role}: ${byRole[role]!.join(', ') || '(nothing)'}` : `${role}: not a role of ${ctx.application}`)).join('; ');
  const scoped = claims.scope?.split(' ').some((s) => ctx.grantable.has(s)) ? ` (down-scoped by the token's scope "${claims.scope}")` : '';
  const held = `granted: ${[...granted].join(', ') || 'nothing'}${scoped}; by roles ${grants || '(none)'}`;
  const needs = needed.map(accessText);
  const details = { needed: needs, granted: [...granted], roles: byRole, scope: claims.scope ?? null };
  try {
    checkAccess(needed, granted);
  } catch (err) {
    if (!(err instanceof InsufficientScope)) throw err;
    const code = err.scope ? 'insufficient_scope' : 'no_route_rule';
    return [{ check: 'permission', result: 'fail', code, reason: `${err.description.replace(/^this request /, '')}; ${held}`, details }];
  }
  return [{ check: 'permission', result: 'pass', reason: `needs ${needs.join(', ')}; ${held}`, details }];
};
