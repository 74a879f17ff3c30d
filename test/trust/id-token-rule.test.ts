import { expect } from 'chai';
import { idTokenProblem } from '../../src/trust/id-token-rule';

const loose = { requireTyp: false, accessTokenClaims: ['scope', 'scp', 'client_id'] };
const strict = { ...loose, requireTyp: true };

/** An ID token must never pass as an access token, even where `typ` is not required. */
describe('trust: telling an ID token from an access token', () => {
  it('passes access tokens as Keycloak, Auth0 and Entra ID shape them', () => {
    expect(idTokenProblem({ alg: 'RS256', typ: 'JWT' }, { typ: 'Bearer', scope: 'openid', azp: 'x' }, loose)).to.equal(undefined);
    expect(idTokenProblem({ alg: 'RS256', typ: 'at+jwt' }, { scope: 'a' }, strict)).to.equal(undefined);
    expect(idTokenProblem({ alg: 'RS256', typ: 'JWT' }, { scp: 'Orders.Read' }, loose)).to.equal(undefined);
    expect(idTokenProblem({ alg: 'RS256' }, { client_id: 'c' }, loose)).to.equal(undefined);
  });

  it('refuses ID token claims (nonce, at_hash, c_hash, s_hash), a logout token (events), Keycloak typ ID/Refresh, even with typ at+jwt', () => {
    for (const claim of ['nonce', 'at_hash', 'c_hash', 's_hash', 'events']) {
      expect(idTokenProblem({ alg: 'RS256', typ: 'at+jwt' }, { scope: 'a', [claim]: 'x' }, strict), claim).to.match(new RegExp(claim));
    }
    expect(idTokenProblem({ alg: 'RS256', typ: 'JWT' }, { typ: 'ID', scope: 'a' }, loose)).to.match(/typ claim is ID/);
    expect(idTokenProblem({ alg: 'RS256', typ: 'JWT' }, { typ: 'Refresh', scope: 'a' }, loose)).to.match(/Refresh/);
  });

  it('without requireTyp: refuses other header types and a token with none of the access token claims', () => {
    expect(idTokenProblem({ alg: 'RS256', typ: 'logout+jwt' }, { scope: 'a' }, loose)).to.match(/its typ is logout\+jwt/);
    expect(idTokenProblem({ alg: 'RS256', typ: 'JWT' }, { sub: 'u', aud: 'client', azp: 'client' }, loose)).to.match(/carries none of scope, scp, client_id/);
  });
});
