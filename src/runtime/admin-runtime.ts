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
import type { SessionManager } from '../sessions/session-manager';
import type { AccountAccess } from '../tokens/account-access';
import type { GrantRevoker } from '../tokens/grant-revoker';
import type { RefreshTokens } from '../tokens/refresh-tokens';
import type { RevocationList } from '../tokens/revocation-list';
import type { Consents } from '../users/consents';
import { UserRegistry } from '../users/user-registry';
import type { AccessEnding } from './access-ending';
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
  readonly users: UserRegistry;
  /** The roles admins make (the admin operations use it). */
  readonly roles: RoleRegistry;
  /** Clients' API keys (issued, rotated, revoked by the admin operations). */
  readonly apiKeys: ApiKeys;
  readonly admin: AdminService;
  private ending?: AccessEnding;

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
    const { applications } = settings;
    this.apiKeys = new ApiKeys(store, clients, hashKey, now);
    this.users = new UserRegistry(store, applications, now, (application) => readStoredRoles(store, application));
    this.roles = new RoleRegistry({ store, applications, clients, users: this.users, now });
    // `access` is read when an operation ends someone's access, not here (see `ending`).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runtime = this;
    const deps = { clients, users: this.users, keys, get access() { return runtime.access; }, apiKeys: this.apiKeys, roles: this.roles };
    this.admin = new AdminService(deps, new AuditLog(store, now));
  }

  /**
   * Sessions, refresh tokens, grants, the revocation list and consents, built when first used:
   * their files load lru-cache (the revocation list's cache) and cookie (sessions), which the
   * commands that only read or edit records (`clients list`, `users show`, `roles create`) never
   * need. Portcullis uses them at once (its grants and endpoints), so the server builds them when
   * it is opened, as before.
   */
  private get accessEnding(): AccessEnding {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.ending ??= (require('./access-ending') as typeof import('./access-ending')).accessEnding(this);
    return this.ending;
  }

  get revocations(): RevocationList {
    return this.accessEnding.revocations;
  }

  get consents(): Consents {
    return this.accessEnding.consents;
  }

  get refreshTokens(): RefreshTokens {
    return this.accessEnding.refreshTokens;
  }

  get revoker(): GrantRevoker {
    return this.accessEnding.revoker;
  }

  get sessions(): SessionManager {
    return this.accessEnding.sessions;
  }

  /** Disabling a user, ending a user's access, deactivating an app: sessions, grants and consents end with them. */
  get access(): AccountAccess {
    return this.accessEnding.access;
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
