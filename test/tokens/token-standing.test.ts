import { expect } from 'chai';
import { decideStanding, isActiveUser, isUserToken, type StandingClaims, type StandingFacts, type StandingPlace } from '../../src/tokens/token-standing';

// Pure: every rule of decideStanding on facts written out here, no store, no clock.
const ISSUED_AT = 1_700_000_000;
const CLIENT_TOKEN: StandingClaims = { client_id: 'pcc_bot', sub: 'pcc_bot', aud: 'urn:app:echo', iat: ISSUED_AT, jti: 'j1' };
const USER_TOKEN: StandingClaims = { ...CLIENT_TOKEN, sub: 'usr_ada' };
const ECHO: StandingPlace = { audience: 'urn:app:echo', application: 'echo' };
const ACTIVE_CLIENT = { status: 'active', application: 'echo' } as const;
const HONOURED_FACTS: StandingFacts = { client: ACTIVE_CLIENT, revoked: false };

function refusal(claims: StandingClaims, facts: StandingFacts, place?: StandingPlace) {
  const standing = decideStanding(claims, facts, place);
  if (standing.honoured) throw new Error('expected a refusal');
  return standing;
}

describe('token standing: is an access token still honoured (src/tokens/token-standing.ts)', () => {
  it('a client token of an active client, not revoked, is honoured (anywhere, and at its own application)', () => {
    expect(decideStanding(CLIENT_TOKEN, HONOURED_FACTS)).to.deep.equal({ honoured: true });
    expect(decideStanding(CLIENT_TOKEN, HONOURED_FACTS, ECHO)).to.deep.equal({ honoured: true });
  });

  it('a user token whose user is active is honoured', () => {
    expect(decideStanding(USER_TOKEN, { ...HONOURED_FACTS, user: { status: 'active' } }, ECHO).honoured).to.equal(true);
  });

  describe('the audience (at a guard)', () => {
    it('aud naming another application: wrong_audience', () => {
      const r = refusal({ ...CLIENT_TOKEN, aud: 'urn:app:billing' }, HONOURED_FACTS, ECHO);
      expect(r).to.include({ reason: 'wrong_audience', description: 'the access token is for another application' });
    });

    it('an aud list is honoured when it names the application, refused when it does not', () => {
      expect(decideStanding({ ...CLIENT_TOKEN, aud: ['urn:app:billing', 'urn:app:echo'] }, HONOURED_FACTS, ECHO).honoured).to.equal(true);
      expect(refusal({ ...CLIENT_TOKEN, aud: ['urn:app:billing'] }, HONOURED_FACTS, ECHO).reason).to.equal('wrong_audience');
    });

    it('without a place (userinfo, introspection, admin API) any audience of this issuer is honoured', () => {
      expect(decideStanding({ ...CLIENT_TOKEN, aud: 'urn:app:billing' }, HONOURED_FACTS).honoured).to.equal(true);
    });
  });

  describe('the client', () => {
    it('no such client: unknown_client', () => {
      const r = refusal(CLIENT_TOKEN, { client: null, revoked: false });
      expect(r).to.include({ reason: 'unknown_client', description: 'the client of this access token is unknown', summary: 'the client of this access token is not active' });
    });

    it('a disabled client: client_disabled', () => {
      const r = refusal(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, status: 'disabled' }, revoked: false });
      expect(r).to.include({ reason: 'client_disabled', description: 'the client of this access token is disabled', summary: 'the client of this access token is not active' });
    });

    it('a client linked to another application than the guard\'s: wrong_application', () => {
      const r = refusal(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, application: 'billing' }, revoked: false }, ECHO);
      expect(r).to.include({ reason: 'wrong_application', description: 'the client of this access token is linked to another application' });
      // The link is a guard's rule: elsewhere the client's application does not matter.
      expect(decideStanding(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, application: 'billing' }, revoked: false }).honoured).to.equal(true);
    });
  });

  describe('tokensValidAfter: issued before the client was last deactivated', () => {
    it('issued at or before the stamp: revoked, even though the client is active again', () => {
      for (const stamp of [ISSUED_AT, ISSUED_AT + 1]) {
        const r = refusal(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, tokensValidAfter: stamp }, revoked: false });
        expect(r).to.include({ reason: 'revoked', description: 'the access token was revoked when its client was deactivated', summary: 'the client of this access token is not active' });
      }
    });

    it('issued the second after the stamp: honoured', () => {
      expect(decideStanding(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, tokensValidAfter: ISSUED_AT - 1 }, revoked: false }).honoured).to.equal(true);
    });
  });

  describe('the user behind a user token', () => {
    it('a disabled user: user_disabled', () => {
      const r = refusal(USER_TOKEN, { ...HONOURED_FACTS, user: { status: 'disabled' } });
      expect(r).to.include({ reason: 'user_disabled', description: 'the user of this access token is disabled or unknown', summary: 'the user of this access token is not active' });
    });

    it('no such user: user_disabled', () => {
      expect(refusal(USER_TOKEN, { ...HONOURED_FACTS, user: null }).reason).to.equal('user_disabled');
    });

    it('no user in the facts (a client\'s own token): no user rule', () => {
      expect(decideStanding(CLIENT_TOKEN, { ...HONOURED_FACTS, user: undefined }).honoured).to.equal(true);
    });
  });

  describe('revocation (jti)', () => {
    it('a revoked token: revoked', () => {
      const r = refusal(CLIENT_TOKEN, { ...HONOURED_FACTS, revoked: true });
      expect(r).to.include({ reason: 'revoked', description: 'the access token was revoked', summary: 'the access token was revoked' });
    });
  });

  describe('which rule a refusal names when several fail', () => {
    it('audience before client, client before application, application before user, user before revocation', () => {
      const everythingWrong: StandingFacts = { client: null, user: { status: 'disabled' }, revoked: true };
      expect(refusal({ ...USER_TOKEN, aud: 'urn:app:billing' }, everythingWrong, ECHO).reason).to.equal('wrong_audience');
      expect(refusal(USER_TOKEN, everythingWrong, ECHO).reason).to.equal('unknown_client');
      const elsewhere = { ...ACTIVE_CLIENT, application: 'billing' };
      expect(refusal(USER_TOKEN, { ...everythingWrong, client: elsewhere }, ECHO).reason).to.equal('wrong_application');
      // A disabled user's grants are revoked too: the guard names the cause, not its consequence.
      expect(refusal(USER_TOKEN, { ...everythingWrong, client: ACTIVE_CLIENT }, ECHO).reason).to.equal('user_disabled');
    });

    it('disabled before deactivated-since', () => {
      const r = refusal(CLIENT_TOKEN, { client: { ...ACTIVE_CLIENT, status: 'disabled', tokensValidAfter: ISSUED_AT }, revoked: false });
      expect(r.reason).to.equal('client_disabled');
    });
  });

  describe('helpers', () => {
    it('isUserToken: the subject is not the client itself', () => {
      expect(isUserToken(USER_TOKEN)).to.equal(true);
      expect(isUserToken(CLIENT_TOKEN)).to.equal(false);
    });

    it('isActiveUser: only an existing, active user', () => {
      expect(isActiveUser({ status: 'active' })).to.equal(true);
      expect(isActiveUser({ status: 'disabled' })).to.equal(false);
      expect(isActiveUser(null)).to.equal(false);
      expect(isActiveUser(undefined)).to.equal(false);
    });
  });
});
