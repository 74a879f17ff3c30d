import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from './access-token-claims';
import { isCanonicalUuid, packUuid, unpackUuid } from './compact-uuid';

/** The claims that differ from one token to the next; every other claim is shared by a shape. */
const PER_TOKEN = new Set(['jti', 'iat', 'exp', 'nbf', 'auth_time']);
/** Per-token claims every access token has (RFC 9068 §2.2), kept as fields of the token's entry. */
const ALWAYS = new Set(['jti', 'iat', 'exp']);

/** What a remembered token keeps of its own: its shape and its per-token claims. */
export interface TokenFacts {
  readonly shape: ClaimsShape;
  /**
   * As kept: a canonical UUID as its 16 bytes when the shape says so (`uuidJti`, compact-uuid.ts),
   * else as in the token: a string in Portcullis's own (RFC 9068 requires it); another issuer's may
   * lack it (undefined) or have another type. `claimsOf` spells it out.
   */
  readonly jti: unknown;
  readonly iat: number;
  readonly exp: number;
  /** The values of the shape's `extra` claims (nbf, auth_time), when it has any. */
  readonly extra?: readonly unknown[];
}

/**
 * What many verified tokens share: the key that signed them and every claim but the per-token
 * ones (iss, aud, client_id, sub, roles, scope...), held once.
 */
export interface ClaimsShape {
  /** The verified-token cache's user whose tokens have this shape (each verifier interns shapes of its own). */
  readonly slot: number;
  readonly kid: string;
  /** Claims in the tokens' own order, with the shared values (frozen where not primitive). */
  readonly template: AccessTokenClaims;
  /** The per-token claims beyond jti, iat and exp the tokens of this shape carry (nbf, auth_time). */
  readonly extra: readonly string[];
  /** The tokens' `jti` is a canonical UUID, kept as its 16 bytes (a token with another is of another shape). */
  readonly uuidJti: boolean;
  /** Estimated bytes of the shape (its key in the table and its template). */
  readonly bytes: number;
  /** Tokens remembered with this shape so far: each pays its share of `bytes`. */
  tokens: number;
}

/**
 * Estimated heap bytes of one remembered token beyond its jti's characters and its share of the
 * shape, at the worst of the cache's growth (`npm run bench:memory` measures about 231 bytes a
 * token, 100,000 held, its UUID jti kept as 16 characters; this estimates 252): lru-cache's Map entry (28 B a slot, at least
 * half of them used: 56) and its five arrays (key, value, two links, size: 40 B, up to 1.5 times
 * that while they grow: 60), the 16-character digest (32), the entry (RememberedToken: 6 fields,
 * 72) and the jti string's header (16). On the high side: the budget is a bound.
 */
export const TOKEN_ENTRY_BYTES = 236;

/** The estimated heap bytes of a remembered token (its size in the verified-token cache). */
export function rememberedBytes(facts: TokenFacts): number {
  const { shape } = facts;
  return TOKEN_ENTRY_BYTES + (typeof facts.jti === 'string' ? facts.jti.length : 16) + (facts.extra ? 16 * facts.extra.length + 32 : 0) + shape.bytes / shape.tokens;
}

/** Estimated bytes of a shape beyond its key: the template, its strings, the table's bookkeeping. */
const SHAPE_OVERHEAD = 400;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The intern table of claim shapes, bounded in bytes (least recently used shapes go first; a
 * shape still referenced by a remembered token lives on with it and is paid for by it).
 * A remembered token keeps only its per-token claims (jti, iat, exp, nbf, auth_time) and its
 * shape; its claims object is made when it is handed out (`claimsOf`): a copy of the shape's
 * template (same claim order, the shared strings and arrays, one hidden class for all).
 */
export class ClaimsShapes {
  private readonly shapes: LRUCache<string, ClaimsShape>;
  /** The shape found last: most tokens are of a few shapes, and comparing is cheaper than the key. */
  private last?: ClaimsShape;

