import type { IncomingMessage } from 'node:http';
import { InvalidRequest, MissingToken } from '../errors/oauth-errors';
import { extractBearer } from '../guard/extract-bearer';
import { peerAddress } from '../http/peer-address';
import { ADMIN_SCOPE } from '../issuer/authorize/authorization-request';
import type { ClientRegistry } from '../clients/client-registry';
import type { TokenVerifier } from '../guard/token-verifier';
import type { SessionManager } from '../sessions/session-manager';
import type { RevocationList } from '../tokens/revocation-list';
import { decideStanding, isUserToken } from '../tokens/token-standing';
import { loadStanding, registrySources } from '../tokens/token-standing-facts';
import type { UserRegistry } from '../users/user-registry';
import { adminRoleOf, type Actor } from './admin-authorization';

/** Who is calling the admin area, or why not. */
export type ActorResult =
  | { kind: 'actor'; actor: Actor; via: 'session' | 'bearer' }
  | { kind: 'anonymous' }
  | { kind: 'not-admin'; name: string }
  | { kind: 'invalid-token'; reason: string; /** RFC 6750 §3.1: malformed bearer credentials (400 invalid_request). */ malformed?: boolean };

/** What resolving the caller needs: the admin verifier, revocations, clients, users and sessions. */
export interface ActorDeps {
  /** Verifies bearer tokens presented to the admin API (any audience of this issuer). */
  adminVerifier(): TokenVerifier;
  revocations: Pick<RevocationList, 'isRevoked'>;
  clients: Pick<ClientRegistry, 'find'>;
  users: Pick<UserRegistry, 'find'>;
  sessions: Pick<SessionManager, 'read'>;
}

/**
 * Resolves the caller of the admin area: a bearer token of a service client (automation) that
 * holds an admin role, or else the signed-in user's session.
 *
 * A user's access token is an admin credential only if it was granted the `portcullis:admin` scope,
 * which the user consented to by name: otherwise every app an admin signs in to could administer
 * the issuer with the token it received for its own application.
 */
export async function resolveActor(req: IncomingMessage, p: ActorDeps): Promise<ActorResult> {
  if (req.headers.authorization !== undefined) {
    let claims;
    try {
      claims = await p.adminVerifier().verify(extractBearer(req));
    } catch (err) {
      // RFC 6750 §3.1: another scheme (Basic) is no bearer credential at all; a malformed one is a bad request.
      if (err instanceof MissingToken) return { kind: 'anonymous' };
      return { kind: 'invalid-token', reason: err instanceof Error ? err.message : 'invalid token', malformed: err instanceof InvalidRequest };
    }
    const userToken = isUserToken(claims);
    const adminScope = (claims.scope ?? '').split(' ').includes(ADMIN_SCOPE);
    // The user is part of the decision only for a token that could name an admin (admin scope).
    const facts = await loadStanding(claims, registrySources(p), { withUser: userToken && adminScope });
    const standing = decideStanding(claims, facts);
    if (!standing.honoured) return { kind: 'invalid-token', reason: standing.summary };
    const client = facts.client!;
    if (userToken) {
      if (!adminScope) {
        return { kind: 'invalid-token', reason: `a user's access token needs the ${ADMIN_SCOPE} scope to call the admin API` };
      }
      const user = facts.user!;
      const adminRole = adminRoleOf(user);
      if (!adminRole) return { kind: 'not-admin', name: user.username };
      return { kind: 'actor', via: 'bearer', actor: { type: 'user', id: user.userId, name: user.username, adminRole, from: peerAddress(req) } };
    }
    const adminRole = adminRoleOf(client);
    if (!adminRole) return { kind: 'not-admin', name: client.name };
    return { kind: 'actor', via: 'bearer', actor: { type: 'client', id: client.clientId, name: client.name, adminRole, from: peerAddress(req) } };
  }
  const session = await p.sessions.read(req);
  const user = session ? await p.users.find(session.userId) : undefined;
  if (!user || user.status !== 'active') return { kind: 'anonymous' };
  const adminRole = adminRoleOf(user);
  if (!adminRole) return { kind: 'not-admin', name: user.username };
  return { kind: 'actor', via: 'session', actor: { type: 'user', id: user.userId, name: user.username, adminRole, from: peerAddress(req) } };
}
