import type { IncomingMessage } from 'node:http';
import type { VerifiedIdentity } from './verified-identity';

/**
 * Makes the upstream see only identity the guard verified: every incoming header with the prefix
 * is removed first (a client could otherwise send its own `X-Portcullis-Roles`), then the verified
 * values are set. Values are plain ASCII tokens, so no header injection is possible.
 */
export function setIdentityHeaders(req: IncomingMessage, identity: VerifiedIdentity, options: IdentityHeaderOptions): void {
  stripIdentityHeaders(req, options.headerPrefix);
  const h = req.headers;
  for (const [name, value] of headerValues(identity, options)) h[name] = value;
  if (options.hideCredentials) delete h.authorization;
}

/** The identity headers a guard can send (after its prefix). */
export const IDENTITY_HEADERS = ['application', 'client-id', 'subject', 'roles', 'permissions', 'scope'] as const;
export type IdentityHeader = (typeof IDENTITY_HEADERS)[number];

export interface IdentityHeaderOptions {
  headerPrefix: string;
  hideCredentials: boolean;
  identityHeaders: readonly IdentityHeader[];
}

const VALUE: Record<IdentityHeader, (identity: VerifiedIdentity) => string | undefined> = {
  application: (i) => i.application,
  'client-id': (i) => i.clientId,
  subject: (i) => i.subject,
  roles: (i) => i.roles.join(','),
  permissions: (i) => [...i.permissions].join(','),
  scope: (i) => i.scope,
};

/** Header names and values per identity, built once (identities are cached per verified token). */
const built = new WeakMap<VerifiedIdentity, { options: IdentityHeaderOptions; entries: Array<[string, string]> }>();

function headerValues(identity: VerifiedIdentity, options: IdentityHeaderOptions): Array<[string, string]> {
  const known = built.get(identity);
  if (known?.options === options) return known.entries;
  const entries: Array<[string, string]> = [];
  for (const header of options.identityHeaders) {
    const value = VALUE[header](identity);
    if (value !== undefined) entries.push([`${options.headerPrefix}${header}`, value]);
  }
  built.set(identity, { options, entries });
  return entries;
}

/** Removes every header starting with `prefix` (lower case), from the parsed and the raw list. */
export function stripIdentityHeaders(req: IncomingMessage, prefix: string): void {
  let found = false;
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith(prefix)) {
      delete req.headers[name];
      found = true;
    }
  }
  // The raw list holds the same headers: nothing parsed had the prefix, so nothing raw has it.
  if (!found) return;
  // http-proxy copies parsed headers, but keep rawHeaders consistent for anything that reads them.
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i].toLowerCase().startsWith(prefix)) raw.splice(i, 2);
  }
}
