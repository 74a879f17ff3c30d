import type { RouteRule } from '../config/settings';
import { InvalidRequest } from '../errors/oauth-errors';
import { accessText, handWrittenRoute, type GuardRoute, type RouteAccess } from './route-rule';

interface CompiledRule {
  route: GuardRoute;
  methods?: ReadonlySet<string>;
  pattern: RegExp;
  /** The same pattern, matched as a case-insensitive upstream routes. */
  anyCase: RegExp;
  access: RouteAccess;
}

/**
 * Finds what a request needs from the application's route rules. Rules are tried in the order
 * given; the first that matches decides. No match means no rule: deny by default.
 * Hand-written patterns: `*` is one path segment, `**` any number of segments (including none);
 * OpenAPI templates: `{name}` is one non-empty segment (see route-rule.ts).
 */
export class RouteMatcher {
  private readonly rules: CompiledRule[];

  /** `rules` as written in the settings (`RouteRule`, one permission each) or as guard rules. */
  constructor(rules: readonly (RouteRule | GuardRoute)[]) {
    this.rules = rules.map((rule, index) => {
      const route = 'permission' in rule ? handWrittenRoute(rule, index) : rule;
      const compile = route.syntax === 'template' ? compileTemplate : compileGlob;
      return {
        route,
        methods: route.methods ? new Set(route.methods) : undefined,
        pattern: compile(route.path),
        anyCase: compile(route.path, 'i'),
        access: route.access,
      };
    });
  }

  /**
   * Answers for recent (method, path) pairs: APIs see the same few paths over and over. An answer
   * depends only on the route rules, fixed for this matcher's life (a reload builds a new guard),
   * so it can never go stale.
   */
  private readonly memo = new Map<string, readonly RouteAccess[]>();

  /** What the rule for `method` on `rawPath` needs, as text (its permission, for a hand-written rule), or undefined when no rule covers it. */
  permissionFor(method: string, rawPath: string): string | undefined {
    return this.permissionsFor(method, rawPath)[0];
  }

  /** `accessFor` as text: for hand-written rules, the permissions needed. */
  permissionsFor(method: string, rawPath: string): readonly string[] {
    return this.accessFor(method, rawPath).map(accessText);
  }

  /**
   * What `method` on `rawPath` needs: the access of the first rule that matches the path as sent,
   * then that of the rules that other readings of it match. Express (by default), ASP.NET Core and
   * IIS route `/echo/ADMIN` as `/echo/admin`, and Express routes `/echo/admin/` as `/echo/admin`,
   * so a caller must meet what each reading needs, or a writer could reach what an admin rule
   * protects by changing the letter case or adding a slash. Empty when no rule covers the path as
   * sent (denied, whatever another reading would need).
   */
  accessFor(method: string, rawPath: string): readonly RouteAccess[] {
    const key = method + ' ' + rawPath;
    const known = this.memo.get(key);
    if (known) return known;
    const access = this.match(method, rawPath);
    // Bounded: a flood of distinct paths only resets the memo, it never grows without limit.
    if (this.memo.size >= 1000) this.memo.clear();
    this.memo.set(key, access);
    return access;
  }

  /**
   * The rule that decides `method` on `rawPath` as sent (its place in the list, from 0), or
   * undefined: what `portcullis explain` names. `accessFor` adds the other readings' rules.
   */
  ruleFor(method: string, rawPath: string): { index: number; route: GuardRoute } | undefined {
    const path = normalisePath(rawPath);
    const index = this.rules.findIndex((r) => (!r.methods || r.methods.has(method)) && r.pattern.test(path));
    return index < 0 ? undefined : { index, route: this.rules[index].route };
  }

  private match(method: string, rawPath: string): readonly RouteAccess[] {
    const path = normalisePath(rawPath);
    const access = this.first(method, path, 'pattern');
    if (access === undefined) return [];
    const toggled = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    const readings = [this.first(method, path, 'anyCase'), ...(path.length > 1 ? [this.first(method, toggled, 'pattern'), this.first(method, toggled, 'anyCase')] : [])];
    // Two rules that need the same are one need (keyed by their text, which is canonical).
    const distinct = new Map<string, RouteAccess>();
    for (const a of [access, ...readings]) if (a && !distinct.has(accessText(a))) distinct.set(accessText(a), a);
    return [...distinct.values()];
  }

  private first(method: string, path: string, pattern: 'pattern' | 'anyCase'): RouteAccess | undefined {
    for (const rule of this.rules) {
      if ((!rule.methods || rule.methods.has(method)) && rule[pattern].test(path)) return rule.access;
    }
    return undefined;
  }
}

/**
 * An OpenAPI path template: `{name}` matches a non-empty run of characters other than `/`, so
 * `/pets/{id}` matches `/pets/7` but neither `/pets/` nor `/pets/7/x`. Everything else is literal.
 */
