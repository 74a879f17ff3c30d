import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/store';
import type { PendingAuthorization } from './authorization-request';

const KIND = 'pending-authorizations';
/** Time a user has to sign in and consent. */
const TTL_MS = 30 * 60 * 1000;

/** Validated authorization requests waiting for sign-in or consent, by unguessable id. */
export class PendingAuthorizations {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  async save(pending: PendingAuthorization): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    await this.store.create(KIND, id, pending, { expiresAt: this.now() + TTL_MS });
    return id;
  }

  async load(id: string | undefined): Promise<PendingAuthorization | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{32}$/.test(id)) return undefined;
    return (await this.store.get<PendingAuthorization>(KIND, id))?.value;
  }

  async update(id: string, pending: PendingAuthorization): Promise<void> {
    await this.store.put(KIND, id, pending, { expiresAt: this.now() + TTL_MS });
  }

  /** Takes it for the final step: a consent form posted twice yields one code. */
  async finish(id: string): Promise<PendingAuthorization | undefined> {
    return this.store.consume<PendingAuthorization>(KIND, id);
  }
}
