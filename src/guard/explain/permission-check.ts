import { permissionsOf } from '../../applications/permissions';
import { grantedPermissions, missingPermission } from '../granted-permissions';
import type { ExplainCheck } from './explain-check';

/** The permission the route needs against those the token's roles grant, and which role grants which. */
export const permissionCheck: ExplainCheck = async (ctx, _input, state) => {
  const { claims, needed = [] } = state;
  if (!claims) return [{ check: 'permission', result: 'skip', reason: 'the token is not verified' }];
  const roles = claims.roles ?? [];
  const granted = grantedPermissions(ctx.settings, ctx.grantable, claims);
  const byRole = Object.fromEntries(roles.map((role) => [role, Object.hasOwn(ctx.settings.roles, role) ? [...permissionsOf(ctx.settings, [role])] : null]));
  const grants = roles.map((role) => (byRole[role] ? `${role}: ${byRole[role]!.join(', ') || '(nothing)'}` : `${role}: not a role of ${ctx.application}`)).join('; ');
  const scoped = claims.scope?.split(' ').some((s) => ctx.grantable.has(s)) ? ` (down-scoped by the token's scope "${claims.scope}")` : '';
  const held = `granted: ${[...granted].join(', ') || 'nothing'}${scoped}; by roles ${grants || '(none)'}`;
  const details = { needed, granted: [...granted], roles: byRole, scope: claims.scope ?? null };
  if (needed.length === 0) return [{ check: 'permission', result: 'fail', code: 'no_route_rule', reason: `no route rule allows this request; ${held}`, details }];
  const missing = missingPermission(needed, granted);
  if (missing !== undefined) return [{ check: 'permission', result: 'fail', code: 'insufficient_scope', reason: `needs ${missing}; ${held}`, details }];
  return [{ check: 'permission', result: 'pass', reason: `needs ${needed.join(', ')}; ${held}`, details }];
};
