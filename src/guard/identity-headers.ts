import type { IncomingMessage } from 'node:http';
import type { VerifiedIdentity } from './verified-identity';

/**
 * Makes the upstream see only identity the guard verified: every incoming header with the prefix
 * is removed first (a client could otherwise send its own `X-Portcullis-Roles`), then the verified
 * values are set. Values are plain ASCII tokens, so no header injection is possible.
 */
export function setIdentityHeaders(req: IncomingMessage, identity: VerifiedIdentity, prefix: string, hideCredentials: boolean): void {
  stripIdentityHeaders(req, prefix);
  const h = req.headers;
  for (const [name, value] of headerValues(identity, prefix)) h[name] = value;
  if (hideCredentials) delete h.authorization;
}

/** Header names and values per identity, built once (identities are cached per verified token). */
const built = new WeakMap<VerifiedIdentity, { prefix: string; entries: Array<[string, string]> }>();

function headerValues(identity: VerifiedIdentity, prefix: string): Array<[string, string]> {
  const known = built.get(identity);
  if (known?.prefix === prefix) return known.entries;
  const entries: Array<[string, string]> = [
    [`${prefix}application`, identity.application],
    [`${prefix}client-id`, identity.clientId],
    [`${prefix}subject`, identity.subject],
    [`${prefix}roles`, identity.roles.join(',')],
    [`${prefix}permissions`, [...identity.permissions].join(',')],
  ];
  if (identity.scope) entries.push([`${prefix}scope`, identity.scope]);
  built.set(identity, { prefix, entries });
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
