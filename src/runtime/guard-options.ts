import type { PortcullisSettings } from '../config/settings';
import type { GuardOptions } from '../guard/guard';
import { headerPrefixProblem, IDENTITY_HEADERS, type IdentityHeader } from '../guard/identity-headers';
import { DEFAULT_REMOVE_HEADERS, RemovedHeaders } from '../guard/removed-headers';
import { DEFAULT_API_KEY_HEADER } from '../guard/api-key-check';
import { CSRF_COOKIE } from '../http/csrf';
import type { RoleMode } from '../guard/role-source';

/** Options of one guard instance (a pipeline's policy action). */
export interface GuardPolicyOptions {
  application: string;
  leeway?: number;
  requiredClaims?: string[];
  /** The longest token lifetime (`exp - iat`, seconds) accepted; default `tokens.accessTokenTtl` + leeway. */
  maxTokenLifetime?: number;
  headerPrefix?: string;
  hideCredentials?: boolean;
  /** Which identity headers go upstream (all by default). */
  identityHeaders?: IdentityHeader[];
  /** Incoming headers removed before the upstream (`*` ends a prefix); replaces DEFAULT_REMOVE_HEADERS. */
  removeHeaders?: readonly string[];
  /** `required`: the token's client's API key must be sent too (`apiKeyHeader`); default `off`. */
  apiKey?: 'off' | 'required';
  /** The header that carries the API key; default `X-API-Key`. Never sent upstream. */
  apiKeyHeader?: string;
  /** Refusals carry `X-Portcullis-Debug` (not for production). */
  debugHeader?: boolean;
  /** `token` (default): the token's `roles` claim; `live`: the caller's current roles (src/guard/role-source.ts). */
  roles?: RoleMode;
}

/** A guard's options and the verifier settings it needs, from the policy's parameters. */
export interface ResolvedGuardOptions {
  guard: GuardOptions;
  leeway: number;
  requiredClaims: string[];
  maxTokenLifetime: number;
}

/**
 * The parameters of one guard (a pipeline's policy action, or a plain-Express caller's options),
 * with their defaults; throws, naming the field, for an undeclared application, a `headerPrefix`
 * that would strip headers proxies rely on, or a bad `maxTokenLifetime`.
 */
export function resolveGuardOptions(settings: PortcullisSettings, options: GuardPolicyOptions): ResolvedGuardOptions {
  const application = settings.applications[options.application];
  if (!application) throw new Error(`unknown application ${JSON.stringify(options.application)}`);
  const prefixProblem = headerPrefixProblem(options.headerPrefix ?? 'x-portcullis-');
  if (prefixProblem) throw new Error(`portcullis guard for ${options.application}: headerPrefix ${prefixProblem}`);
  const leeway = options.leeway ?? 30;
  const maxTokenLifetime = options.maxTokenLifetime ?? settings.tokens.accessTokenTtl + leeway;
  if (!Number.isInteger(maxTokenLifetime) || maxTokenLifetime < 1) {
    throw new Error(`portcullis guard for ${options.application}: maxTokenLifetime must be a positive integer (seconds), got ${JSON.stringify(options.maxTokenLifetime)}`);
  }
  const apiKeyHeader = apiKeyHeaderOf(options);
  const removed = [...(options.removeHeaders ?? DEFAULT_REMOVE_HEADERS), ...(apiKeyHeader ? [apiKeyHeader] : [])];
  const roles = options.roles ?? 'token';
  if (roles !== 'token' && roles !== 'live') throw new Error(`portcullis guard for ${options.application}: roles must be token or live, got ${JSON.stringify(options.roles)}`);
  return {
    guard: {
      roles,
      application: options.application,
      settings: application,
      headerPrefix: (options.headerPrefix ?? 'x-portcullis-').toLowerCase(),
      hideCredentials: options.hideCredentials ?? false,
      identityHeaders: options.identityHeaders ?? [...IDENTITY_HEADERS],
      // The API key is a credential like the token: it never reaches the upstream.
      removeHeaders: new RemovedHeaders(removed),
      issuerCookies: new Set([settings.sessions.cookieName, CSRF_COOKIE]),
      ...(apiKeyHeader ? { apiKeyHeader } : {}),
      ...(options.debugHeader ? { debugHeader: true } : {}),
    },
    leeway,
    requiredClaims: options.requiredClaims ?? [],
    maxTokenLifetime,
  };
}

/** The lower-case API key header when keys are required; throws, naming the field, for a bad one. */
function apiKeyHeaderOf(options: GuardPolicyOptions): string | undefined {
  const mode = options.apiKey ?? 'off';
  if (mode !== 'off' && mode !== 'required') throw new Error(`portcullis guard for ${options.application}: apiKey must be off or required, got ${JSON.stringify(options.apiKey)}`);
  if (mode === 'off') return undefined;
  const header = (options.apiKeyHeader ?? DEFAULT_API_KEY_HEADER).toLowerCase();
  // The token's own header, or one of the guard's identity headers, cannot also carry the key.
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(header) || header === 'authorization' || header === 'cookie' || header.startsWith((options.headerPrefix ?? 'x-portcullis-').toLowerCase())) {
    throw new Error(`portcullis guard for ${options.application}: apiKeyHeader ${JSON.stringify(options.apiKeyHeader)} cannot carry the API key: use a header of its own, such as X-API-Key`);
  }
  return header;
}
