import path from 'node:path';
import Ajv from 'ajv';
import type { RateLimitSettings } from '../throttle/rate-limit';
import { trustedProxyProblems, type ForwardedHeader, type TrustedProxiesSetting } from '../http/trusted-proxies';
import { checkRedisSettings } from './redis-settings-check';
import { checkRoutePermissions } from './route-permissions-check';
import { formatSchemaErrors, type ConfigSite } from './schema-errors';
import schema from './settings.schema.json';

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
  roles: Record<string, string[]>;
  routes: RouteRule[];
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
}

/** The JSON Schema of the settings, also handed to Express Gateway as the plugin's schema. */
export const settingsSchema = schema;

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true, verbose: true, strict: false });
const validate = ajv.compile(schema);

/** Thrown when settings do not match the schema; the message names every bad field. */
export class SettingsError extends Error {}

/** Where the plugin settings are, when the caller does not say: the sample layout. */
const DEFAULT_SITE: ConfigSite = { file: 'system.config.yml', at: 'plugins.portcullis' };

/**
 * Validates raw settings (as read from YAML), fills defaults, and resolves a relative SQLite path
 * against `home` (the installation folder) so the CLI and the server agree from any directory.
 * Every problem names `site.file` and the full settings path (`plugins.portcullis.tokens.accessTokenTtl`).
 */
export function resolveSettings(raw: unknown, home: string, site: ConfigSite = DEFAULT_SITE): PortcullisSettings {
  const copy = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (!validate(copy)) {
    throw new SettingsError(`invalid Portcullis settings: ${formatSchemaErrors(validate.errors, site).join('; ')}`);
  }
  const settings = copy as unknown as PortcullisSettings;
  const problems = [...checkRoutePermissions(settings.applications, site), ...checkRedisSettings(settings.store, site)];
  // Node refuses a request timeout shorter than the headers timeout (the headers are part of the request).
  if (settings.server.requestTimeoutMs < settings.server.headersTimeoutMs) {
    problems.push(`${site.file}: ${site.at}.server.requestTimeoutMs: must be >= server.headersTimeoutMs (${settings.server.headersTimeoutMs})`);
  }
  problems.push(...trustedProxyProblems(settings.trustedProxies).map((p) => `${site.file}: ${site.at}.${p}`));
  // The schema checks only the scheme; the client would fail later with a bare "Invalid URL". Not
  // echoed: the URL may hold a password.
  if (settings.store.type === 'redis' && !URL.canParse(settings.store.redisUrl)) {
    problems.push(`${site.file}: ${site.at}.store.redisUrl: not a valid URL (redis://[user:password@]host[:port][/db])`);
  }
  if (problems.length) throw new SettingsError(`invalid Portcullis settings: ${problems.join('; ')}`);
  const { sqlitePath } = settings.store;
  if (sqlitePath !== ':memory:' && !path.isAbsolute(sqlitePath)) {
    settings.store.sqlitePath = path.resolve(home, sqlitePath);
  }
  // TLS files, like the SQLite file, are found from any working directory (server and CLI alike).
  const tls = settings.store.redis.tls;
  for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
    const file = tls[field];
    if (file !== undefined && !path.isAbsolute(file)) tls[field] = path.resolve(home, file);
  }
  return settings;
}
