import type { ClientRegistry } from '../clients/client-registry';
import type { SessionManager } from '../sessions/session-manager';
import type { Consents } from '../users/consents';
import type { UserRegistry } from '../users/user-registry';
import type { GrantRevoker } from './grant-revoker';

/** What ending an account's access touches: the account's status, its sessions, grants and consents. */
export interface AccountAccessDeps {
  users: Pick<UserRegistry, 'update'>;
  clients: Pick<ClientRegistry, 'setStatus'>;
  sessions: Pick<SessionManager, 'endAllOf'>;
  revoker: Pick<GrantRevoker, 'revokeAllOf'>;
  consents: Pick<Consents, 'revokeAllFor'>;
}

/**
 * Taking access away from a user or an app, everywhere at once. It sits with the tokens because
 * it revokes grants (and below it, sessions and consents end): the admin area and the CLI call it,
 * the registries alone would only flip a status.
 */
export class AccountAccess {
  constructor(private readonly deps: AccountAccessDeps) {}

  /** Disables a user's access: sessions ended, every grant (refresh tokens, their access tokens) revoked. */
  async disableUser(userId: string): Promise<void> {
    await this.deps.users.update(userId, { status: 'disabled' });
    await this.endUserAccess(userId);
  }

  /** Ends everything a user holds: sessions at the issuer, and every grant apps hold for them. */
  async endUserAccess(userId: string): Promise<void> {
    await this.deps.sessions.endAllOf(userId);
    await this.deps.revoker.revokeAllOf('user', userId);
  }

  /** Deactivates an app: it cannot authenticate, its grants are revoked, its consents forgotten. */
  async deactivateClient(clientId: string): Promise<void> {
    await this.deps.clients.setStatus(clientId, 'disabled');
    await this.deps.revoker.revokeAllOf('client', clientId);
    await this.deps.consents.revokeAllFor(clientId);
  }
}
