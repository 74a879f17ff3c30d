import type { ApplicationSettings } from '../config/settings';

/**
 * The literal start of a path pattern, cut back to a segment boundary: every path the pattern
 * matches starts with it. Works for Express Gateway's apiEndpoint paths (Express syntax: `*`,
 * `:param`, `(...)`) and for route rules (`*`, `**`). `/echo/*` and `/echo/**` give `/echo`.
 * Lower-cased, because Express matches paths case-insensitively: a shorter or looser prefix only
 * makes the check below more lenient, never wrong.
 */
function literalPrefix(pattern: string): string {
  const wild = pattern.search(/[*:(?+[]/);
  const literal = wild < 0 ? pattern : pattern.slice(0, wild);
  const cut = wild < 0 ? literal : literal.slice(0, Math.max(0, literal.lastIndexOf('/')));
  return cut.replace(/\/+$/, '').toLowerCase();
}

/** Two prefixes can both start one path only if one is a prefix of the other. */
const compatible = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/**
 * Whether some request path of the endpoints could match a route rule of the application. When
 * none can, the guard refuses every request (403, no rule): the guard most likely names the wrong
 * application (a pipeline for /echo guarded with `application: reports`). `endpointPaths`
 * undefined means the endpoint matches every path (no `paths`, or a `pathRegex`).
 */
export function routesCanMatch(app: ApplicationSettings, endpointPaths: string[] | undefined): boolean {
  // The document's rules are read (asynchronously) when the runtime opens, after this check: let it pass.
  if (app.openapi) return true;
  if (endpointPaths === undefined) return app.routes.length > 0;
  const ends = endpointPaths.map(literalPrefix);
  return app.routes.some((rule) => ends.some((end) => compatible(end, literalPrefix(rule.path))));
}
