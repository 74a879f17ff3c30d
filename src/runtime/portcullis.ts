import type { PortcullisSettings } from '../config/settings';
import { ClientRegistry } from '../clients/client-registry';
import { loadSecretHashKey } from '../clients/secret-hash-key';
import type { ErrorSite } from '../errors/send-error';
import { ClientStatusCache } from '../guard/client-status';
import { Guard, type GuardOptions } from '../guard/guard';
import { RevocationList } from '../guard/revocation-list';
import { TokenVerifier } from '../guard/token-verifier';
import { clientCredentialsGrant } from '../issuer/grants/client-credentials';
import { GrantRegistry } from '../issuer/grants/grant-registry';
import { KeyRing } from '../keys/key-ring';
import { createLogger, type Logger } from '../logging/logger';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';

export interface RuntimeOptions {
  /** Use this store instead of opening the one the settings name (tests pass `:memory:`). */
  store?: Store;
  logger?: Logger;
  now?: () => number;
}

/** Options of one guard instance (a pipeline's policy action). */
export interface GuardPolicyOptions {
  application: string;
  leeway?: number;
  requiredClaims?: string[];
  headerPrefix?: string;
  hideCredentials?: boolean;
}

/**
 * The composition root: wires store, keys, clock and settings into the issuer and the guards.
 * Nothing else creates these objects or reaches for globals.
 */
export class Portcullis {
  readonly grants: GrantRegistry;
  readonly tokens: AccessTokenIssuer;
  readonly revocations: RevocationList;
  private readonly clientStatus: ClientStatusCache;
  private readonly verifiers = new Map<string, TokenVerifier>();

  private constructor(
    readonly settings: PortcullisSettings,
    readonly store: Store,
    readonly keys: KeyRing,
    readonly clients: ClientRegistry,
    readonly logger: Logger,
    readonly now: () => number,
  ) {
    this.tokens = new AccessTokenIssuer(keys, settings.issuer, settings.tokens.accessTokenTtl, now);
    this.grants = new GrantRegistry().register(clientCredentialsGrant({ tokens: this.tokens, applications: settings.applications }));
    this.revocations = new RevocationList(store, settings.cacheMs);
    this.clientStatus = new ClientStatusCache(clients, settings.cacheMs);
  }

  /** Opens the store, loads (or creates) the signing keys and the secret hash key. */
  static async open(settings: PortcullisSettings, options: RuntimeOptions = {}): Promise<Portcullis> {
    const logger = options.logger ?? createLogger();
    const now = options.now ?? Date.now;
    const store = options.store ?? (await openStore(settings.store));
    try {
      const keys = new KeyRing(store, {
        algorithm: settings.keys.algorithm,
        maxTokenLifetime: settings.tokens.accessTokenTtl,
        now,
        logger,
      });
      await keys.init();
      const clients = new ClientRegistry(store, settings.applications, await loadSecretHashKey(store), now);
      return new Portcullis(settings, store, keys, clients, logger, now);
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }

  /** How errors are answered at the issuer's endpoints and at protected resources. */
  errorSite(kind: ErrorSite['kind']): ErrorSite {
    return { kind, realm: this.settings.realm, logger: this.logger };
  }

  /** A guard for one application; throws if the application is not declared. */
  guard(options: GuardPolicyOptions): Guard {
    const settings = this.settings.applications[options.application];
    if (!settings) throw new Error(`unknown application ${JSON.stringify(options.application)}`);
    const guardOptions: GuardOptions = {
      application: options.application,
      settings,
      headerPrefix: (options.headerPrefix ?? 'x-portcullis-').toLowerCase(),
      hideCredentials: options.hideCredentials ?? false,
    };
    return new Guard(
      { verifier: this.verifier(options.leeway ?? 30, options.requiredClaims ?? []), clients: this.clientStatus, revocations: this.revocations, site: this.errorSite('resource') },
      guardOptions,
    );
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** Verifiers are shared between guards with the same settings, so they share one token cache. */
  private verifier(leeway: number, requiredClaims: string[]): TokenVerifier {
    const key = JSON.stringify([leeway, requiredClaims]);
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      verifier = new TokenVerifier(this.keys, { issuer: this.settings.issuer, leeway, requiredClaims, now: this.now });
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }
}
