import type { IncomingMessage } from 'node:http';
import { removeIssuerCookies } from './issuer-cookies';
import { removeHeaders, type RemovedHeaders } from './removed-headers';
import { TokenIdentity, type VerifiedIdentity } from './verified-identity';

/**
 * Makes the upstream see only identity the guard verified: every incoming header with the prefix
 * is removed first (a client could otherwise send its own `X-Portcullis-Roles`), then the verified
 * values are set. Identity headers of other products (`removeHeaders`) go in the same pass.
 * Values are plain ASCII tokens, so no header injection is possible.
 */
export function setIdentityHeaders(req: IncomingMessage, identity: VerifiedIdentity, options: IdentityHeaderOptions): void {
  removeHeaders(req, options.headerPrefix, options.removeHeaders);
  removeIssuerCookies(req, options.issuerCookies);
  const h = req.headers;
  for (const [name, value] of headerValues(identity, options)) h[name] = value;
  if (options.hideCredentials) delete h.authorization;
}

/**
 * The upstream of a public route sees no identity at all: the caller's identity headers, other
 * products' ones and the issuer's cookies are removed as on any guarded route, none is set, and
 * the Authorization header goes or stays as `hideCredentials` says (its token was not looked at).
 */
export function clearIdentityHeaders(req: IncomingMessage, options: IdentityHeaderOptions): void {
  removeHeaders(req, options.headerPrefix, options.removeHeaders);
  removeIssuerCookies(req, options.issuerCookies);
  if (options.hideCredentials) delete req.headers.authorization;
}

/**
 * Prefixes of headers that proxies, browsers and HTTP itself rely on: the guard removes every
 * incoming header with its prefix, so a prefix such as `x-` or `x-forwarded-` would strip
 * `X-Forwarded-For` (or `Content-Length`) on the way upstream.
 */
const RESERVED_PREFIXES = ['x-forwarded-', 'x-real-', 'x-request-', 'x-correlation-', 'content-', 'accept-', 'access-control-', 'sec-', 'proxy-', 'if-', 'transfer-', 'cache-'];

/** Why `prefix` cannot be a guard's `headerPrefix`, or undefined when it can. */
export function headerPrefixProblem(prefix: string): string | undefined {
  const lower = prefix.toLowerCase();
  if (!/^[a-z0-9]+-[a-z0-9-]*[a-z0-9]-$/.test(lower)) {
    return `${JSON.stringify(prefix)} is too broad: use at least two words ending in "-", such as "x-portcullis-" (every incoming header with the prefix is removed)`;
  }
  const reserved = RESERVED_PREFIXES.find((r) => lower.startsWith(r) || r.startsWith(lower));
  if (reserved) return `${JSON.stringify(prefix)} would remove the ${reserved}* headers that proxies and HTTP rely on; use a prefix of your own, such as "x-portcullis-"`;
  return undefined;
}

/** The identity headers a guard can send (after its prefix). */
export const IDENTITY_HEADERS = ['application', 'client-id', 'subject', 'roles', 'permissions', 'scope'] as const;
export type IdentityHeader = (typeof IDENTITY_HEADERS)[number];

export interface IdentityHeaderOptions {
  headerPrefix: string;
  hideCredentials: boolean;
  identityHeaders: readonly IdentityHeader[];
  /** Other headers removed before the request goes upstream. */
  removeHeaders: RemovedHeaders;
  /** The issuer's cookies (session, CSRF), removed from the Cookie header. */
  issuerCookies: ReadonlySet<string>;
}

const VALUE: Record<IdentityHeader, (identity: VerifiedIdentity) => string | undefined> = {
  application: (i) => i.application,
  'client-id': (i) => i.clientId,
  subject: (i) => i.subject,
  roles: (i) => i.roles.join(','),
  permissions: (i) => [...i.permissions].join(','),
  scope: (i) => i.scope,
};

/** Header names and values per shared part of identities, built once (identities are made per request from one, see verified-identity.ts). */
const built = new WeakMap<object, { options: IdentityHeaderOptions; entries: Array<[string, string]> }>();

function headerValues(identity: VerifiedIdentity, options: IdentityHeaderOptions): Array<[string, string]> {
  const shared = TokenIdentity.sharedPart(identity);
  const known = built.get(shared);
  if (known?.options === options) return known.entries;
  const entries: Array<[string, string]> = [];
  for (const header of options.identityHeaders) {
    const value = VALUE[header](identity);
    if (value !== undefined) entries.push([`${options.headerPrefix}${header}`, value]);
  }
  built.set(shared, { options, entries });
  return entries;
}
