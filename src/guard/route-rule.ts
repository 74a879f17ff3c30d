import type { RouteRule } from '../config/settings-types';

/**
 * What a route asks of a caller:
 * - `public`: nothing; the guard lets the request through without looking at a token;
 * - `deny`: no one may call it (an OpenAPI operation without any security requirement);
 * - `permissions`: any one of `anyOf`, each a list of permissions that are all needed (OpenAPI
 *   reads its security requirement objects this way: OR between them, AND within one). A
 *   hand-written rule is one list of one permission.
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'deny' }
  | { kind: 'permissions'; anyOf: readonly (readonly string[])[] };

/** One rule of the guard, whichever way it was written. */
export interface GuardRoute {
  /** Upper-case methods the rule matches; every method when absent. */
  methods?: readonly string[];
  path: string;
  /**
   * How `path` reads: `glob` (hand-written: `*` one segment, possibly empty, `**` any number) or
   * `template` (OpenAPI: `{name}` is one non-empty segment, or a non-empty part of one).
   */
  syntax: 'glob' | 'template';
  access: RouteAccess;
  /** Where the rule was written (`routes[0]`, `openapi pets.yaml: GET /pets/{id} (getPet)`). */
  source: string;
}

/** A hand-written rule (`applications.<name>.routes[index]`) as a guard rule: it needs its one permission. */
export function handWrittenRoute(rule: RouteRule, index: number): GuardRoute {
  return {
    methods: rule.methods,
    path: rule.path,
    syntax: 'glob',
    access: { kind: 'permissions', anyOf: [[rule.permission]] },
    source: `routes[${index}]`,
  };
}

/**
 * A rule's access as people read it: `echo:read`, `pets:read and pets:write`,
 * `pets:admin or (pets:read and pets:write)`, `public`, `denied`, `any token of the application`.
 */
export function accessText(access: RouteAccess): string {
  if (access.kind === 'public') return 'public';
  if (access.kind === 'deny') return 'denied';
  if (access.anyOf.some((all) => all.length === 0)) return 'any token of the application';
  if (access.anyOf.length === 1) return access.anyOf[0].join(' and ');
  return access.anyOf.map((all) => (all.length === 1 ? all[0] : `(${all.join(' and ')})`)).join(' or ');
}
