import path from 'node:path';
import Ajv from 'ajv';
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

/** The plugin's settings after validation and defaults (see settings.schema.json). */
export interface PortcullisSettings {
  issuer: string;
  realm: string;
  store: { type: 'sqlite' | 'redis'; sqlitePath: string; redisUrl: string; redisKeyPrefix: string };
  keys: { algorithm: SigningAlgorithm };
  tokens: { accessTokenTtl: number; authorizationCodeTtl: number; refreshTokenTtl: number; refreshTokenReuseWindow: number };
  pkce: { allowPlain: boolean };
  sessions: { ttl: number; cookieName: string };
  signIn: { maxFailures: number; lockoutSeconds: number };
  clientAuthentication: { maxFailures: number; windowSeconds: number; maxLockoutSeconds: number };
  cacheMs: number;
  applications: Record<string, ApplicationSettings>;
  /** Pipelines of gateway.config.yml that deliberately have no portcullis-guard (see pipeline-check.ts). */
  publicPipelines: string[];
  /** Timeouts of the gateway's HTTP server, in milliseconds (see server-timeouts.ts). */
  server: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
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
  const problems = checkRoutePermissions(settings.applications, site);
  // Node refuses a request timeout shorter than the headers timeout (the headers are part of the request).
  if (settings.server.requestTimeoutMs < settings.server.headersTimeoutMs) {
    problems.push(`${site.file}: ${site.at}.server.requestTimeoutMs: must be >= server.headersTimeoutMs (${settings.server.headersTimeoutMs})`);
  }
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
  return settings;
}
