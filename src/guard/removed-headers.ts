import type { IncomingMessage } from 'node:http';
import { cgiName } from './cgi-name';
import { METHOD_OVERRIDE_HEADERS } from './request-overrides';

/**
 * Identity headers of other products that a backend may trust, so a caller must not be able to
 * send them through the guard: only the guard's own `x-portcullis-*` headers carry identity.
 * A name ending in `*` is a prefix. The default of the guard's `removeHeaders` parameter.
 * `X-Forwarded-For`, `-Proto` and `-Host` are not here: proxies need them, and they carry no identity.
 */
export const DEFAULT_REMOVE_HEADERS: readonly string[] = [
  // Kong
  'x-consumer-*',
  'x-credential-identifier',
  'x-credential-username',
  'x-authenticated-*',
  'x-anonymous-consumer',
  // oauth2-proxy, Traefik/nginx forward auth
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'x-auth-request-*',
  // Apache / CGI, Authelia
  'remote-user',
  'remote-groups',
  'remote-name',
  'remote-email',
  'x-remote-user',
  'x-remote-groups',
  // Common conventions
  'x-user',
  'x-user-id',
  'x-userid',
  'x-user-name',
  'x-username',
  'x-user-email',
  'x-user-roles',
  'x-user-groups',
  'x-auth-user',
  'x-jwt-assertion',
  'x-jwt-payload',
  // Client certificates (Envoy, nginx)
  'x-forwarded-client-cert',
  'x-ssl-client-*',
  // AWS ALB and API Gateway (serverless-express), Azure App Service, Google IAP, Cloudflare Access
  'x-amzn-oidc-*',
  'x-apigateway-event',
  'x-apigateway-context',
  'x-ms-client-principal*',
  'x-ms-token-*',
  'x-goog-authenticated-user-*',
  'x-goog-iap-jwt-assertion',
  'cf-access-*',
  // Pomerium, Vouch
  'x-pomerium-*',
  'x-vouch-*',
];

/**
 * Header names to remove before the request goes upstream, compiled once per guard: exact names in a
 * Set, `*` prefixes in one anchored regular expression (the guard is on every request's path).
 * Method override headers are always removed (a same-method one passed `refuseOverrides`; the
 * upstream has no use for it).
 */
export class RemovedHeaders {
  private readonly exact: Set<string>;
  private readonly prefixes: RegExp | undefined;

  constructor(names: readonly string[]) {
    const lower = names.map((n) => n.toLowerCase());
    this.exact = new Set([...lower.filter((n) => !n.endsWith('*')), ...METHOD_OVERRIDE_HEADERS]);
    const prefixes = lower.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.prefixes = prefixes.length ? new RegExp(`^(?:${prefixes.join('|')})`) : undefined;
  }

  /** `name` must be lower case (as Node's parsed header names are). */
  has(name: string): boolean {
    return this.exact.has(name) || (this.prefixes !== undefined && this.prefixes.test(name));
  }
}

/**
 * Removes every header that starts with `prefix` or that `removed` names (in any spelling a
 * CGI-style backend reads as the same, see `cgiName`), from the parsed and the raw list:
 * http-proxy copies the parsed headers, but anything reading rawHeaders must agree.
 */
export function removeHeaders(req: IncomingMessage, prefix: string, removed: RemovedHeaders): void {
  let found = false;
  for (const name of Object.keys(req.headers)) {
    if (isRemoved(name, prefix, removed)) {
      delete req.headers[name];
      found = true;
    }
  }
  // The raw list holds the same headers: nothing parsed matched, so nothing raw does.
  if (!found) return;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (isRemoved(raw[i].toLowerCase(), prefix, removed)) raw.splice(i, 2);
  }
}

/** A module function, not a closure per request: this runs on every guarded request. */
function isRemoved(lowerName: string, prefix: string, removed: RemovedHeaders): boolean {
  const name = cgiName(lowerName);
  return name.startsWith(prefix) || removed.has(name);
}
