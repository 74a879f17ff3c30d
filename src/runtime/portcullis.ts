import { createHmac } from 'node:crypto';
import type { PortcullisSettings } from '../config/settings';
import { ClientRegistry } from '../clients/client-registry';
import { ApiKeys } from '../clients/api-keys';
import { apiKeyCache, type ApiKeyLookup } from '../guard/api-key-check';
import { loadSecretHashKey, parseSecretHashKey } from '../clients/secret-hash-key';
import { checkBootstrapAdmin } from '../startup/environment-check';
import { applicationRoutes, type ApplicationRoutes } from '../startup/application-routes';
import { SettingsError } from '../config/settings';
import type { ErrorSite } from '../http/send-error';
import { clientStatusCache, userStatusCache, type ClientStatus, type UserStatus } from '../guard/client-status';
import type { StatusCache } from '../store/status-cache';
import { Guard } from '../guard/guard';
import { roleDefinitionCache } from '../guard/role-cache';
import type { StoredRoles } from '../applications/permissions';
import { readStoredRoles, RoleRegistry } from '../admin/role-registry';
import { LONGEST_LEEWAY_S, RevocationList } from '../tokens/revocation-list';
import type { TokenVerifier } from '../guard/token-verifier';
import { clientCredentialsGrant } from '../issuer/grants/client-credentials';
import { GrantRegistry } from '../issuer/grants/grant-registry';
import { Readiness } from '../health/readiness';
import { readinessChecks } from '../health/readiness-checks';
import { KeyRing } from '../keys/key-ring';
import { createLogger, type Logger } from '../logging/logger';
import { KEY_KINDS, PollingFeed, type ChangeFeed } from '../store/change-feed';
import { failClosed } from '../store/fail-closed';
import { notifying } from '../store/notifying-store';
import { openChangeFeed } from '../store/open-change-feed';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { OriginIndex } from '../clients/origin-index';
import { Csrf } from '../http/csrf';
import { requestContext, type ContextMiddleware } from '../http/request-context';
import { authorizationCodeGrant } from '../issuer/grants/authorization-code';
import { refreshTokenGrant } from '../issuer/grants/refresh-token';
import { PendingAuthorizations } from '../issuer/authorize/pending-authorizations';
import type { InteractiveDeps } from '../issuer/interactive/interactive-deps';
import type { TokenLookupDeps } from '../issuer/token-lookup';
import { SessionManager } from '../sessions/session-manager';
import { SignInThrottle } from '../sessions/sign-in-throttle';
import { ClientAuthThrottle } from '../throttle/client-auth-throttle';
import { RateLimiter } from '../throttle/rate-limit';
import { AuthorizationCodes } from '../tokens/authorization-codes';
import { GrantRevoker } from '../tokens/grant-revoker';
import { IdTokenIssuer } from '../tokens/id-token-issuer';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { Consents } from '../users/consents';
import { UserRegistry } from '../users/user-registry';
import { bootstrapAdmin } from './bootstrap-admin';
import { AdminService } from '../admin/admin-service';
import { AccountAccess } from '../tokens/account-access';
import { AuditLog } from '../admin/audit-log';
import { SecretReveal } from '../admin/web/secret-reveal';
import { GuardMeter } from '../metrics/guard-meter';
import { meteredStore } from '../metrics/metered-store';
import { metricsUrlOf, openMetricsListener, type MetricsListener } from '../metrics/metrics-listener';
import { processMetrics, type PortcullisMetrics } from '../metrics/portcullis-metrics';
import { resolveGuardOptions, type GuardPolicyOptions } from './guard-options';
import { VerifierPool } from './verifier-pool';
import type { RuntimeOptions } from './runtime-options';
import { TrustedIssuers } from '../trust/trusted-issuers';

export type { RuntimeOptions } from './runtime-options';
export type { GuardPolicyOptions } from './guard-options';

/** Seconds an `iat` may be ahead at the issuer's own endpoints (clocks of instances differ a little). */
const ISSUED_AT_SKEW_S = 30;

/**
 * The composition root: wires store, keys, clock and settings into the issuer and the guards.
 * Nothing else creates these objects or reaches for globals.
 */
