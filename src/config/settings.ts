import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { trustedProxyProblems } from '../http/trusted-proxies';
import { declarePermissions } from './declared-permissions';
import { checkRedisSettings } from './redis-settings-check';
import { checkRoutePermissions } from './route-permissions-check';
import { checkTrustedIssuers } from './trusted-issuers-check';
import { formatSchemaErrors, joinPath, type ConfigSite } from './schema-errors';
import schema from './settings.schema.json';
import type { PortcullisSettings } from './settings-types';
import { SettingsError } from './settings-error';
import { settingsValidator } from './settings-validator';

export type { ApplicationSettings, ClaimMapping, HttpMethod, OpenApiSource, PermissionSource, TrustedIssuerSettings, PortcullisSettings, RedisConnectionSettings, RouteRule, SigningAlgorithm } from './settings-types';

/** The JSON Schema of the settings, also handed to Express Gateway as the plugin's schema. */
export const settingsSchema = schema;

/** Compiled (or loaded precompiled, settings-validator.ts) on first use, not when this file is imported. */
let validate: ValidateFunction | undefined;

export { SettingsError } from './settings-error';

/** Where the plugin settings are, when the caller does not say: the sample layout. */
const DEFAULT_SITE: ConfigSite = { file: 'system.config.yml', at: 'plugins.portcullis' };

/**
 * Validates raw settings (as read from YAML), fills defaults, and resolves a relative SQLite path
 * against `home` (the installation folder) so the CLI and the server agree from any directory.
 * Every problem names `site.file` and the full settings path (`plugins.portcullis.tokens.accessTokenTtl`).
 */
export function resolveSettings(raw: unknown, home: string, site: ConfigSite = DEFAULT_SITE): PortcullisSettings {
  const copy = structuredClone(raw ?? {}) as Record<string, unknown>;
  validate ??= settingsValidator(schema);
  if (!validate(copy)) {
    throw new SettingsError(`invalid Portcullis settings: ${formatSchemaErrors(validate.errors, site).join('; ')}`);
  }
  const settings = copy as unknown as PortcullisSettings;
  // Hand-written routes, an OpenAPI document or both: an application with neither is most likely a mistake.
  const sourceless = Object.entries(settings.applications).filter(([, app]) => !app.routes && !app.openapi);
  if (sourceless.length) {
    throw new SettingsError(`invalid Portcullis settings: ${sourceless.map(([name]) => `${site.file}: ${joinPath(joinPath(site.at, 'applications'), name)}.routes: missing required field (or name an OpenAPI document in openapi)`).join('; ')}`);
  }
  for (const app of Object.values(settings.applications)) app.routes ??= [];
  const problems = [...declarePermissions(settings.applications, site), ...checkRoutePermissions(settings.applications, site), ...checkRedisSettings(settings.store, site), ...checkTrustedIssuers(settings, site)];
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
  // An OpenAPI document too, so `portcullis routes` and the server read the same file.
  for (const app of Object.values(settings.applications)) {
    if (app.openapi && !path.isAbsolute(app.openapi.document)) app.openapi.document = path.resolve(home, app.openapi.document);
  }
  // TLS files, like the SQLite file, are found from any working directory (server and CLI alike).
  const tls = settings.store.redis.tls;
  for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
    const file = tls[field];
    if (file !== undefined && !path.isAbsolute(file)) tls[field] = path.resolve(home, file);
  }
  return settings;
}
