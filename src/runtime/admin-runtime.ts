import type { PortcullisSettings } from '../config/settings';
import { ApiKeys } from '../clients/api-keys';
import type { ClientRegistry } from '../clients/client-registry';
import { AdminService } from '../admin/admin-service';
import { AuditLog } from '../admin/audit-log';
import { readStoredRoles, RoleRegistry } from '../admin/role-registry';
import type { KeyRing } from '../keys/key-ring';
import { createLogger, type Logger } from '../logging/logger';
import type { ChangeFeed } from '../store/change-feed';
import type { Store } from '../store/store';
import { SessionManager } from '../sessions/session-manager';
import { AccountAccess } from '../tokens/account-access';
import { GrantRevoker } from '../tokens/grant-revoker';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { RevocationList } from '../tokens/revocation-list';
import { Consents } from '../users/consents';
import { UserRegistry } from '../users/user-registry';
import { bootstrapAdmin } from './bootstrap-admin';
import { openStoreAndKeys, refuseBadEnvironment } from './open-store-and-keys';
import type { RuntimeOptions } from './runtime-options';

/**
 * The store and what the admin operations act on: clients, users, roles, API keys, signing keys,
 * the audit log, and ending access (sessions, grants, consents). The full runtime (Portcullis,
 * portcullis.ts) is this plus the issuer, the guards and the metrics; the command line opens this
 * alone for its store commands, so a command such as `clients list` loads no token signing or
 * verification (jose), no metrics (prom-client) and no trusted issuers (jwks-rsa) (bench/cli/).
 */
export class AdminRuntime {
  readonly revocations: RevocationList;
  readonly users: UserRegistry;
  /** The roles admins make (the admin operations use it). */
  readonly roles: RoleRegistry;
  readonly consents: Consents;
  readonly refreshTokens: RefreshTokens;
  readonly revoker: GrantRevoker;
  readonly sessions: SessionManager;
  /** Disabling a user, ending a user's access, deactivating an app: sessions, grants and consents end with them. */
  readonly access: AccountAccess;
  /** Clients' API keys (issued, rotated, revoked by the admin operations). */
  readonly apiKeys: ApiKeys;
  readonly admin: AdminService;

  protected constructor(
    readonly settings: PortcullisSettings,
    readonly store: Store,
    readonly keys: KeyRing,
    readonly clients: ClientRegistry,
    readonly logger: Logger,
    readonly now: () => number,
    hashKey: Buffer,
    /** Push invalidation: `mode` ('push' | 'polling') and `onModeChange` feed the `portcullis_invalidation_push_up` gauge. */
    readonly invalidation: ChangeFeed,
  ) {
    const { tokens: ttl, applications } = settings;
    const push = { feed: invalidation, safetyTtlMs: settings.invalidation.safetyTtlMs };
    this.revocations = new RevocationList(store, settings.cacheMs, now, push);
    this.apiKeys = new ApiKeys(store, clients, hashKey, now);
    this.users = new UserRegistry(store, applications, now, (application) => readStoredRoles(store, application));
    this.roles = new RoleRegistry({ store, applications, clients, users: this.users, now });
    this.consents = new Consents(store, now);
    this.refreshTokens = new RefreshTokens(store, ttl.refreshTokenTtl, now);
    this.revoker = new GrantRevoker(this.refreshTokens, this.revocations);
    const secure = settings.issuer.startsWith('https:');
    this.sessions = new SessionManager(store, { cookieName: settings.sessions.cookieName, ttlSeconds: settings.sessions.ttl, secure, now });
    this.access = new AccountAccess({ users: this.users, clients, sessions: this.sessions, revoker: this.revoker, consents: this.consents });
    this.admin = new AdminService({ clients, users: this.users, keys, access: this.access, apiKeys: this.apiKeys, roles: this.roles }, new AuditLog(store, now));
  }

  /**
   * Opens the store the settings name (as Portcullis.open does: the same refusals of the
   * environment, the first signing key and hash key on a new store, the first administrator from
   * the environment), without loading the signing keys: `keys.rotate` and `keys.describe` read
   * the store themselves.
   */
  static async open(settings: PortcullisSettings, options: RuntimeOptions = {}): Promise<AdminRuntime> {
    refuseBadEnvironment();
    const logger = options.logger ?? createLogger();
    return openStoreAndKeys(settings, options, { logger, loadKeys: false }, async (o) => {
      const runtime = new AdminRuntime(settings, o.store, o.keys, o.clients, logger, o.now, o.hashKey, o.feed);
      await bootstrapAdmin(runtime.users, logger);
      return runtime;
    });
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
