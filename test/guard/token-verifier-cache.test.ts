import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import { InvalidToken } from '../../src/errors/oauth-errors';
import { TOKEN_ENTRY_BYTES, TokenVerifier } from '../../src/guard/token-verifier';
import { KeyRing } from '../../src/keys/key-ring';
import { SqliteStore } from '../../src/store/sqlite-store';
import { AccessTokenIssuer } from '../../src/tokens/access-token-issuer';
import { tokenDigest } from '../../src/tokens/token-digest';
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache';

const ISSUER = 'http://issuer.test';
const TTL = 3600;
const LEEWAY = 30;

/** Issue 12: the verified-token cache keyed by digest, per-token facts beside shared shapes, sized in bytes. */
describe('TokenVerifier (src/guard/token-verifier.ts): the cache keyed by digest and sized in bytes', () => {
  let clock: { ms: number };
  let store: SqliteStore;
  let keys: KeyRing;
  let tokens: AccessTokenIssuer;
  let counted: { hits: number; misses: number };
  const now = () => clock.ms;

  beforeEach(async () => {
    clock = { ms: Date.now() };
    store = new SqliteStore({ path: ':memory:', now });
    keys = new KeyRing(store, { algorithm: 'ES256', maxTokenLifetime: TTL, now });
    await keys.init();
    tokens = new AccessTokenIssuer(keys, ISSUER, TTL, now);
    counted = { hits: 0, misses: 0 };
  });
  afterEach(() => store.close());

  const verifierWith = (cache?: VerifiedTokenCache) =>
    new TokenVerifier(keys, { issuer: ISSUER, leeway: LEEWAY, maxTokenLifetime: TTL + LEEWAY, now, cache, cacheMeter: { hit: () => counted.hits++, miss: () => counted.misses++ } });
  const issue = (clientId = 'pcc_test', roles = ['echo-reader']) => tokens.issue({ clientId, subject: clientId, audience: 'urn:portcullis:application:echo', roles });

  it('keys by the first 16 bytes of the SHA-256 of the token, never the token', () => {
    const digest = tokenDigest('a.b.c');
    expect(digest).to.have.length(16);
    expect(Buffer.from(tokenDigest('a.b.c'), 'latin1').equals(createHash('sha256').update('a.b.c').digest().subarray(0, 16))).to.equal(true);
  });

  it('a token that differs by one byte from a cached one is a miss, a full check, and refused', async () => {
    const verifier = verifierWith();
    const { token } = await issue();
    await verifier.verify(token);
    const [h, p, s] = token.split('.');
    const i = Math.floor(s.length / 2);
    const changed = `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    expect(verifier.peek(changed), 'not answered from memory').to.equal(undefined);
    const misses = counted.misses;
    const refused = await verifier.verify(changed).catch((err: unknown) => err);
    expect(refused).to.be.instanceOf(InvalidToken);
    expect((refused as InvalidToken).reason).to.equal('bad_signature');
    expect(counted.misses, 'a full verification').to.equal(misses + 1);
    expect(verifier.cachedTokens, 'the refused token is not remembered').to.equal(1);
  });

  it('hands out each token its own claims (jti, iat, exp), not another token of the same shape', async () => {
    const verifier = verifierWith();
    const first = await issue();
    clock.ms += 5000;
    const second = await issue();
    await verifier.verify(first.token);
    await verifier.verify(second.token);
    for (const { token } of [first, second]) {
      const expected = decodeJwt(token);
      expect(await verifier.verify(token), 'verify (hit)').to.deep.equal(expected);
      expect(verifier.peek(token), 'peek').to.deep.equal(expected);
      expect(Object.keys(verifier.peek(token)!), 'the claims in the token order').to.deep.equal(Object.keys(expected));
    }
    expect(counted.hits).to.equal(6);
    expect(verifier.peek(first.token)!.jti).to.not.equal(verifier.peek(second.token)!.jti);
  });

  it('tokens of one client share one shape: their common claims are held once (and frozen)', async () => {
    const verifier = verifierWith();
    const a = await verifier.verify((await issue()).token);
    const b = await verifier.verify((await issue()).token);
    expect(a.roles, 'the same array').to.equal(b.roles);
    expect(Object.isFrozen(a.roles)).to.equal(true);
    expect((verifier as unknown as { shapes: { size: number } }).shapes.size).to.equal(1);
    await verifier.verify((await issue('pcc_other')).token);
    expect((verifier as unknown as { shapes: { size: number } }).shapes.size, 'another client, another shape').to.equal(2);
  });

  it('a cache over its budget forgets the least recently used tokens by bytes', async () => {
    // Room for about five tokens by the verifier's own estimate of one entry.
    const oneEntry = TOKEN_ENTRY_BYTES + 36;
    const cache = new VerifiedTokenCache(5 * oneEntry + oneEntry / 2, now);
    const verifier = verifierWith(cache);
    const issued = [];
    for (let i = 0; i < 20; i++) issued.push(await issue());
    for (const { token } of issued) await verifier.verify(token);
    expect(cache.bytes).to.be.at.most(cache.maxBytes);
    expect(cache.size, 'no more entries than the budget allows').to.be.at.most(Math.floor(cache.maxBytes / oneEntry));
    expect(cache.size).to.be.at.least(3);
    const misses = counted.misses;
    await verifier.verify(issued[19].token);
    expect(counted.misses, 'the most recent one is still there').to.equal(misses);
    await verifier.verify(issued[0].token);
    expect(counted.misses, 'the first one was forgotten: verified again').to.equal(misses + 1);
  });

  it('12,000 distinct tokens fit the default budget', async function () {
    this.timeout(60_000);
    const verifier = verifierWith();
    for (let i = 0; i < 12_000; i++) await verifier.verify((await issue()).token);
    expect(verifier.cachedTokens).to.equal(12_000);
  });

  it('an expired entry is refused, on a hit as on a miss', async () => {
    const verifier = verifierWith();
    const issued = await issue();
    await verifier.verify(issued.token);
    clock.ms = (issued.exp + LEEWAY) * 1000;
    expect(verifier.peek(issued.token)).to.equal(undefined);
    const refused = await verifier.verify(issued.token).catch((err: unknown) => err);
    expect((refused as InvalidToken).message).to.equal('the access token expired');
  });

  it('a token whose key was retired is refused even though it is cached', async () => {
    const verifier = verifierWith();
    const { token } = await issue();
    await verifier.verify(token);
    await keys.rotate(undefined, { retireNow: true });
    expect(verifier.peek(token)).to.equal(undefined);
    const refused = await verifier.verify(token).catch((err: unknown) => err);
    expect((refused as InvalidToken).reason).to.equal('unknown_key');
  });

  it('verifiers with other settings sharing one cache keep their own answers about one token', async () => {
    const cache = new VerifiedTokenCache(undefined, now);
    const lenient = verifierWith(cache);
    const strict = new TokenVerifier(keys, { issuer: ISSUER, leeway: 0, maxTokenLifetime: TTL, now, cache });
    const issued = await issue();
    await lenient.verify(issued.token);
    await strict.verify(issued.token);
    expect(cache.size, 'one entry for the token').to.equal(1);
    clock.ms = issued.exp * 1000 + 1000;
    const misses = counted.misses;
    expect((await lenient.verify(issued.token)).jti, 'within the lenient leeway').to.equal(decodeJwt(issued.token).jti);
    expect(counted.misses, 'from memory').to.equal(misses);
    const refused = await strict.verify(issued.token).catch((err: unknown) => err);
    expect((refused as InvalidToken).message, 'past exp for the strict one').to.equal('the access token expired');
  });
});
