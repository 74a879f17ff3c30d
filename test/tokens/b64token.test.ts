import { expect } from 'chai';
import { isB64Token } from '../../src/tokens/b64token';

describe('tokens/b64token', () => {
  it('isB64Token accepts exactly the RFC 6750 §2.1 syntax', () => {
    for (const good of ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl', 'abc', 'a==', 'AZaz09-._~+/']) expect(isB64Token(good), good).to.equal(true);
    for (const bad of ['', 'a b', 'a=b', '=', 'ab\t', 'tök', 'a,b']) expect(isB64Token(bad), bad).to.equal(false);
  });
});
