import type { Client } from '../clients/client';
import type { ClientRegistry } from '../clients/client-registry';
import type { StatusCache } from '../store/status-cache';
import type { User } from '../users/user';
import type { UserRegistry } from '../users/user-registry';
import type { RevocationHolder } from './held-revocations';
import type { RevocationList } from './revocation-list';
import { isUserToken, type ClientStanding, type StandingClaims, type UserStanding } from './token-standing';

/** Where the facts of `decideStanding` are read: the registries, or the guard's status caches. */
export interface StandingSources<C extends ClientStanding = ClientStanding, U extends UserStanding = UserStanding> {
  client(clientId: string): Promise<C | null | undefined>;
  user(userId: string): Promise<U | null | undefined>;
  /** `holder`: where the guard keeps the token's answer (its verified-token cache entry), if anywhere. */
  isRevoked(jti: string, holder?: RevocationHolder): Promise<boolean>;
}

/** The facts as loaded: the records themselves, so that a surface can go on with what it read. */
export interface LoadedStanding<C extends ClientStanding = ClientStanding, U extends UserStanding = UserStanding> {
  client: C | null;
  user?: U | null;
  revoked: boolean;
}

export interface LoadOptions<C> {
  /** Whether the user behind the token is part of the decision; by default for user tokens only. */
  withUser?: boolean;
  /** The client, when the caller has read it already (userinfo answers CORS with it first). */
  client?: C | null;
  /** Where the token's revocation answer is kept (the guard: the token's verified-token cache entry). */
  holder?: RevocationHolder;
}

/** Reads the facts, in parallel: the guard's slow path waits for one round trip, not three. */
export async function loadStanding<C extends ClientStanding, U extends UserStanding>(
  claims: StandingClaims,
  sources: StandingSources<C, U>,
  options: LoadOptions<C> = {},
): Promise<LoadedStanding<C, U>> {
  const withUser = options.withUser ?? isUserToken(claims);
  const [client, user, revoked] = await Promise.all([
    'client' in options ? options.client : sources.client(claims.client_id),
    withUser ? sources.user(claims.sub) : undefined,
    sources.isRevoked(claims.jti, options.holder),
  ]);
  return { client: client ?? null, user: withUser ? (user ?? null) : undefined, revoked };
}

/** The issuer's endpoints read the registries (the records they answer with). */
export function registrySources(registries: {
  clients: Pick<ClientRegistry, 'find'>;
  users: Pick<UserRegistry, 'find'>;
  revocations: Pick<RevocationList, 'isRevoked'>;
}): StandingSources<Client, User> {
  const { clients, users, revocations } = registries;
  return { client: (id) => clients.find(id), user: (id) => users.find(id), isRevoked: (jti) => revocations.isRevoked(jti) };
}

/** The guard reads its status caches (each answer kept for at most `cacheMs`, or until told). */
export interface StandingCaches {
  clients: Pick<StatusCache<ClientStanding>, 'peek' | 'get'>;
  users: Pick<StatusCache<UserStanding>, 'peek' | 'get'>;
  revocations: Pick<RevocationList, 'peek' | 'isRevoked'>;
}

export function cacheSources(caches: StandingCaches): StandingSources {
  const { clients, users, revocations } = caches;
  return { client: (id) => clients.get(id), user: (id) => users.get(id), isRevoked: (jti, holder) => revocations.isRevoked(jti, holder) };
}

/**
 * The facts from memory alone, or undefined if any must be read: the guard's fast path, which
 * decides a token in use without waiting.
 */
export function peekStanding(claims: StandingClaims, caches: StandingCaches, holder?: RevocationHolder): LoadedStanding | undefined {
  const client = caches.clients.peek(claims.client_id);
  if (!client) return undefined;
  let user: UserStanding | null | undefined;
  if (isUserToken(claims)) {
    const cached = caches.users.peek(claims.sub);
    if (!cached) return undefined;
    user = cached.value;
  }
  const revoked = caches.revocations.peek(claims.jti, holder);
  return revoked === undefined ? undefined : { client: client.value, user, revoked };
}