  constructor(maxBytes: number, private readonly slot: number) {
    this.shapes = new LRUCache({ maxSize: Math.max(1, Math.floor(maxBytes)), sizeCalculation: (s) => s.bytes });
  }

  get size(): number {
    return this.shapes.size;
  }

  /** The shape of a verified payload (interned), counting the token that will keep it (with extraOf, its own claims). */
  intern(kid: string, payload: AccessTokenClaims): ClaimsShape {
    const p = payload as unknown as Record<string, unknown>;
    const last = this.last;
    const uuidJti = isCanonicalUuid(p.jti);
    const shape = last && last.kid === kid && last.uuidJti === uuidJti && sameShape(last.template, p) ? last : this.shapeOf(kid, p, uuidJti);
    this.last = shape;
    shape.tokens++;
    return shape;
  }

  private shapeOf(kid: string, p: Record<string, unknown>, uuidJti: boolean): ClaimsShape {
    const parts: unknown[] = [kid, uuidJti];
    const extra: string[] = [];
    for (const name of Object.keys(p)) {
      // A member that is undefined (another issuer's token without a mapped claim) is told from null.
      if (!PER_TOKEN.has(name)) parts.push(p[name] === undefined ? [name, null, 'undefined'] : [name, p[name]]);
      else {
        parts.push([name]);
        if (!ALWAYS.has(name)) extra.push(name);
      }
    }
    const key = JSON.stringify(parts);
    let shape = this.shapes.get(key);
    if (!shape) {
      // JSON.parse lays every claim out in the object itself (no separate property array), and its copies keep that.
      let template = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
      // JSON drops undefined members: put them back in their place (rare: mapped claims of other issuers).
      if (Object.keys(template).length !== Object.keys(p).length) template = Object.fromEntries(Object.keys(p).map((name) => [name, template[name]]));
      // Shared by every token of the shape: an array or object claim must not change under the others.
      for (const value of Object.values(template)) deepFreeze(value);
      shape = { slot: this.slot, kid, template: template as unknown as AccessTokenClaims, extra, uuidJti, bytes: 2 * key.length + SHAPE_OVERHEAD, tokens: 0 };
      this.shapes.set(key, shape);
    }
    return shape;
  }
}

/** Whether a payload has exactly the template's claims, in its order, with the same shared values. */
function sameShape(template: AccessTokenClaims, p: Record<string, unknown>): boolean {
  const t = template as unknown as Record<string, unknown>;
  const names = Object.keys(p);
  const known = Object.keys(t);
  if (names.length !== known.length) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name !== known[i]) return false;
    if (!PER_TOKEN.has(name) && !sameJson(t[name], p[name])) return false;
  }
  return true;
}

/** Equality of two JSON values (of JSON.parse: no cycles), object members in order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameJson((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

/** The token's `jti` as its entry keeps it (TokenFacts.jti). */
export function jtiOf(shape: ClaimsShape, payload: AccessTokenClaims): unknown {
  const jti = (payload as unknown as Record<string, unknown>).jti;
  return shape.uuidJti ? packUuid(jti as string) : jti;
}

/** The values of the shape's `extra` claims in the payload, or undefined when it has none (most). */
export function extraOf(shape: ClaimsShape, payload: AccessTokenClaims): readonly unknown[] | undefined {
  const p = payload as unknown as Record<string, unknown>;
  return shape.extra.length ? shape.extra.map((name) => p[name]) : undefined;
}

/** The claims of a remembered token, as they were in it (a new object each time: callers may keep or change it). */
export function claimsOf(facts: TokenFacts): AccessTokenClaims {
  const { shape } = facts;
  const claims = { ...shape.template };
  if (facts.jti !== undefined) claims.jti = shape.uuidJti ? unpackUuid(facts.jti as string) : (facts.jti as string);
  claims.iat = facts.iat;
  claims.exp = facts.exp;
  if (facts.extra) {
    const named = claims as Record<string, unknown>;
    for (let i = 0; i < shape.extra.length; i++) named[shape.extra[i]] = facts.extra[i];
  }
  return claims;
}