export class Portcullis {
  readonly grants: GrantRegistry;
  readonly tokens: AccessTokenIssuer;
  readonly revocations: RevocationList;
  readonly users: UserRegistry;
  readonly consents: Consents;
  readonly codes: AuthorizationCodes;
  readonly refreshTokens: RefreshTokens;
  readonly revoker: GrantRevoker;
  readonly idTokens: IdTokenIssuer;
  readonly sessions: SessionManager;
  readonly origins: OriginIndex;
  readonly admin: AdminService;
  /** Disabling a user, ending a user's access, deactivating an app: sessions, grants and consents end with them. */
  readonly access: AccountAccess;
  readonly secretReveal: SecretReveal;
  readonly csrf: Csrf;
  /** RFC 6749 §2.3.1: brute-force protection of client secrets (token, revocation, introspection). */
  readonly clientAuthThrottle: ClientAuthThrottle;
  /** Request rate limits of the token, revocation and introspection endpoints; its `onLimited` feeds the metrics. */
  readonly rateLimiter: RateLimiter;
  /** What `/readyz` answers (src/health/readiness-checks.ts lists the checks). */
  readonly readiness: Readiness;
  private readonly pending: PendingAuthorizations;
  private readonly throttle: SignInThrottle;
  private readonly clientStatus: StatusCache<ClientStatus>;
  private readonly userStatus: StatusCache<UserStatus>;
  /** The roles admins made, per application, as the guards read them. */
  private readonly roleDefinitions: StatusCache<StoredRoles>;
  /** The roles admins make (the admin operations use it). */
  readonly roles: RoleRegistry;
  private readonly verifierPool: VerifierPool;
  /** Clients' API keys (issued, rotated, revoked by the admin operations), and the guards' cache of them. */
  readonly apiKeys: ApiKeys;
  private readonly apiKeyLookup: ApiKeyLookup;
  /** Other issuers whose tokens guards may accept (`trustedIssuers`). */
  readonly trustedIssuers: TrustedIssuers;
  /** The process's metrics (one registry per process, shared by the runtimes a reload opens). */
  readonly metrics: PortcullisMetrics = processMetrics();
  private metricsListener?: MetricsListener;
  private readonly unwatchSigningKey: () => void;

