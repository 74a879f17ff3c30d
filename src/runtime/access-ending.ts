import type { PortcullisSettings } from '../config/settings';
import type { ClientRegistry } from '../clients/client-registry';
import type { ChangeFeed } from '../store/change-feed';
import type { Store } from '../store/store';
import { SessionManager } from '../sessions/session-manager';
import { AccountAccess } from '../tokens/account-access';
import { GrantRevoker } from '../tokens/grant-revoker';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { RevocationList } from '../tokens/revocation-list';
import { Consents } from '../users/consents';
import type { UserRegistry } from '../users/user-registry';

/**
 * What ending a user's or an app's access acts on (disabling a user, a new password, deactivating
 * an app): sessions, refresh tokens and the grants they belong to, the revocation list, consents.
 * AdminRuntime builds it when it is first used (admin-runtime.ts says why).
 */
export interface AccessEnding {
  revocations: RevocationList;
  consents: Consents;
  refreshTokens: RefreshTokens;
  revoker: GrantRevoker;
  sessions: SessionManager;
  access: AccountAccess;
}

export interface AccessEndingDeps {
  settings: PortcullisSettings;
  store: Store;
  clients: ClientRegistry;
  users: UserRegistry;
  now: () => number;
  invalidation: ChangeFeed;
}

export function accessEnding({ settings, store, clients, users, now, invalidation }: AccessEndingDeps): AccessEnding {
  const push = { feed: invalidation, safetyTtlMs: settings.invalidation.safetyTtlMs };
  const revocations = new RevocationList(store, settings.cacheMs, now, push);
  const consents = new Consents(store, now);
  const refreshTokens = new RefreshTokens(store, settings.tokens.refreshTokenTtl, now);
  const revoker = new GrantRevoker(refreshTokens, revocations);
  const secure = settings.issuer.startsWith('https:');
  const sessions = new SessionManager(store, { cookieName: settings.sessions.cookieName, ttlSeconds: settings.sessions.ttl, secure, now });
  const access = new AccountAccess({ users, clients, sessions, revoker, consents });
  return { revocations, consents, refreshTokens, revoker, sessions, access };
}
