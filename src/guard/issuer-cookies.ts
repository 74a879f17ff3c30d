import type { IncomingMessage } from 'node:http';

/**
 * Removes the issuer's own cookies (the sign-in session, the CSRF cookie) from the `Cookie` header
 * before the request goes upstream. Browsers send them to every path of the gateway's host, so an
 * API behind the guard would otherwise receive a live session it could replay at `/admin`: the
 * issuer's credentials never belong to a resource server (RFC 6265 §8.5: cookies do not isolate by
 * path). Other cookies pass unchanged, in the parsed and the raw headers.
 */
export function removeIssuerCookies(req: IncomingMessage, names: ReadonlySet<string>): void {
  const header = req.headers.cookie;
  if (header === undefined || ![...names].some((name) => header.includes(name))) return;
  const kept = keep(header, names);
  if (kept) req.headers.cookie = kept;
  else delete req.headers.cookie;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i].length !== 6 || raw[i].toLowerCase() !== 'cookie') continue;
    const value = keep(raw[i + 1], names);
    if (value) raw[i + 1] = value;
    else raw.splice(i, 2);
  }
}

/** The `name=value` pairs of a Cookie header whose name is not in `names`. */
function keep(header: string, names: ReadonlySet<string>): string {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair && !names.has(pair.split('=', 1)[0].trim()))
    .join('; ');
}