  private constructor(
    readonly settings: PortcullisSettings,
    readonly store: Store,
    readonly keys: KeyRing,
    readonly clients: ClientRegistry,
    readonly logger: Logger,
    readonly now: () => number,
    hashKey: Buffer,
    /** Push invalidation: `mode` ('push' | 'polling') and `onModeChange` feed the `portcullis_invalidation_push_up` gauge. */
    readonly invalidation: ChangeFeed,
    /** Every application's route rules: hand-written and from its OpenAPI document (application-routes.ts). */
    readonly routes: ApplicationRoutes,
  ) {
    const { tokens: ttl, applications } = settings;
    const secure = settings.issuer.startsWith('https:');
    this.verifierPool = new VerifierPool(keys, settings.issuer, this.metrics, now, settings.tokenCache?.maxMiB);
    this.tokens = new AccessTokenIssuer(keys, settings.issuer, ttl.accessTokenTtl, now);
    this.idTokens = new IdTokenIssuer(keys, settings.issuer, ttl.accessTokenTtl, now);
    const push = { feed: invalidation, safetyTtlMs: settings.invalidation.safetyTtlMs };
    // A key rotated or withdrawn elsewhere is re-read at once; after a (re)subscription too (missed messages).
    invalidation.onChange((kind) => KEY_KINDS.has(kind) && keys.changed());
    // portcullis_invalidation_push_up follows the channel: 1 while answers are kept until told, 0 while polling.
    const pushUp = () => this.metrics.setInvalidationPushUp(invalidation.mode === 'push');
    pushUp();
    invalidation.onModeChange(() => {
      // Back to push after an outage: announcements may have been missed meanwhile, so re-read the
      // keys. Going down loses nothing yet: the key ring's own refresh period covers the outage.
      if (invalidation.mode === 'push') keys.changed();
      pushUp();
    });
    this.revocations = new RevocationList(store, settings.cacheMs, now, push);
    this.clientStatus = clientStatusCache((id) => clients.find(id), settings.cacheMs, now, push);
    this.apiKeys = new ApiKeys(store, clients, hashKey, now);
    this.apiKeyLookup = apiKeyCache(this.apiKeys, settings.cacheMs, now, push);
    const storedRoles = (application: string) => readStoredRoles(store, application);
    this.users = new UserRegistry(store, applications, now, storedRoles);
    this.roles = new RoleRegistry({ store, applications, clients, users: this.users, now });
    this.roleDefinitions = roleDefinitionCache(storedRoles, settings.cacheMs, now, push);
    this.userStatus = userStatusCache((id) => this.users.find(id), settings.cacheMs, now, push);
    this.consents = new Consents(store, now);
    this.codes = new AuthorizationCodes(store, ttl.authorizationCodeTtl, now);
    this.refreshTokens = new RefreshTokens(store, ttl.refreshTokenTtl, now);
    this.revoker = new GrantRevoker(this.refreshTokens, this.revocations);
    this.sessions = new SessionManager(store, { cookieName: settings.sessions.cookieName, ttlSeconds: settings.sessions.ttl, secure, now });
    this.csrf = new Csrf(createHmac('sha256', hashKey).update('csrf-key').digest(), secure, new URL(settings.issuer).origin);
    this.pending = new PendingAuthorizations(store, now);
    this.throttle = new SignInThrottle(store, settings.signIn.maxFailures, settings.signIn.lockoutSeconds, now);
    const clientAuthCounter = this.metrics.clientAuthentications;
    this.clientAuthThrottle = new ClientAuthThrottle(store, settings.clientAuthentication, logger, now, (outcome) => clientAuthCounter.labels(outcome).inc());
    this.rateLimiter = new RateLimiter(store, settings.rateLimits, logger, now);
    this.rateLimiter.onLimited = (endpoint, by) => this.metrics.countRateLimited(endpoint, by);
    this.origins = new OriginIndex(clients, now);
    this.access = new AccountAccess({ users: this.users, clients, sessions: this.sessions, revoker: this.revoker, consents: this.consents });
    this.admin = new AdminService({ clients, users: this.users, keys, access: this.access, apiKeys: this.apiKeys, roles: this.roles }, new AuditLog(store, now));
    this.secretReveal = new SecretReveal(store, secure, now);
    this.trustedIssuers = new TrustedIssuers(settings.trustedIssuers ?? [], now, logger, this.verifierPool.cache);
    this.readiness = new Readiness(readinessChecks({ store, keys, trust: this.trustedIssuers }), { ...settings.health, now, logger });
    const userTokens = { tokens: this.tokens, idTokens: this.idTokens, refreshTokens: this.refreshTokens, applications };
    this.grants = new GrantRegistry()
      .register(authorizationCodeGrant({ ...userTokens, codes: this.codes, users: this.users, revoker: this.revoker }))
      .register(refreshTokenGrant({ ...userTokens, users: this.users, revoker: this.revoker, reuseWindow: ttl.refreshTokenReuseWindow, now }))
      .register(clientCredentialsGrant({ tokens: this.tokens, applications, storedRoles }));
    this.unwatchSigningKey = this.metrics.watchSigningKey(() => keys.activeAgeSeconds(now()));
  }

  /** What the browser-facing endpoints need. */
  interactiveDeps(): InteractiveDeps {
    const { settings, clients, users, sessions, csrf, pending, consents, codes, throttle, logger, now, keys } = this;
    const signIns = this.metrics.signIns;
    const countSignIn = (result: 'success' | 'failure' | 'throttled') => signIns.labels(result).inc();
    return { settings, clients, users, sessions, csrf, pending, consents, codes, throttle, logger, now, keys, countSignIn };
  }

  /** Verifies bearer tokens presented to the admin API (any audience of this issuer). */
  adminVerifier(): TokenVerifier {
    return this.verifierPool.get(30, [], this.settings.tokens.accessTokenTtl + 30);
  }

