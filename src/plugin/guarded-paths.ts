/** The parts of Express Gateway's gateway.config.yml that say which paths a guard protects. */
interface ApiEndpoint {
  paths?: string | string[];
  path?: string | string[];
  pathRegex?: string;
}
interface Pipeline {
  apiEndpoints?: string | string[];
  apiEndpoint?: string | string[];
  policies?: unknown;
  policy?: unknown;
}
export interface GatewayConfig {
  apiEndpoints?: Record<string, ApiEndpoint | ApiEndpoint[]>;
  pipelines?: Record<string, Pipeline>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * An Express 4 route path (what apiEndpoints `paths` are) as a regular expression over the raw
 * path: `*` is anything, `:name` one segment, a trailing slash optional, case-insensitive, as
 * Express's router matches them. `%` escapes are matched as ordinary characters.
 */
function expressPathPattern(path: string): RegExp {
  let source = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '*') source += '.*';
    else if (c === ':' && /\w/.test(path[i + 1] ?? '')) {
      while (/\w/.test(path[i + 1] ?? '')) i++;
      const optional = path[i + 1] === '?';
      if (optional) i++;
      // As path-to-regexp 0.1: `/:id?` makes the slash before it optional too.
      if (optional && source.endsWith('\\/')) source = source.slice(0, -2) + '(?:\\/[^/]+?)?';
      else source += optional ? '(?:[^/]+?)?' : '[^/]+?';
    } else source += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}\\/?$`, 'i');
}

/**
 * Whether a raw request path falls inside an apiEndpoint of a pipeline that runs `portcullis-guard`.
 * Used before routing, for requests Express's router would fail on (a malformed `%` escape throws
 * while it decodes route parameters): those paths must get the guard's RFC 6750 answer.
 * Host and method filters are ignored: a challenge on a path that is not guarded does no harm.
 */
export function guardedPaths(config: GatewayConfig | undefined): (path: string) => boolean {
  const patterns: RegExp[] = [];
  for (const pipeline of Object.values(config?.pipelines ?? {})) {
    const policies = list(pipeline.policies ?? pipeline.policy) as Array<Record<string, unknown>>;
    if (!policies.some((policy) => policy && typeof policy === 'object' && 'portcullis-guard' in policy)) continue;
    for (const name of list(pipeline.apiEndpoints ?? pipeline.apiEndpoint)) {
      for (const endpoint of list(config?.apiEndpoints?.[name])) {
        if (endpoint.pathRegex) patterns.push(new RegExp(endpoint.pathRegex));
        const paths = list(endpoint.paths ?? endpoint.path);
        for (const path of paths.length || endpoint.pathRegex ? paths : ['*']) patterns.push(expressPathPattern(path));
      }
    }
  }
  return (path) => patterns.some((pattern) => pattern.test(path));
}
