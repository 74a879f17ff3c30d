import type { ClaimMapping } from '../config/trusted-issuer-settings';
import { InvalidToken } from '../errors/oauth-errors';

/** Visible ASCII: what may go into an identity header. */
const VISIBLE = /^[\x21-\x7E]+$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** A role name as identity headers list them (comma-separated) and as settings declare them. */
const ROLE = /^[\x21-\x2B\x2D-\x7E]+$/;

/**
 * The value at a claim path: a claim of exactly that name first (namespaced claims such as
 * `https://example.com/roles` contain dots), else the dotted path (`realm_access.roles`,
 * `resource_access.orders-api.roles`); an array of segments is taken as given.
 */
export function claimAt(claims: Record<string, unknown>, path: string | readonly string[]): unknown {
  if (typeof path === 'string' && Object.hasOwn(claims, path)) return claims[path];
  const segments = typeof path === 'string' ? path.split('.') : path;
  let value: unknown = claims;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A space-separated string or an array of strings, keeping only the entries of the right shape. */
function listOf(value: unknown, shape: RegExp): string[] {
  const items = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === 'string' && shape.test(item));
}

export interface MappedClaims {
  clientId: string;
  scopes: string[];
  roles: string[];
}

/**
 * Where the client, the scopes and the roles are in one issuer's tokens (issue 9 part 3). A
 * scope or role that could not be a header value or a declared role name is left out (it could
 * never match one of the application's roles or permissions); a token that names no client is
 * refused, because an application may pin its clients and the upstream is told who called.
 */
export function mapClaims(claims: Record<string, unknown>, mapping: ClaimMapping): MappedClaims {
  const clientClaim = mapping.clientId.find((name) => claims[name] !== undefined);
  const clientId = clientClaim === undefined ? undefined : claims[clientClaim];
  if (typeof clientId !== 'string' || !VISIBLE.test(clientId)) {
    throw new InvalidToken(`the access token names no client (${mapping.clientId.join(', ')})`, 'invalid_claims');
  }
  const scopeClaim = mapping.scopes.find((name) => claims[name] !== undefined);
  const scopes = scopeClaim === undefined ? [] : listOf(claims[scopeClaim], SCOPE_TOKEN);
  const roles = mapping.roles === undefined ? [] : listOf(claimAt(claims, mapping.roles), ROLE);
  return { clientId, scopes, roles };
}

/** `sub`, or for a token that acts for no one (an introspected client token), the client. */
export function subjectOf(claims: Record<string, unknown>, clientId: string, required: boolean): string {
  const sub = claims.sub;
  if (sub === undefined && !required) return clientId;
  if (typeof sub !== 'string' || !VISIBLE.test(sub)) throw new InvalidToken('the access token has an invalid sub claim', 'invalid_claims');
  return sub;
}

/** `aud` as a list; refused when missing or not strings (the guard checks it names the application). */
export function audienceOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new InvalidToken('the access token has an invalid aud claim', 'invalid_claims');
  }
  return list as string[];
}
