import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Client } from '../../src/clients/client';
import { ClientRegistry, type NewClient } from '../../src/clients/client-registry';
import type { PortcullisSettings } from '../../src/config/settings';
import type { OAuthError } from '../../src/errors/oauth-errors';
import type { AuthenticatedClient } from '../../src/issuer/client-authentication';
import type { GrantHandler, TokenResponse } from '../../src/issuer/grants/grant-handler';
import { KeyRing } from '../../src/keys/key-ring';
import { SqliteStore } from '../../src/store/sqlite-store';
import { AccessTokenIssuer } from '../../src/tokens/access-token-issuer';
import { AuthorizationCodes } from '../../src/tokens/authorization-codes';
import { GrantRevoker } from '../../src/tokens/grant-revoker';
import { IdTokenIssuer } from '../../src/tokens/id-token-issuer';
import { RefreshTokens } from '../../src/tokens/refresh-tokens';
import { RevocationList } from '../../src/tokens/revocation-list';
import { UserRegistry } from '../../src/users/user-registry';
import type { User } from '../../src/users/user';
import { testSettings } from './test-portcullis';

/**
 * The real collaborators of the grant handlers on an in-memory SQLite store, with a clock the test
 * moves: grants are called directly, without HTTP (the wire is the spec suites' part).
 */
export interface GrantFixture {
  settings: PortcullisSettings;
  store: SqliteStore;
  now: { ms: number };
  clients: ClientRegistry;
  users: UserRegistry;
  codes: AuthorizationCodes;
  refreshTokens: RefreshTokens;
  revocations: RevocationList;
  revoker: GrantRevoker;
  tokens: AccessTokenIssuer;
  idTokens: IdTokenIssuer;
  /** What both user grants mint with. */
  userTokens: { tokens: AccessTokenIssuer; idTokens: IdTokenIssuer; refreshTokens: RefreshTokens; applications: PortcullisSettings['applications'] };
  close(): Promise<void>;
}

export async function openGrantFixture(): Promise<GrantFixture> {
  const now = { ms: Date.now() };
  const clock = () => now.ms;
  const settings = testSettings();
  const { issuer, applications, tokens: ttl } = settings;
  const store = new SqliteStore({ path: ':memory:', now: clock });
  const keys = new KeyRing(store, { algorithm: settings.keys.algorithm, maxTokenLifetime: ttl.accessTokenTtl, now: clock });
  await keys.init();
  const refreshTokens = new RefreshTokens(store, ttl.refreshTokenTtl, clock);
  // No cache (0 ms): a test reads the revocation list as it is in the store.
  const revocations = new RevocationList(store, 0, clock);
  const tokens = new AccessTokenIssuer(keys, issuer, ttl.accessTokenTtl, clock);
  const idTokens = new IdTokenIssuer(keys, issuer, ttl.accessTokenTtl, clock);
  return {
    settings,
    store,
    now,
    clients: new ClientRegistry(store, applications, Buffer.alloc(32, 7), clock),
    users: new UserRegistry(store, applications, clock),
    codes: new AuthorizationCodes(store, ttl.authorizationCodeTtl, clock),
    refreshTokens,
    revocations,
    revoker: new GrantRevoker(refreshTokens, revocations),
    tokens,
    idTokens,
    userTokens: { tokens, idTokens, refreshTokens, applications },
    close: () => store.close(),
  };
}

/** A client of the echo application, as the registry stores it. */
export async function createClient(f: GrantFixture, input: Partial<NewClient> = {}): Promise<Client> {
  const created = await f.clients.create({ name: 'app', application: 'echo', ...input });
  return (await f.clients.find(created.client.clientId))!;
}

/** A user with echo roles, as the registry stores it. */
export async function createUser(f: GrantFixture, roles: string[] = ['echo-reader']): Promise<User> {
  const view = await f.users.create({ username: `u${randomUUID().slice(0, 8)}`, password: 'correct horse battery staple', roles: { echo: roles } });
  return (await f.users.find(view.userId))!;
}

/** Calls the grant as the token endpoint does after client authentication. */
export function exchange(grant: GrantHandler, client: Client, params: Record<string, string>, method: AuthenticatedClient['method'] = 'client_secret_basic'): Promise<TokenResponse> {
  return grant.handle({ params: new Map(Object.entries(params)), client: { client, method } });
}

/** The protocol error a grant threw (failing the test if it answered). */
export async function refusal(pending: Promise<unknown>, error: string, description?: RegExp): Promise<OAuthError> {
  let thrown: unknown;
  try {
    await pending;
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'the grant answered').to.be.instanceOf(Error);
  const oauth = thrown as OAuthError;
  expect(oauth.error).to.equal(error);
  if (description) expect(oauth.message).to.match(description);
  return oauth;
}
