import type { PermissionSource, TrustedIssuerSettings } from '../config/trusted-issuer-settings';
import { InvalidToken } from '../errors/oauth-errors';
import { ForeignJwtVerifier } from './foreign-jwt-verifier';
import type { ForeignIssuer, ForeignToken } from './foreign-token';
import { IntrospectionClient } from './introspection-client';
import { resolveEndpoints, type IssuerEndpoints } from './issuer-metadata';
import { FIRST_FETCH_RETRY_MS, RemoteKeySet } from './remote-key-set';
import { VerifiedTokenCache } from '../tokens/verified-token-cache';

/** Another issuer the settings trust: its metadata, key set, JWT verifier and introspection. */
export class TrustedIssuer implements ForeignIssuer {
  readonly issuer: string;
  readonly permissions: PermissionSource;
  readonly introspects: boolean;
  readonly keys: RemoteKeySet;
  readonly introspection?: IntrospectionClient;
  private readonly jwts: ForeignJwtVerifier;
  private endpoints?: IssuerEndpoints;
  private resolving?: Promise<IssuerEndpoints>;
  private failed?: { at: number; error: unknown };

  constructor(private readonly settings: TrustedIssuerSettings, private readonly now: () => number, onError: (error: Error) => void, cache = new VerifiedTokenCache(undefined, now)) {
    this.issuer = settings.issuer;
    this.permissions = settings.permissions ?? (settings.claims.roles === undefined ? 'scopes' : 'roles');
    this.introspects = settings.introspection !== undefined;
    const k = settings.keys;
    this.keys = new RemoteKeySet({
      jwksUri: async () => {
        const uri = (await this.resolve()).jwksUri;
        if (!uri) throw new Error(`${settings.issuer} publishes no jwks_uri`);
        return uri;
      },
      algorithms: settings.algorithms,
      cacheMs: k.cacheSeconds * 1000,
      refetchIntervalMs: k.refetchIntervalSeconds * 1000,
      maxStaleMs: k.maxStaleSeconds * 1000,
      timeoutMs: k.timeoutMs,
      unknownKidCacheSize: k.unknownKidCacheSize,
      now,
      onFetchError: onError,
    });
    this.jwts = new ForeignJwtVerifier(settings, this.keys, now, cache);
    if (settings.introspection) {
      this.introspection = new IntrospectionClient(settings, settings.introspection, async () => (await this.resolve()).introspectionEndpoint, now, cache);
    }
  }

  /**
   * The endpoints, from the settings or the metadata (once found, kept). After a failure the
   * metadata is asked again at most once per FIRST_FETCH_RETRY_MS (or `keys.refetchIntervalSeconds`
   * if shorter); requests and probes meanwhile get the failure.
   */
  private resolve(): Promise<IssuerEndpoints> {
    if (this.endpoints) return Promise.resolve(this.endpoints);
    const failed = this.failed;
    const interval = Math.min(this.settings.keys.refetchIntervalSeconds * 1000, FIRST_FETCH_RETRY_MS);
    if (failed && this.now() - failed.at < interval && this.now() >= failed.at) return Promise.reject(failed.error);
    this.resolving ??= resolveEndpoints(this.settings, this.settings.keys.timeoutMs).then(
      (endpoints) => (this.endpoints = endpoints),
      (error: unknown) => {
        this.resolving = undefined;
        this.failed = { at: this.now(), error };
        throw error;
      },
    );
    return this.resolving;
  }

  /** At start: the metadata and the key set (an issuer that only introspects: its metadata). */
  async start(): Promise<void> {
    if (this.introspects && !this.settings.jwksUri) {
      const endpoints = await this.resolve().catch(() => undefined);
      if (!endpoints?.jwksUri) return;
    }
    await this.keys.start();
  }

  /** Readiness: the keys were fetched once (or, for an issuer without a JWK Set, its metadata). */
  get ready(): boolean {
    return this.keys.loaded || (this.introspects && this.endpoints !== undefined && !this.endpoints.jwksUri);
  }

  peek(token: string): ForeignToken | undefined {
    return isJwt(token) ? this.jwts.peek(token) : this.introspection?.peek(token);
  }

  check(token: string): Promise<ForeignToken> {
    if (isJwt(token)) return this.jwts.verify(token);
    if (this.introspection) return this.introspection.introspect(token);
    return Promise.reject(new InvalidToken('the access token is malformed', 'malformed_token'));
  }
}

/** Three dot-separated parts (a JWS in compact form), counted without splitting the token. */
function isJwt(token: string): boolean {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  return second >= 0 && token.indexOf('.', second + 1) < 0;
}
