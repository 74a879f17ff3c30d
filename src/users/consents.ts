import type { Store } from '../store/store';

const KIND = 'consents';

/** A user's remembered "Allow" for an app: the scopes they agreed to. */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  grantedAt: number;
}

/** Consents are remembered per user and app until revoked (or the app is deactivated). */
export class Consents {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /** True if the user already allowed every one of these scopes for this app. */
  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const record = await this.store.get<Consent>(KIND, key(userId, clientId));
    return !!record && scopes.every((s) => record.value.scopes.includes(s));
  }

  /** Records consent, adding to what was allowed before. */
  async grant(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const existing = (await this.store.get<Consent>(KIND, key(userId, clientId)))?.value.scopes ?? [];
    const value: Consent = { userId, clientId, scopes: [...new Set([...existing, ...scopes])], grantedAt: this.now() };
    await this.store.put(KIND, key(userId, clientId), value, { indexes: { client: clientId, user: userId } });
  }

  /** Forgets every consent given to an app (deactivation: users must authorize it again). */
  async revokeAllFor(clientId: string): Promise<void> {
    for (const record of await this.store.findBy(KIND, 'client', clientId)) await this.store.delete(KIND, record.id);
  }

  async revoke(userId: string, clientId: string): Promise<void> {
    await this.store.delete(KIND, key(userId, clientId));
  }
}

const key = (userId: string, clientId: string) => `${clientId}|${userId}`;
