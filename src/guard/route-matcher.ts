import type { RouteRule } from '../config/settings';
import { InvalidRequest } from '../errors/oauth-errors';

interface CompiledRule {
  methods?: ReadonlySet<string>;
  pattern: RegExp;
  permission: string;
}

/**
 * Finds the permission a request needs from the application's route rules. Rules are tried in
 * the order written; the first that matches decides. No match means no rule: deny by default.
 * Patterns: `*` is one path segment, `**` any number of segments (including none).
 */
export class RouteMatcher {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly RouteRule[]) {
    this.rules = rules.map((rule) => ({
      methods: rule.methods ? new Set(rule.methods) : undefined,
      pattern: compile(rule.path),
      permission: rule.permission,
    }));
  }

  /**
   * Answers for recent (method, path) pairs: APIs see the same few paths over and over. An answer
   * depends only on the route rules, fixed for this matcher's life (a reload builds a new guard),
   * so it can never go stale.
   */
  private readonly memo = new Map<string, string | undefined>();

  /** The permission needed for `method` on `rawPath`, or undefined when no rule covers it. */
  permissionFor(method: string, rawPath: string): string | undefined {
    const key = method + ' ' + rawPath;
    if (this.memo.has(key)) return this.memo.get(key);
    const permission = this.match(method, rawPath);
    // Bounded: a flood of distinct paths only resets the memo, it never grows without limit.
    if (this.memo.size >= 1000) this.memo.clear();
    this.memo.set(key, permission);
    return permission;
  }

  private match(method: string, rawPath: string): string | undefined {
    const path = normalisePath(rawPath);
    for (const rule of this.rules) {
      if ((!rule.methods || rule.methods.has(method)) && rule.pattern.test(path)) return rule.permission;
    }
    return undefined;
  }
}

function compile(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `/x/**` also matches `/x` itself.
      if (source.endsWith('/')) source = source.slice(0, -1) + '(?:/.*)?';
      else source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The path the rules are matched against. A path the upstream could read differently from us
 * (dot segments, encoded slashes or dots, empty segments, bad escapes) is refused rather than
 * guessed at, so no spelling of a path can slip past its rule.
 */
/** A path without `%`, `\\`, `//` or a `/.` segment start needs no decoding or checks. */
const PLAIN_UNSAFE = /[%\\]|\/\/|\/\./;

export function normalisePath(rawPath: string): string {
  const q = rawPath.indexOf('?');
  const path = q < 0 ? rawPath : rawPath.slice(0, q);
  // Fast path: nothing to decode and no dot segment possible, so the path is already normal.
  if (!PLAIN_UNSAFE.test(path)) return path;
  if (/%2f|%5c|%2e|%00/i.test(path) || path.includes('\\') || path.includes('//')) {
    throw new InvalidRequest('ambiguous request path');
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new InvalidRequest('malformed request path');
  }
  // Fix: `/public/..;/admin` passed as a `/public/**` path, but servlet containers (Tomcat, Jetty)
  // drop `;params` from a segment and then resolve `..`, reaching `/admin`. A dot segment with path
  // parameters is a dot segment too.
  if (decoded.split('/').some((segment) => ['.', '..'].includes(segment.split(';')[0]))) {
    throw new InvalidRequest('ambiguous request path');
  }
  return decoded;
}
