import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
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
}

/** The JSON Schema of the settings, also handed to Express Gateway as the plugin's schema. */
export const settingsSchema = schema;

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true, strict: false });
const validate = ajv.compile(schema);

/** Thrown when settings do not match the schema; the message names every bad field. */
export class SettingsError extends Error {}

/**
 * Validates raw settings (as read from YAML), fills defaults, and resolves a relative SQLite path
 * against `home` (the installation folder) so the CLI and the server agree from any directory.
 */
export function resolveSettings(raw: unknown, home: string): PortcullisSettings {
  const copy = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (!validate(copy)) {
    const problems = (validate.errors ?? []).map(describeProblem);
    throw new SettingsError(`invalid Portcullis settings: ${problems.join('; ')}`);
  }
  const settings = copy as unknown as PortcullisSettings;
  const { sqlitePath } = settings.store;
  if (sqlitePath !== ':memory:' && !path.isAbsolute(sqlitePath)) {
    settings.store.sqlitePath = path.resolve(home, sqlitePath);
  }
  return settings;
}

/** One schema violation as a sentence that names the field, e.g. `/applications/echo: unknown field "audiense"`. */
function describeProblem(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${at}: unknown field ${JSON.stringify(params.additionalProperty)}`;
  if (e.keyword === 'required') return `${at}: missing field ${JSON.stringify(params.missingProperty)}`;
  // Fix: a bad key (application or role name, checked by propertyNames) was reported only as
  // "/applications must match pattern ...", without saying which name; name it.
  if (e.propertyName !== undefined) return `${at}: name ${JSON.stringify(e.propertyName)} ${e.message}`;
  if (e.keyword === 'propertyNames') return `${at}: name ${JSON.stringify(params.propertyName)} is not valid`;
  return `${at} ${e.message}`;
}
