import type { OpenAPIV3 } from 'openapi-types';
import { closestName } from '../config/closest-name';
import type { GuardRoute, RouteAccess } from '../guard/route-rule';
import { normaliseBasePath, serverBasePaths } from './openapi-base-paths';
import type { OpenApiDocument } from './openapi-document';

/** The extension that names an operation's permission(s) outright, whatever its security says. */
export const PERMISSION_EXTENSION = 'x-portcullis-permission';

/** Security scheme types whose scopes Portcullis reads as permissions. */
const SCOPED_SCHEMES = new Set(['oauth2', 'openIdConnect']);

/** The operations of a path item, in the order OpenAPI lists them. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OpenApiRulesInput {
  document: OpenApiDocument;
  /** How the rules name their source: the document's file name. */
  label: string;
  /** Every permission a role of the application grants: a scope outside it is a mistake. */
  granted: ReadonlySet<string>;
  /** `openapi.basePath` of the settings, replacing the `servers` base paths. */
  basePath?: string;
}

/**
 * The route rules of an OpenAPI document. Each operation gets one rule per base path
 * (openapi-base-paths.ts), and its access comes from (first that applies):
 * 1. `x-portcullis-permission`: a permission, or a list of permissions all needed;
 * 2. its `security`, else the document's: `[]` (or an empty requirement `{}` among them) is
 *    public; otherwise any one requirement object is enough (OR), and each needs all the scopes
 *    of all its schemes (AND), which must be `oauth2` or `openIdConnect` schemes;
 * 3. nothing: denied.
 * Concrete paths come before templated ones (OpenAPI: `/pets/mine` before `/pets/{id}`). Each
 * problem names the operation (method, path, operationId); any problem means no rules at all.
 */
export function openApiRules(input: OpenApiRulesInput): { routes: GuardRoute[]; problems: string[] } {
  const { document } = input;
  const routes: GuardRoute[] = [];
  const problems: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!item) continue;
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method] as OpenAPIV3.OperationObject | undefined;
      if (!operation) continue;
      const name = `${method.toUpperCase()} ${path}${operation.operationId ? ` (${operation.operationId})` : ''}`;
      const said = (problem: string) => problems.push(`${name}: ${problem}`);
      const access = accessOf(operation, input, said);
      let bases: string[];
      try {
        bases = input.basePath !== undefined ? [normaliseBasePath(input.basePath)] : serverBasePaths(operation.servers ?? item.servers ?? document.servers);
      } catch (err) {
        said(`a server URL cannot be read: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      for (const base of bases) {
        routes.push({ methods: [method.toUpperCase()], path: `${base}${path}`, syntax: 'template', access, source: `openapi ${input.label}: ${name}` });
      }
    }
  }
  if (problems.length) return { routes: [], problems };
  return { routes: sortConcreteFirst(routes), problems };
}

function accessOf(operation: OpenAPIV3.OperationObject, input: OpenApiRulesInput, said: (problem: string) => void): RouteAccess {
  const extension = (operation as Record<string, unknown>)[PERMISSION_EXTENSION];
  if (extension !== undefined) {
    const permissions = typeof extension === 'string' ? [extension] : extension;
    if (!Array.isArray(permissions) || permissions.length === 0 || !permissions.every((p) => typeof p === 'string' && p.length > 0)) {
      said(`${PERMISSION_EXTENSION} must be a permission or a non-empty list of permissions, got ${JSON.stringify(extension)}`);
      return { kind: 'deny' };
    }
    permissions.forEach((p) => checkGranted(p, `${PERMISSION_EXTENSION} names`, input.granted, said));
    return { kind: 'permissions', anyOf: [[...new Set(permissions as string[])]] };
  }
  const requirements = operation.security ?? input.document.security;
  if (requirements === undefined) return { kind: 'deny' };
  if (requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0)) return { kind: 'public' };
  const schemes = (input.document.components?.securitySchemes ?? {}) as Record<string, OpenAPIV3.SecuritySchemeObject>;
  const anyOf = requirements.map((requirement) => {
    const all: string[] = [];
    for (const [scheme, scopes] of Object.entries(requirement)) {
      const declared = schemes[scheme];
      if (!declared) {
        said(`security scheme ${JSON.stringify(scheme)} is not declared in components.securitySchemes`);
        continue;
      }
      if (!SCOPED_SCHEMES.has(declared.type)) {
        said(
          `security scheme ${JSON.stringify(scheme)} is of type ${declared.type}, which has no scopes the guard can check ` +
            `(only oauth2 and openIdConnect); name the permission with ${PERMISSION_EXTENSION}`,
        );
        continue;
      }
      for (const scope of scopes ?? []) {
        checkGranted(scope, `scope of security scheme ${JSON.stringify(scheme)} is`, input.granted, said);
        all.push(scope);
      }
    }
    return [...new Set(all)];
  });
  return { kind: 'permissions', anyOf };
}

/** A permission no role grants could never be met: every caller would be refused, silently. */
function checkGranted(permission: string, what: string, granted: ReadonlySet<string>, said: (problem: string) => void): void {
  if (granted.has(permission)) return;
  const guess = closestName(permission, granted);
  said(
    `${what} ${JSON.stringify(permission)}, which no role of the application grants, so every caller would be refused` +
      (guess ? `; did you mean ${JSON.stringify(guess)}?` : granted.size ? `; declared permissions: ${[...granted].join(', ')}` : '; the application declares no permission'),
  );
}

/**
 * The document's order, except that of two paths one request could both match (the same number of
 * segments: a template never spans a `/`), the one literal at the first segment where one is
 * literal and the other templated comes first. Insertion keeps each such class sorted and every
 * other pair in the document's order.
 */
function sortConcreteFirst(routes: GuardRoute[]): GuardRoute[] {
  const shape = (path: string) => path.split('/').map((segment) => (segment.includes('{') ? 1 : 0));
  const before = (a: number[], b: number[]) => {
    if (a.length !== b.length) return false;
    const i = a.findIndex((kind, at) => kind !== b[at]);
    return i >= 0 && a[i] < b[i];
  };
  const sorted: Array<{ route: GuardRoute; shape: number[] }> = [];
  for (const route of routes) {
    const entry = { route, shape: shape(route.path) };
    const at = sorted.findIndex((other) => before(entry.shape, other.shape));
    if (at < 0) sorted.push(entry);
    else sorted.splice(at, 0, entry);
  }
  return sorted.map(({ route }) => route);
}
