import { expect } from 'chai';
import { clientStatusCache, userStatusCache } from '../../src/guard/client-status';
import { RevocationList } from '../../src/tokens/revocation-list';
import type { StandingClaims } from '../../src/tokens/token-standing';
import { cacheSources, loadStanding, peekStanding, registrySources, type StandingCaches } from '../../src/tokens/token-standing-facts';
import { createClient, createUser, openGrantFixture, type GrantFixture } from '../helpers/grant-fixture';

/** Where decideStanding's facts come from: the registries, or the guard's caches (fast path: memory only). */
describe('token standing: loading the facts (src/tokens/token-standing-facts.ts)', () => {
  let f: GrantFixture;
  let clientToken: StandingClaims;
  let userToken: StandingClaims;

  beforeEach(async () => {
    f = await openGrantFixture();
    const client = await createClient(f);
    const user = await createUser(f);
    const iat = Math.floor(f.now.ms / 1000);
    clientToken = { client_id: client.clientId, sub: client.clientId, aud: 'urn:portcullis:application:echo', iat, jti: 'jti-client' };
    userToken = { ...clientToken, sub: user.userId, jti: 'jti-user' };
  });
  afterEach(() => f.close());

  describe('loadStanding from the registries', () => {
    it('a client token: the client and its revocation, no user', async () => {
      const facts = await loadStanding(clientToken, registrySources(f));
      expect(facts.client?.clientId).to.equal(clientToken.client_id);
      expect(facts).to.include({ user: undefined, revoked: false });
    });

    it('a user token: the user too', async () => {
      const facts = await loadStanding(userToken, registrySources(f));
      expect(facts.user?.userId).to.equal(userToken.sub);
    });

    it('what is not there is null; a revoked jti is revoked', async () => {
      await f.revocations.revoke(userToken.jti, userToken.iat + 3600);
      const facts = await loadStanding({ ...userToken, client_id: 'pcc_gone', sub: 'usr_gone' }, registrySources(f));
      expect(facts).to.deep.equal({ client: null, user: null, revoked: true });
    });

    it('withUser reads the user whatever the token (userinfo), or not at all', async () => {
      expect((await loadStanding(clientToken, registrySources(f), { withUser: true })).user).to.equal(null);
      expect((await loadStanding(userToken, registrySources(f), { withUser: false })).user).to.equal(undefined);
    });

    it('a client the caller read already is taken as given, not read again', async () => {
      expect((await loadStanding(clientToken, registrySources(f), { client: null })).client).to.equal(null);
    });
  });

  describe('peekStanding from the guard\'s caches', () => {
    let caches: StandingCaches;

    beforeEach(() => {
      const clock = () => f.now.ms;
      caches = {
        clients: clientStatusCache((id) => f.clients.find(id), 1000, clock),
        users: userStatusCache((id) => f.users.find(id), 1000, clock),
        revocations: new RevocationList(f.store, 1000, clock),
      };
    });

    it('nothing in memory yet: undefined (ask the store), never a guess', () => {
      expect(peekStanding(clientToken, caches)).to.equal(undefined);
    });

    it('once loaded through the caches, the same facts come from memory, without waiting', async () => {
      const loaded = await loadStanding(userToken, cacheSources(caches));
      // The guard's caches also keep the current roles (for `roles: live`, src/guard/role-source.ts).
      expect(loaded).to.deep.equal({ client: { status: 'active', application: 'echo', tokensValidAfter: undefined, roles: [] }, user: { status: 'active', roles: { echo: ['echo-reader'] } }, revoked: false });
      expect(peekStanding(userToken, caches)).to.deep.equal(loaded);
    });

    it('a user token needs its user in memory too; a client token does not', async () => {
      await loadStanding(clientToken, cacheSources(caches));
      expect(peekStanding(clientToken, caches)).to.deep.equal({ client: { status: 'active', application: 'echo', tokensValidAfter: undefined, roles: [] }, user: undefined, revoked: false });
      expect(peekStanding({ ...userToken, jti: clientToken.jti }, caches)).to.equal(undefined);
    });

    it('past the cache lifetime memory no longer answers', async () => {
      await loadStanding(clientToken, cacheSources(caches));
      f.now.ms += 1001;
      expect(peekStanding(clientToken, caches)).to.equal(undefined);
    });
  });
});
