import { OAuthError } from '../../errors/oauth-errors';
import type { ExplainCheck } from './explain-check';

/** The route rule that decides (method, path), and the permission each reading of the path needs. */
export const routeCheck: ExplainCheck = async (ctx, input, state) => {
  const method = input.method.toUpperCase();
  try {
    const matched = ctx.routes.ruleFor(method, input.path);
    state.needed = ctx.routes.permissionsFor(method, input.path);
    if (!matched) return [{ check: 'route', result: 'fail', code: 'no_route_rule', reason: `no route rule of ${ctx.application} covers ${method} ${input.path}: denied` }];
    const { index, rule } = matched;
    const methods = rule.methods?.join(',') ?? 'any method';
    const others = state.needed.length > 1 ? ` (other readings of the path, letter case or a trailing slash, also need ${state.needed.slice(1).join(', ')})` : '';
    return [{
      check: 'route',
      result: 'pass',
      reason: `rule ${index + 1} (${methods} ${rule.path}) needs ${rule.permission}${others}`,
      details: { rule: index + 1, methods: rule.methods ?? null, path: rule.path, permission: rule.permission, needed: state.needed },
    }];
  } catch (err) {
    state.needed = [];
    return [{ check: 'route', result: 'fail', code: 'invalid_request', reason: err instanceof OAuthError ? err.description : String(err) }];
  }
};
