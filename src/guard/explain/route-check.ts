import { OAuthError } from '../../errors/oauth-errors';
import { accessText } from '../route-rule';
import type { ExplainCheck } from './explain-check';

/** The route rule that decides (method, path), and what each reading of the path needs. */
export const routeCheck: ExplainCheck = async (ctx, input, state) => {
  const method = input.method.toUpperCase();
  try {
    const matched = ctx.routes.ruleFor(method, input.path);
    state.needed = ctx.routes.accessFor(method, input.path);
    if (!matched) return [{ check: 'route', result: 'fail', code: 'no_route_rule', reason: `no route rule of ${ctx.application} covers ${method} ${input.path}: denied` }];
    const { index, route } = matched;
    const methods = route.methods?.join(',') ?? 'any method';
    const needs = accessText(route.access);
    const needed = state.needed.map(accessText);
    const others = needed.length > 1 ? ` (other readings of the path, letter case or a trailing slash, also need ${needed.slice(1).join(', ')})` : '';
    return [{
      check: 'route',
      result: 'pass',
      reason: `rule ${index + 1} (${methods} ${route.path}) needs ${needs}${others}`,
      details: { rule: index + 1, source: route.source, methods: route.methods ?? null, path: route.path, needs, needed },
    }];
  } catch (err) {
    state.needed = [];
    return [{ check: 'route', result: 'fail', code: 'invalid_request', reason: err instanceof OAuthError ? err.description : String(err) }];
  }
};
