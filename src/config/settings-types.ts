/**
 * The shapes of the plugin settings after validation and defaults (settings.schema.json). Kept
 * apart from settings.ts, which validates, so the checks that settings.ts runs can use the types
 * without importing it back.
 */
import type { ForwardedHeader, TrustedProxiesSetting } from '../http/trusted-proxies';
import type { TrustedIssuerSettings } from './trusted-issuer-settings';

export type { ClaimMapping, PermissionSource, TrustedIssuerSettings } from './trusted-issuer-settings';

/** HTTP methods a route rule can name. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** One rule: requests matching `methods` + `path` need `permission`. */
export interface RouteRule {
  methods?: HttpMethod[];
  /** A path pattern: `*` matches one segment, `**` any number of segments. */
  path: string;
  permission: string;
}

/** A protected API as ops declare it: its audience, which roles grant which permissions, routes. */
export interface ApplicationSettings {
  audience: string;
  description?: string;
  /**
   * The permissions ops declare: what roles (YAML or admin-made), scopes and route rules may name.
   * Filled at load with the union of the YAML roles' permissions when not given.
   */
  permissions: string[];
  /** The YAML roles (read-only in the admin area); admins add their own (src/admin/role-registry.ts). */
  roles: Record<string, string[]>;
  /** Hand-written rules, tried before those of `openapi` (none by default). */
  routes: RouteRule[];
  /** An OpenAPI 3.0 or 3.1 document whose operations become route rules (src/openapi/). */
  openapi?: OpenApiSource;
  /** Other issuers whose tokens this application accepts (`trustedIssuers[].issuer`); none by default. */
  trustedIssuers: string[];
  /** Tokens of those issuers must name one of these clients (`azp` / `client_id`); any by default. */
  allowedClientIds?: string[];
}

/** `applications.<name>.openapi`: which document, and where its paths are served if not at its `servers`. */
export interface OpenApiSource {
  /** A file (YAML or JSON); a relative path is resolved against the installation folder. */
  document: string;
  /** Replaces the base path of the document's `servers` (`/petstore` serves `/pets` at `/petstore/pets`). */
  basePath?: string;
}

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** `store.redis`: how to reach Redis besides `store.redisUrl` (see docs/ops-guide.md, Redis). */
export interface RedisConnectionSettings {
  mode: 'standalone' | 'cluster' | 'sentinel';
  /** Seed nodes, `host:port`. */
  cluster: { nodes: string[] };
  sentinel: { masterName?: string; sentinels: string[]; database: number; username?: string; password?: string };
  username?: string;
  /** `PORTCULLIS_REDIS_PASSWORD` wins over this. */
  password?: string;
  /** Certificate files by path, read at start. */
  tls: { enabled: boolean; caFile?: string; certFile?: string; keyFile?: string; servername?: string };
}

/** The plugin's settings after validation and defaults (see settings.schema.json). */
export interface PortcullisSettings {
  issuer: string;
  realm: string;
  store: { type: 'sqlite' | 'redis'; sqlitePath: string; redisUrl: string; redisKeyPrefix: string; redis: RedisConnectionSettings };
  keys: { algorithm: SigningAlgorithm };
  tokens: { accessTokenTtl: number; authorizationCodeTtl: number; refreshTokenTtl: number; refreshTokenReuseWindow: number };
  pkce: { allowPlain: boolean };
  sessions: { ttl: number; cookieName: string };
  signIn: { maxFailures: number; lockoutSeconds: number };
  clientAuthentication: { maxFailures: number; windowSeconds: number; maxLockoutSeconds: number };
  /** Request rate limits of the token, revocation and introspection endpoints (see rate-limit.ts). */
  rateLimits: RateLimitSettings;
  cacheMs: number;
  /** The memory of verified bearer tokens, one budget for all places that verify them (src/tokens/verified-token-cache.ts). */
  tokenCache: { maxMiB: number };
  /** Push invalidation of the guard's caches (src/store/change-feed.ts). */
  invalidation: { push: boolean; safetyTtlMs: number };
  applications: Record<string, ApplicationSettings>;
  /** Pipelines of gateway.config.yml that deliberately have no portcullis-guard (see pipeline-check.ts). */
  publicPipelines: string[];
  /** Timeouts of the gateway's HTTP server, in milliseconds (see server-timeouts.ts). */
  server: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** `/readyz`: how long an answer is reused and how long one check may take (see src/health/readiness.ts). */
  health: { cacheMs: number; timeoutMs: number };
  /** `portcullis start` on SIGTERM/SIGINT (see src/runtime/graceful-shutdown.ts). */
  shutdown: { delayMs: number; graceMs: number };
  /** Proxies whose forwarding headers are believed (see trusted-proxies.ts). */
  trustedProxies: TrustedProxiesSetting;
  forwardedHeader: ForwardedHeader;
  /** The per-request JSON log (see access-log.ts). */
  accessLog: { enabled: boolean; destination: 'stdout' | 'stderr' };
  /** The Prometheus metrics listener (see src/metrics/metrics-listener.ts). */
  metrics: { enabled: boolean; host: string; port: number };
  /** The product's name, logo and colour on every page (see src/pages/brand.ts). */
  branding: { productName: string; logoUrl?: string; primaryColor: string };
  /** Other issuers whose tokens guards may accept (src/trust/). */
  trustedIssuers: TrustedIssuerSettings[];
}

/** The endpoints that have rate limits (the `rateLimits` settings name them the same way). */
export type RateLimitedEndpoint = 'token' | 'revocation' | 'introspection';
/** One limit: at most `limit` requests per fixed window of `windowSeconds`; `false` or 0 is off. */
export type RateLimitRule = { limit: number; windowSeconds: number } | false;
/** The limits of one endpoint; `false` turns both off. */
export type EndpointRateLimits = { perClient: RateLimitRule; perAddress: RateLimitRule } | false;
/** The `rateLimits` settings (defaults in settings.schema.json); `false` turns every limit off. */
export type RateLimitSettings = Record<RateLimitedEndpoint, EndpointRateLimits> | false;
