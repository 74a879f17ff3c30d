import type { IncomingMessage } from 'node:http';
import type { Client } from '../clients/client';
import type { ClientRegistry } from '../clients/client-registry';
import { InvalidClient, InvalidRequest } from '../errors/oauth-errors';
import { headerLines } from '../http/header-lines';
import { peerAddress } from '../http/peer-address';
import type { FormParams } from '../http/read-form';
import type { ClientAuthAttempt, ClientAuthThrottle } from '../throttle/client-auth-throttle';

/** Client authentication methods this issuer implements (advertised in discovery). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** What client authentication reads: secrets checked by the registry, public clients found by id. */
export type ClientCredentials = Pick<ClientRegistry, 'authenticate' | 'find'>;

export interface AuthenticatedClient {
  client: Client;
  method: (typeof CLIENT_AUTH_METHODS)[number];
}

/** Undoes application/x-www-form-urlencoded; most ids and secrets have nothing to undo. */
function formDecoded(s: string): string {
  return s.includes('%') || s.includes('+') ? decodeURIComponent(s.replace(/\+/g, ' ')) : s;
}

/** Parses `Authorization: Basic` (RFC 6749 §2.3.1: id and secret are form-urlencoded first). */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: formDecoded(decoded.slice(0, colon)), secret: formDecoded(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Authenticates the client of a token, revocation or introspection request.
 * RFC 6749 §2.3: a client must not use more than one method in one request. Every failure is the
 * same `invalid_client`, so an attacker learns nothing about which part was wrong.
 * RFC 6749 §2.3.1: failures are counted and throttled (`slow_down`, 429) per claimed client id and
 * per peer address before any secret is checked, so a locked client id cannot be guessed further.
 */
export async function authenticateClient(
  req: IncomingMessage,
  params: FormParams,
  clients: ClientCredentials,
  realm: string,
  throttle: Pick<ClientAuthThrottle, 'begin'>,
): Promise<AuthenticatedClient> {
  // §2.3: one method, one credential. Node would keep the first of two Authorization headers,
  // and a proxy in front may have checked the other one.
  if (headerLines(req, 'authorization') > 1) throw new InvalidRequest('more than one Authorization header');
  const header = req.headers.authorization;
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  const address = peerAddress(req);
  const refused = async (attempt: ClientAuthAttempt, usedBasic: boolean, description = 'client authentication failed') => {
    await attempt.failed();
    return new InvalidClient(description, usedBasic, realm);
  };

  if (header !== undefined && /^basic\b/i.test(header)) {
    if (bodySecret !== undefined) throw new InvalidRequest('use one client authentication method, not Basic and client_secret together');
    const basic = parseBasic(header);
    if (basic && bodyId !== undefined && bodyId !== basic.id) throw new InvalidRequest('client_id does not match the authenticated client');
    const attempt = await throttle.begin(basic?.id, address);
    if (!basic) throw await refused(attempt, true, 'malformed Basic credentials');
    const client = await clients.authenticate(basic.id, basic.secret);
    if (!client) throw await refused(attempt, true);
    await attempt.succeeded(client.clientId);
    return { client, method: 'client_secret_basic' };
  }
  if (header !== undefined) throw new InvalidRequest('unsupported Authorization scheme for client authentication');

  if (bodyId === undefined) throw new InvalidClient('client authentication required', false, realm);
  const attempt = await throttle.begin(bodyId, address, bodySecret !== undefined);
  if (bodySecret !== undefined) {
    const client = await clients.authenticate(bodyId, bodySecret);
    if (!client) throw await refused(attempt, false);
    await attempt.succeeded(client.clientId);
    return { client, method: 'client_secret_post' };
  }
  // No secret: only a public client may go on, and only with grants that protect themselves (PKCE).
  const client = await clients.find(bodyId);
  if (!client || client.type !== 'public' || client.status !== 'active') throw await refused(attempt, false);
  await attempt.succeeded(client.clientId);
  return { client, method: 'none' };
}