function compileTemplate(template: string, flags = ''): RegExp {
  const source = template
    .split(/(\{[^{}/]+\})/)
    .map((part) => (/^\{[^{}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, flags);
}

function compileGlob(pattern: string, flags = ''): RegExp {
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
  return new RegExp(`^${source}$`, flags);
}

/**
 * The path the rules are matched against. A path the upstream could read differently from us
 * (dot segments, encoded slashes or dots, empty segments, bad escapes) is refused rather than
 * guessed at, so no spelling of a path can slip past its rule.
 */
/** A path without `%`, `\\`, non-ASCII, `//` or a `/.` segment start needs no decoding or checks. */
const PLAIN_UNSAFE = /[%\\\u0080-\uffff]|\/\/|\/\./;
/** Escapes that decode to a separator, a NUL or another control character (any case). */
const UNSAFE_ESCAPE = /%(?:2f|5c|[01][0-9a-f]|7f)/i;
/** Overlong UTF-8 lead bytes (RFC 3629 §3 forbids them): lenient decoders read `%c0%ae` as `.`. */
const OVERLONG_ESCAPE = /%(?:c[01]|e0%[89]|f0%8)/i;
/** Control characters (C0 and DEL) in a decoded path. */
const CONTROL = /[\x00-\x1f\x7f]/;
/**
 * How many more decodings are checked after the first. An upstream (or a framework behind it) that
 * decodes again would read `%252e%252e` as `..`: RFC 3986 §2.4 says never to decode twice, but
 * some do, so a path whose second (third, fourth) decoding changes its meaning is refused.
 */
const EXTRA_DECODINGS = 3;

export function normalisePath(rawPath: string): string {
  const q = rawPath.indexOf('?');
  const path = q < 0 ? rawPath : rawPath.slice(0, q);
  // Fast path: nothing to decode and no dot segment possible, so the path is already normal.
  if (!PLAIN_UNSAFE.test(path)) return path;
  if (/%2e/i.test(path) || UNSAFE_ESCAPE.test(path) || path.includes('\\') || path.includes('//')) {
    throw new InvalidRequest('ambiguous request path');
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new InvalidRequest('malformed request path');
  }
  if (hasDotSegment(decoded) || unsafeWhenNormalised(decoded)) throw new InvalidRequest('ambiguous request path');
  let again = decoded;
  for (let i = 0; i < EXTRA_DECODINGS && again.includes('%'); i++) {
    if (UNSAFE_ESCAPE.test(again) || OVERLONG_ESCAPE.test(again)) throw new InvalidRequest('ambiguous request path');
    const next = decodeLeniently(again);
    if (next === again && !/%[89a-f][0-9a-f]/i.test(again)) break;
    if (hasDotSegment(next) || next.includes('\\') || unsafeWhenNormalised(decodeFully(again))) throw new InvalidRequest('ambiguous request path');
    again = next;
  }
  // Still encoded after every decoding checked: too deep to say what an upstream would read.
  if (/%25/i.test(again)) throw new InvalidRequest('ambiguous request path');
  return decoded;
}

/**
 * A `.` or `..` segment. Fix: `/public/..;/admin` passed as a `/public/**` path, but servlet
 * containers (Tomcat, Jetty) drop `;params` from a segment and then resolve `..`, reaching
 * `/admin`. A dot segment with path parameters is a dot segment too. Control characters are
 * refused with them: no path means anything by them, and upstreams truncate or split on them.
 */
function hasDotSegment(path: string): boolean {
  return CONTROL.test(path) || path.split('/').some((segment) => ['.', '..'].includes(segment.split(';')[0]));
}

/**
 * Whether Unicode compatibility normalisation (NFKC, which some upstreams and file systems apply)
 * turns the path into another one: fullwidth `．．` (U+FF0E) or `‥` (U+2025) into a dot segment,
 * `／` (U+FF0F) into a separator, `＼` (U+FF3C) into a backslash. Raw bytes of the request line
 * arrive as latin1 characters, and an upstream reads them as UTF-8, so that reading is checked too.
 */
function unsafeWhenNormalised(path: string): boolean {
  if (!/[^\x00-\x7f]/.test(path)) return false;
  const forms = [path.normalize('NFKC')];
  if (!/[^\x00-\xff]/.test(path)) forms.push(Buffer.from(path, 'latin1').toString('utf8').normalize('NFKC'));
  const slashes = path.split('/').length;
  return forms.some((form) => hasDotSegment(form) || form.includes('\\') || form.split('/').length !== slashes);
}

/** Every escape decoded (UTF-8 included) where possible, else the ASCII ones alone. */
function decodeFully(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return decodeLeniently(path);
  }
}

/** Decodes ASCII escapes one by one, as a lenient decoder does (a bad escape stays as it is). */
function decodeLeniently(path: string): string {
  return path.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
