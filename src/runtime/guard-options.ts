import type { PortcullisSettings } from '../config/settings';
import type { GuardOptions } from '../guard/guard';
import { headerPrefixProblem, IDENTITY_HEADERS, type IdentityHeader } from '../guard/identity-headers';
import { DEFAULT_REMOVE_HEADERS, RemovedHeaders } from '../guard/removed-headers';
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
      removeHeaders: new RemovedHeaders(options.removeHeaders ?? DEFAULT_REMOVE_HEADERS),
      issuerCookies: new Set([settings.sessions.cookieName, CSRF_COOKIE]),
    },
    leeway,
    requiredClaims: options.requiredClaims ?? [],
    maxTokenLifetime,
  };
}
