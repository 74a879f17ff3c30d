import type { IncomingMessage } from 'node:http';
import type { ApiKeyRecord } from '../clients/api-keys';
import { MalformedCredentials, type TokenRefusalReason } from '../errors/oauth-errors';
import { headerLines } from '../http/header-lines';
import { StatusCache, type CacheFeed } from '../store/status-cache';

/** The API key header of the guard parameter `apiKeyHeader` by default. */
export const DEFAULT_API_KEY_HEADER = 'x-api-key';

/** What the API key check reads about a presented key. */
export type ApiKeyStanding = Pick<ApiKeyRecord, 'clientId' | 'revokedAt'>;

/** Where the guard looks presented keys up: memory first, then the store (src/clients/api-keys.ts). */
export interface ApiKeyLookup {
  peek(presented: string): { value: ApiKeyStanding | null } | undefined;
  get(presented: string): Promise<ApiKeyStanding | null>;
}

/**
 * The guard's cache of key records, keyed by the key's keyed hash (never the key itself), kept
 * like the client statuses: at most `cacheMs`, or until a change is announced (a revocation).
 */
export function apiKeyCache(keys: { idOf(presented: string): string; lookupById(id: string): Promise<ApiKeyRecord | undefined> }, ttlMs: number, now?: () => number, push?: CacheFeed): ApiKeyLookup {
  const cache = new StatusCache<ApiKeyStanding>(async (id) => {
    const record = await keys.lookupById(id);
    return record ? { clientId: record.clientId, revokedAt: record.revokedAt } : null;
  }, ttlMs, now, undefined, push && { ...push, kind: 'api-keys' });
  return { peek: (presented) => cache.peek(keys.idOf(presented)), get: (presented) => cache.get(keys.idOf(presented)) };
}

/** The presented key, or undefined; two header lines are malformed credentials (which one counts?). */
export function readApiKey(req: IncomingMessage, header: string): string | undefined {
  const value = req.headers[header];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || headerLines(req, header) > 1) throw new MalformedCredentials(`more than one ${header} header`);
  return value === '' ? undefined : value;
}

export interface ApiKeyRefusal {
  reason: TokenRefusalReason;
  description: string;
}

/** The refusals of one guard, written once (the header name is part of the description). */
export function apiKeyRefusals(header: string): Record<'missing' | 'unknown' | 'revoked' | 'other', ApiKeyRefusal> {
  return Object.freeze({
    missing: Object.freeze({ reason: 'api_key_missing', description: `this API requires the client's API key in the ${header} header, beside the access token` }),
    unknown: Object.freeze({ reason: 'api_key_unknown', description: `the API key in the ${header} header is unknown` }),
    revoked: Object.freeze({ reason: 'api_key_revoked', description: `the API key in the ${header} header was revoked or replaced by a new one` }),
    other: Object.freeze({ reason: 'api_key_other_client', description: `the API key in the ${header} header belongs to another client than the access token` }),
  } as const);
}

/**
 * The API key rule: the key sent must be the current key of the client the access token was
 * issued to. The key is checked after the token (a key alone never authorizes, and a missing or
 * bad token is refused as such first). Undefined: the key is right.
 */
export function decideApiKey(
  presented: string | undefined,
  standing: ApiKeyStanding | null,
  clientId: string,
  refusals: ReturnType<typeof apiKeyRefusals>,
): ApiKeyRefusal | undefined {
  if (presented === undefined) return refusals.missing;
  if (!standing) return refusals.unknown;
  if (standing.revokedAt !== undefined) return refusals.revoked;
  if (standing.clientId !== clientId) return refusals.other;
  return undefined;
}
