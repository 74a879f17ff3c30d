import { randomBytes, timingSafeEqual } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors/domain-errors';
import type { Store } from '../store/store';
import type { Client } from './client';
import { hashSecret } from './client-secret';

/** Recognisable prefix, like the secret's, so a leaked key is easy to spot by secret scanners. */
export const API_KEY_PREFIX = 'pck_';
/** The store kind of the key records (watched: the guard caches them, see src/store/change-feed.ts). */
export const API_KEY_KIND = 'api-keys';
/** How long a revoked key's record is kept, so the guard can say "revoked" instead of "unknown". */
const REVOKED_KEPT_MS = 30 * 24 * 3600 * 1000;

/**
 * One API key as stored, under the id `keyId` (its keyed hash): never the key itself. A copy of
 * the database alone does not let anyone check guesses offline (the hash key is needed).
 */
export interface ApiKeyRecord {
  clientId: string;
  /** HMAC-SHA256 of the key under the secret hash key (the record's id too). */
  keyHash: string;
  issuedAt: number;
  /** Set when the key was revoked or replaced by a rotation: it no longer works. */
  revokedAt?: number;
}

/** What may be shown about a client's key: when it was issued, never the key or its hash. */
export interface ApiKeyView {
  issuedAt: number;
}

/** A public client runs in a browser or on a device: it cannot keep a key secret. */
export function checkKeyable(type: Client['type'] | undefined): void {
  if (type === 'public') throw new ValidationError('type', 'a public client cannot keep an API key secret');
}

/** A new API key: 256 bits from the CSPRNG, base64url, with the prefix. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * API keys of clients (issued with the client id and secret, as the second source document has
 * it): shown once, stored as a keyed hash, one current key per client, rotatable and revocable.
 * A key never authorizes on its own: the guard asks for it beside the client's access token
 * (guard parameter `apiKey: required`, src/guard/api-key-check.ts).
 */
export class ApiKeys {
  constructor(
    private readonly store: Store,
    private readonly clients: { find(clientId: string): Promise<Pick<Client, 'type'> | undefined> },
    private readonly hashKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keyed hash a presented key is looked up by (the guard hashes once per request). */
  idOf(presented: string): string {
    return hashSecret(presented, this.hashKey);
  }

  /** The stored record of a presented key, or undefined for a key never issued. */
  async lookup(presented: string): Promise<ApiKeyRecord | undefined> {
    return this.lookupById(this.idOf(presented));
  }

  /**
   * `lookup` with the keyed hash already computed (`idOf`; the guard's cache is keyed by it). The
   * record is found by the hash, then the stored hash is compared in constant time, like a secret's.
   */
  async lookupById(id: string): Promise<ApiKeyRecord | undefined> {
    const record = (await this.store.get<ApiKeyRecord>(API_KEY_KIND, id))?.value;
    if (!record) return undefined;
    const a = Buffer.from(id, 'base64url');
    const b = Buffer.from(record.keyHash, 'base64url');
    return a.length === b.length && timingSafeEqual(a, b) ? record : undefined;
  }

  /** The client's current (unrevoked) key, or undefined. */
  async current(clientId: string): Promise<ApiKeyView | undefined> {
    const live = await this.live(clientId);
    return live.length ? { issuedAt: Math.max(...live.map((k) => k.issuedAt)) } : undefined;
  }

  /**
   * Issues a new key for the client; a key it had stops working at once (a rotation). The key is
   * returned this once and never kept.
   */
  async issue(clientId: string): Promise<{ apiKey: string; issuedAt: number }> {
    const client = await this.clients.find(clientId);
    if (!client) throw new NotFoundError('client', clientId);
    checkKeyable(client.type);
    await this.revoke(clientId);
    const apiKey = generateApiKey();
    const keyHash = this.idOf(apiKey);
    const issuedAt = this.now();
    await this.store.create<ApiKeyRecord>(API_KEY_KIND, keyHash, { clientId, keyHash, issuedAt }, { indexes: { client: clientId } });
    return { apiKey, issuedAt };
  }

  /**
   * Revokes the client's key (if any): refused from now on, on every node within the guard's cache
   * time. Returns whether a key was revoked. The record stays a while so the refusal says why.
   */
  async revoke(clientId: string): Promise<boolean> {
    const live = await this.live(clientId);
    const at = this.now();
    for (const key of live) {
      await this.store.put<ApiKeyRecord>(API_KEY_KIND, key.keyHash, { ...key, revokedAt: at }, { indexes: { client: clientId }, expiresAt: at + REVOKED_KEPT_MS });
    }
    return live.length > 0;
  }

  private async live(clientId: string): Promise<ApiKeyRecord[]> {
    return (await this.store.findBy<ApiKeyRecord>(API_KEY_KIND, 'client', clientId)).map((r) => r.value).filter((k) => k.revokedAt === undefined);
  }
}
