import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims } from '../../src/tokens/access-token-claims';
import { ClaimsShapes, claimsOf, extraOf, jtiOf } from '../../src/tokens/claims-shape';
import { rememberToken } from '../../src/tokens/remembered-token';

/** Tokens' shared claims held once; each remembered token hands out exactly its own claims. */
describe('claim shapes (src/tokens/claims-shape.ts)', () => {
  const shared = { iss: 'http://issuer.test', sub: 'pcc_a', aud: 'urn:a', client_id: 'pcc_a', roles: ['r'] };
  const remember = (shapes: ClaimsShapes, payload: Record<string, unknown>) => {
    const p = payload as unknown as AccessTokenClaims;
    const shape = shapes.intern('k1', p);
    return { shape, claims: claimsOf(rememberToken(shape, jtiOf(shape, p), p.iat, p.exp, extraOf(shape, p))) };
  };

  it('a UUID jti and any other jti: separate shapes, and each token gets its own jti back', () => {
    const shapes = new ClaimsShapes(1024 * 1024, 0);
    const tokens = [
      { ...shared, iat: 1, exp: 2, jti: randomUUID() },
      { ...shared, iat: 1, exp: 2, jti: 'not-a-uuid' },
      { ...shared, iat: 1, exp: 2, jti: randomUUID().toUpperCase() },
      { ...shared, iat: 3, exp: 4, jti: randomUUID() },
    ];
    const remembered = tokens.map((t) => remember(shapes, t));
    remembered.forEach((r, i) => expect(r.claims).to.deep.equal(tokens[i]));
    expect(remembered[0].shape.uuidJti).to.equal(true);
    expect(remembered[1].shape.uuidJti).to.equal(false);
    expect(remembered[2].shape.uuidJti).to.equal(false);
    expect(remembered[3].shape, 'UUID jtis share one shape').to.equal(remembered[0].shape);
    expect(remembered[2].shape, 'other jtis share one shape').to.equal(remembered[1].shape);
  });

  it('a member that is undefined (a mapped claim another issuer lacks) is kept in its place, and told from null', () => {
    const shapes = new ClaimsShapes(1024 * 1024, 0);
    const a = { ...shared, scope: undefined, iat: 1, exp: 2, jti: 'a' };
    const b = { ...shared, scope: null, iat: 1, exp: 2, jti: 'b' };
    const ra = remember(shapes, a);
    const rb = remember(shapes, b);
    expect(Object.keys(ra.claims)).to.deep.equal(Object.keys(a));
    expect(ra.claims).to.deep.equal(a);
    expect(rb.claims).to.deep.equal(b);
    expect(ra.shape).to.not.equal(rb.shape);
  });

  it('a token without jti (another issuer\'s) is handed out without one', () => {
    const shapes = new ClaimsShapes(1024 * 1024, 0);
    const t = { ...shared, iat: 1, exp: 2 };
    expect(Object.keys(remember(shapes, t).claims)).to.deep.equal(Object.keys(t));
  });
});
