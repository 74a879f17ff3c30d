import type { Store } from '../store/store';
import { newOpaqueToken, storeKeyOf } from './opaque-token';

const TOKENS = 'refresh-tokens';
const REVOKED_GRANTS = 'revoked-grants';

/** A refresh token as stored (by hash). All tokens rotated from one grant share a `grantId`. */
export interface RefreshToken {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  authTime: number;
  nonce?: string;
  expiresAt: number;
  /** The access token issued together with this refresh token, revoked with the family. */
  accessJti: string;
  accessExp: number;
  /** Set when the token was exchanged (rotation); its successor's key. */
  usedAt?: number;
  successor?: string;
}

export interface StoredRefreshToken {
  key: string;
  version: number;
  token: RefreshToken;
}

/**
 * Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2): every use returns a new
 * token; an old one coming back means it leaked, and the whole family is revoked.
 */
export class RefreshTokens {
  constructor(private readonly store: Store, private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {}

  async issue(token: Omit<RefreshToken, 'expiresAt'>): Promise<{ value: string; key: string }> {
    const value = newOpaqueToken('pcr_');
    const key = storeKeyOf(value);
    const expiresAt = this.now() + this.ttlSeconds * 1000;
    await this.store.create(TOKENS, key, { ...token, expiresAt }, { expiresAt, indexes: { grant: token.grantId, client: token.clientId, user: token.userId } });
    return { value, key };
  }

  async find(value: string): Promise<StoredRefreshToken | undefined> {
    const key = storeKeyOf(value);
    const record = await this.store.get<RefreshToken>(TOKENS, key);
    return record && { key, version: record.version, token: record.value };
  }

  /** Marks a token used, naming its successor; false if someone else changed it first. */
  async markUsed(stored: StoredRefreshToken, successor: string): Promise<boolean> {
    const next: RefreshToken = { ...stored.token, usedAt: this.now(), successor };
    const indexes = { grant: next.grantId, client: next.clientId, user: next.userId };
    return (await this.store.compareAndSet(TOKENS, stored.key, stored.version, next, { expiresAt: next.expiresAt, indexes })) !== undefined;
  }

  async isGrantRevoked(grantId: string): Promise<boolean> {
    return (await this.store.get(REVOKED_GRANTS, grantId)) !== undefined;
  }

  /**
   * Revokes a whole grant: marks it (so a rotation racing with us cannot mint a live token) and
   * deletes its refresh tokens. Returns the access tokens issued with them, for the caller to revoke.
   */
  async revokeGrant(grantId: string): Promise<Array<{ jti: string; exp: number }>> {
    await this.store.put(REVOKED_GRANTS, grantId, { at: this.now() }, { expiresAt: this.now() + this.ttlSeconds * 1000 });
    const records = await this.store.findBy<RefreshToken>(TOKENS, 'grant', grantId);
    for (const record of records) await this.store.delete(TOKENS, record.id);
    return records.map((r) => ({ jti: r.value.accessJti, exp: r.value.accessExp }));
  }

  /** Every grant of a client (deactivation) or of a user (disabled user). */
  async grantsOf(index: 'client' | 'user', id: string): Promise<string[]> {
    return [...new Set((await this.store.findBy<RefreshToken>(TOKENS, index, id)).map((r) => r.value.grantId))];
  }
}
