import { createHmac } from 'node:crypto';
import type { PortcullisSettings } from '../config/settings';
import { apiKeyCache, type ApiKeyLookup } from '../guard/api-key-check';
import { applicationRoutes, type ApplicationRoutes } from '../startup/application-routes';
import type { ErrorSite } from '../http/send-error';
import { clientStatusCache, userStatusCache, type ClientStatus, type UserStatus } from '../guard/client-status';
import type { StatusCache } from '../store/status-cache';
import { Guard } from '../guard/guard';
import { roleDefinitionCache } from '../guard/role-cache';
import type { StoredRoles } from '../applications/permissions';
import { readStoredRoles } from '../admin/role-registry';
import { LONGEST_LEEWAY_S } from '../tokens/revocation-list';
import type { TokenVerifier } from '../guard/token-verifier';
import { clientCredentialsGrant } from '../issuer/grants/client-credentials';
import { GrantRegistry } from '../issuer/grants/grant-registry';
import { Readiness } from '../health/readiness';
import { readinessChecks } from '../health/readiness-checks';
import { createLogger, type Logger } from '../logging/logger';
import { KEY_KINDS, type ChangeFeed } from '../store/change-feed';
import type { Store } from '../store/store';
import type { ClientRegistry } from '../clients/client-registry';
import type { KeyRing } from '../keys/key-ring';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { OriginIndex } from '../clients/origin-index';
import { Csrf } from '../http/csrf';
import { requestContext, type ContextMiddleware } from '../http/request-context';
import { authorizationCodeGrant } from '../issuer/grants/authorization-code';
import { refreshTokenGrant } from '../issuer/grants/refresh-token';
import { PendingAuthorizations } from '../issuer/authorize/pending-authorizations';
import type { InteractiveDeps } from '../issuer/interactive/interactive-deps';
import type { TokenLookupDeps } from '../issuer/token-lookup';
import { SignInThrottle } from '../sessions/sign-in-throttle';
import { ClientAuthThrottle } from '../throttle/client-auth-throttle';
import { RateLimiter } from '../throttle/rate-limit';
import { AuthorizationCodes } from '../tokens/authorization-codes';
import { IdTokenIssuer } from '../tokens/id-token-issuer';
import { bootstrapAdmin } from './bootstrap-admin';
import { AdminRuntime } from './admin-runtime';
import { openStoreAndKeys, refuseBadEnvironment } from './open-store-and-keys';
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
 * The composition root: wires store, keys, clock and settings into the issuer and the guards, on
 * top of what the admin operations act on (AdminRuntime, admin-runtime.ts, which the command line
 * opens alone). Nothing else creates these objects or reaches for globals.
 */
export class Portcullis extends AdminRuntime {
  readonly grants: GrantRegistry;
  readonly tokens: AccessTokenIssuer;
  readonly codes: AuthorizationCodes;
  readonly idTokens: IdTokenIssuer;
  readonly origins: OriginIndex;
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
  private readonly verifierPool: VerifierPool;
  /** The guards' cache of clients' API keys. */
  private readonly apiKeyLookup: ApiKeyLookup;
  /** Other issuers whose tokens guards may accept (`trustedIssuers`). */
  readonly trustedIssuers: TrustedIssuers;
  /** The process's metrics (one registry per process, shared by the runtimes a reload opens). */
  readonly metrics: PortcullisMetrics = processMetrics();
  private metricsListener?: MetricsListener;
  private readonly unwatchSigningKey: () => void;

  private constructor(
    settings: PortcullisSettings,
    store: Store,
    keys: KeyRing,
    clients: ClientRegistry,
    logger: Logger,
    now: () => number,
    hashKey: Buffer,
    invalidation: ChangeFeed,
    /** Every application's route rules: hand-written and from its OpenAPI document (application-routes.ts). */
    readonly routes: ApplicationRoutes,
  ) {
    super(settings, store, keys, clients, logger, now, hashKey, invalidation);
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
    this.clientStatus = clientStatusCache((id) => clients.find(id), settings.cacheMs, now, push);
    this.apiKeyLookup = apiKeyCache(this.apiKeys, settings.cacheMs, now, push);
    const storedRoles = (application: string) => readStoredRoles(store, application);
    this.roleDefinitions = roleDefinitionCache(storedRoles, settings.cacheMs, now, push);
    this.userStatus = userStatusCache((id) => this.users.find(id), settings.cacheMs, now, push);
    this.codes = new AuthorizationCodes(store, ttl.authorizationCodeTtl, now);
    this.csrf = new Csrf(createHmac('sha256', hashKey).update('csrf-key').digest(), secure, new URL(settings.issuer).origin);
    this.pending = new PendingAuthorizations(store, now);
    this.throttle = new SignInThrottle(store, settings.signIn.maxFailures, settings.signIn.lockoutSeconds, now);
    const clientAuthCounter = this.metrics.clientAuthentications;
    this.clientAuthThrottle = new ClientAuthThrottle(store, settings.clientAuthentication, logger, now, (outcome) => clientAuthCounter.labels(outcome).inc(), { cacheMs: settings.cacheMs, push });
    this.rateLimiter = new RateLimiter(store, settings.rateLimits, logger, now);
    this.rateLimiter.onLimited = (endpoint, by) => this.metrics.countRateLimited(endpoint, by);
    this.origins = new OriginIndex(clients, now);
    this.secretReveal = new SecretReveal(store, secure, now);
    this.trustedIssuers = new TrustedIssuers(settings.trustedIssuers ?? [], now, logger, this.verifierPool.cache);
    this.readiness = new Readiness(readinessChecks({ store, keys, trust: this.trustedIssuers }), { ...settings.health, now, logger });
    const userTokens = { tokens: this.tokens, idTokens: this.idTokens, refreshTokens: this.refreshTokens, applications };
    this.grants = new GrantRegistry()
      .register(authorizationCodeGrant({ ...userTokens, codes: this.codes, users: this.users, revoker: this.revoker }))
      .register(refreshTokenGrant({ ...userTokens, users: this.users, revoker: this.revoker, reuseWindow: ttl.refreshTokenReuseWindow, now }))
      .register(clientCredentialsGrant({ tokens: this.tokens, applications, storedRoles: clients.currentStoredRoles }));
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
  static override async open(settings: PortcullisSettings, options: RuntimeOptions = {}): Promise<Portcullis> {
    refuseBadEnvironment();
    const routes = await applicationRoutes(settings);
    const logger = options.logger ?? createLogger();
    const wrap = (store: Store) => meteredStore(store, processMetrics());
    return openStoreAndKeys(settings, options, { logger, wrap, loadKeys: true }, async (o) => {
      const portcullis = new Portcullis(settings, o.store, o.keys, o.clients, logger, o.now, o.hashKey, o.feed, routes);
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
    });
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

  override async close(): Promise<void> {
    this.unwatchSigningKey();
    await this.metricsListener?.close();
    await super.close();
  }
}