  /** What revocation, introspection and userinfo need to recognise a token. */
  tokenLookupDeps(): TokenLookupDeps {
    return {
      // No leeway on exp (inactive means inactive, RFC 7662), but instances' clocks may differ a little.
      verifier: this.verifierPool.get(0, [], this.settings.tokens.accessTokenTtl, ISSUED_AT_SKEW_S),
      revocationVerifier: this.verifierPool.get(LONGEST_LEEWAY_S, [], this.settings.tokens.accessTokenTtl + LONGEST_LEEWAY_S),
      revocations: this.revocations,
      refreshTokens: this.refreshTokens,
      revoker: this.revoker,
      clients: this.clients,
      users: this.users,
      audienceOf: (application) => this.settings.applications[application]?.audience,
    };
  }

  /** Opens the store, loads (or creates) the signing keys and the secret hash key. */
  static async open(settings: PortcullisSettings, options: RuntimeOptions = {}): Promise<Portcullis> {
    // Everything that can refuse the environment runs first: once the store is open, keys.init()
    // writes a signing key, and a refusal after that would leave a half-initialised store.
    parseSecretHashKey(process.env.PORTCULLIS_SECRET_HASH_KEY);
    const adminProblems = checkBootstrapAdmin(process.env);
    if (adminProblems.length) throw new SettingsError(`invalid environment: ${adminProblems.join('; ')}`);
    const routes = await applicationRoutes(settings);
    const logger = options.logger ?? createLogger();
    const now = options.now ?? Date.now;
    const raw = options.store ?? (await openStore(settings.store));
    let feed: ChangeFeed;
    try {
      feed = options.changeFeed ?? (options.store ? new PollingFeed() : await openChangeFeed(settings, { logger, now }));
    } catch (err) {
      await raw.close().catch(() => undefined);
      throw err;
    }
    // Every write to what the guard caches is announced; closing the store closes the feed.
    const store = meteredStore(failClosed(notifying(raw, feed)), processMetrics());
    try {
      const keys = new KeyRing(store, {
        algorithm: settings.keys.algorithm,
        maxTokenLifetime: settings.tokens.accessTokenTtl,
        now,
        logger,
      });
      await keys.init();
      const hashKey = await loadSecretHashKey(store);
      const clients = new ClientRegistry(store, settings.applications, hashKey, now, (application) => readStoredRoles(store, application));
      const portcullis = new Portcullis(settings, store, keys, clients, logger, now, hashKey, feed, routes);
      await bootstrapAdmin(portcullis.users, logger);
      // Keys of other issuers are fetched now, without holding start-up up (readiness waits for them).
      void portcullis.trustedIssuers.start();
      if (options.serveMetrics && settings.metrics.enabled) {
        try {
          portcullis.metricsListener = await openMetricsListener(portcullis.metrics, settings.metrics, logger);
        } catch (err) {
          portcullis.unwatchSigningKey();
          throw err;
        }
      }
      return portcullis;
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }

  /** How errors are answered at the issuer's endpoints and at protected resources. */
  errorSite(kind: ErrorSite['kind']): ErrorSite {
    return { kind, realm: this.settings.realm, logger: this.logger };
  }

  /**
   * For a plain Express app, its first middleware: the client address behind trusted proxies, the
   * request id, and the access log line (the gateway plugin installs the same one itself).
   */
  requestContext(write?: (line: string) => void): ContextMiddleware {
    return requestContext(this.settings, write);
  }

  /** A guard for one application; throws if the application is not declared. */
  guard(options: GuardPolicyOptions): Guard {
    const { guard, leeway, requiredClaims, maxTokenLifetime } = resolveGuardOptions(this.settings, options);
    return new Guard(
      {
        verifier: this.verifierPool.get(leeway, requiredClaims, maxTokenLifetime),
        clients: this.clientStatus,
        users: this.userStatus,
        roles: this.roleDefinitions,
        revocations: this.revocations,
        apiKeys: this.apiKeyLookup,
        site: this.errorSite('resource'),
        meter: new GuardMeter(this.metrics, options.application),
        foreign: this.trustedIssuers,
      },
      { ...guard, routes: this.routes.get(options.application) },
    );
  }

  /** Where this runtime serves its metrics (`http://127.0.0.1:9464/metrics`), if it does. */
  get metricsUrl(): string | undefined {
    return metricsUrlOf(this.metricsListener);
  }

  async close(): Promise<void> {
    this.unwatchSigningKey();
    await this.metricsListener?.close();
    await this.store.close();
  }
}
