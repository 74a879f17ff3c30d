import { createHash, createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { SigningAlgorithm } from '../../src/config/settings';
import { KeyRing, type KeyRingOptions } from '../../src/keys/key-ring';
import { generateSigningKey, loadSigningKey, type StoredSigningKey } from '../../src/keys/signing-key';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';

/** Members of a JWK that are private key material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const TTL = 3600;
/** The ring's own refresh interval and unknown-kid reload interval (src/keys/key-ring.ts). */
const REFRESH_MS = 30_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;

/** A real store whose method calls are counted: a thin proxy, the SQLite store does the work. */
function counting(store: Store): { store: Store; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, prop, _receiver) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/**
 * RFC 7638 §3.2, computed independently of jose: SHA-256 over the required members in
 * lexicographic order, no whitespace, base64url.
 */
function rfc7638(jwk: JWK): string {
  const required: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };
  const members = required[jwk.kty as string];
  const json = '{' + members.map((m) => `${JSON.stringify(m)}:${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',') + '}';
  return createHash('sha256').update(json, 'utf8').digest('base64url');
}

/** Waits (bounded) for a background reload to land. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function signWith(ring: KeyRing): Promise<string> {
  const key = ring.active();
  return new SignJWT({ sub: 'tester' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt().sign(key.privateKey);
}

describe('KeyRing (src/keys/key-ring.ts)', function () {
  this.timeout(30_000);

  let store: SqliteStore;
  const clock = { ms: Date.UTC(2030, 0, 1) };
  const now = () => clock.ms;
  const ring = (options: Partial<KeyRingOptions> = {}, on: Store = store) =>
    new KeyRing(on, { algorithm: 'ES256', maxTokenLifetime: TTL, now, ...options });

  beforeEach(function () {
    clock.ms = Date.UTC(2030, 0, 1);
    store = new SqliteStore({ path: ':memory:', now });
  });
  afterEach(async function () {
    await store.close();
  });

  describe('init', function () {
    it('refuses to hand out a key before init', function () {
      expect(() => ring().active()).to.throw(/not initialised/);
    });

    it('generates exactly one key on first init', async function () {
      const first = ring();
      await first.init();
      const keys = await first.describe();
      expect(keys).to.have.length(1);
      expect(keys[0].active).to.equal(true);
      expect(keys[0].kid).to.equal(first.active().kid);
      expect(keys[0].retiredAt).to.equal(undefined);
      expect(keys[0].publishUntil).to.equal(undefined);
      expect(keys[0].createdAt).to.equal(clock.ms);
      expect(first.jwks().keys.map((k) => k.kid)).to.deep.equal([first.active().kid]);
    });

    it('a second KeyRing on the same store reuses the key (same kid, nothing new generated)', async function () {
      const first = ring();
      await first.init();
      const second = ring();
      await second.init();
      expect(second.active().kid).to.equal(first.active().kid);
      expect(await store.list('signing-keys')).to.have.length(1);
      // The reused key really is the same key: what one signs, the other's JWKS verifies.
      const token = await signWith(first);
      await jwtVerify(token, createLocalJWKSet(second.jwks()));
    });

    it('two KeyRings initialising at the same time on one store end with one active key', async function () {
      const a = ring({ algorithm: 'RS256' });
      const b = ring({ algorithm: 'RS256' });
      await Promise.all([a.init(), b.init()]);
      expect(a.active().kid).to.equal(b.active().kid);
      const stored = await store.list<StoredSigningKey>('signing-keys');
      expect(stored.map((r) => r.id), 'the losing node must remove its unused key').to.deep.equal([a.active().kid]);
      const described = await a.describe();
      expect(described.filter((k) => k.active)).to.have.length(1);
      // Tokens signed by either node verify with either node's JWKS.
      await jwtVerify(await signWith(a), createLocalJWKSet(b.jwks()));
      await jwtVerify(await signWith(b), createLocalJWKSet(a.jwks()));
      // Once both have refreshed, neither publishes the loser's discarded key.
      clock.ms += REFRESH_MS + 1;
      a.jwks();
      b.jwks();
      await eventually(() => a.jwks().keys.length === 1 && b.jwks().keys.length === 1, 'both JWKS to hold only the winning key');
      expect(a.jwks().keys[0].kid).to.equal(a.active().kid);
    });

    it('five KeyRings racing on one store still agree on a single key', async function () {
      const rings = Array.from({ length: 5 }, () => ring());
      await Promise.all(rings.map((r) => r.init()));
      const kids = new Set(rings.map((r) => r.active().kid));
      expect(kids.size).to.equal(1);
      expect(await store.list('signing-keys')).to.have.length(1);
    });
  });

  describe('keys and the JWKS', function () {
    for (const [alg, kty, crv] of [['RS256', 'RSA', undefined], ['ES256', 'EC', 'P-256'], ['EdDSA', 'OKP', 'Ed25519']] as const) {
      it(`${alg}: generates a ${kty} key that signs and verifies with jose`, async function () {
        const r = ring({ algorithm: alg });
        await r.init();
        const key = r.active();
        expect(key.alg).to.equal(alg);
        const [published] = r.jwks().keys;
        expect(published.kty).to.equal(kty);
        expect(published.alg).to.equal(alg);
        expect(published.use).to.equal('sig');
        expect(published.kid).to.equal(key.kid);
        if (crv) expect(published.crv).to.equal(crv);
        if (alg === 'RS256') {
          const modulusBits = Buffer.from(published.n!, 'base64url').length * 8;
          expect(modulusBits).to.be.at.least(2048);
        }

        const token = await signWith(r);
        expect(decodeProtectedHeader(token)).to.include({ alg, kid: key.kid });
        // Verified with the published public JWK only, as a relying party would.
        const { payload } = await jwtVerify(token, await importJWK(published, alg), { algorithms: [alg] });
        expect(payload.sub).to.equal('tester');
        await jwtVerify(token, createLocalJWKSet(r.jwks()));
        // And a tampered token fails, so the check above could fail.
        const [h, p, s] = token.split('.');
        const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
        await jwtVerify(forged, createLocalJWKSet(r.jwks())).then(
          () => expect.fail('a forged token verified'),
          (err) => expect(err.code).to.equal('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
        );
        expect(p).to.be.a('string');
      });

      it(`${alg}: kid is the RFC 7638 thumbprint of the public key`, async function () {
        const key = await generateSigningKey(alg, clock.ms);
        expect(key.kid).to.equal(rfc7638(key.publicJwk));
        expect(key.kid).to.equal(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
        expect(key.kid).to.match(/^[A-Za-z0-9_-]{43}$/);
        expect(key.privateJwk.kid).to.equal(key.kid);
      });

      it(`${alg}: the JWKS holds only public members`, async function () {
        const r = ring({ algorithm: alg });
        await r.init();
        await r.rotate();
        const { keys } = r.jwks();
        expect(keys).to.have.length(2);
        for (const jwk of keys) {
          for (const member of PRIVATE_MEMBERS) expect(jwk, `JWKS member ${member}`).not.to.have.property(member);
          // Importable as a public key (node refuses private-only members silently, so check the type).
          expect(createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).type).to.equal('public');
        }
        // The stored private JWK does carry the private part: the JWKS strips it, not the generator.
        const stored = await store.list<StoredSigningKey>('signing-keys');
        expect(stored[0].value.privateJwk).to.have.property('d');
      });
    }

    it('a loaded key round-trips through the store format', async function () {
      const stored = await generateSigningKey('EdDSA', clock.ms);
      const loaded = await loadSigningKey(JSON.parse(JSON.stringify(stored)));
      expect(loaded.kid).to.equal(stored.kid);
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).sign(loaded.privateKey);
      await jwtVerify(token, loaded.publicKey);
    });

    it('every generated key is different', async function () {
      const kids = new Set<string>();
      for (let i = 0; i < 5; i++) kids.add((await generateSigningKey('ES256', clock.ms)).kid);
      expect(kids.size).to.equal(5);
    });
  });

  describe('rotate', function () {
    it('makes a new key active and keeps publishing the old one', async function () {
      const r = ring();
      await r.init();
      const oldKid = r.active().kid;
      const oldToken = await signWith(r);

      clock.ms += 1000;
      const next = await r.rotate();
      expect(next.kid).to.not.equal(oldKid);
      expect(r.active().kid).to.equal(next.kid);
      expect(r.jwks().keys.map((k) => k.kid)).to.have.members([oldKid, next.kid]);

      // Tokens signed before the rotation still verify, new ones are signed with the new key.
      await jwtVerify(oldToken, createLocalJWKSet(r.jwks()));
      const newToken = await signWith(r);
      expect(decodeProtectedHeader(newToken).kid).to.equal(next.kid);
      expect(await r.verificationKey(oldKid)).to.have.property('kid', oldKid);

      const described = await r.describe();
      const old = described.find((k) => k.kid === oldKid)!;
      expect(old.active).to.equal(false);
      expect(old.retiredAt).to.equal(clock.ms);
      expect(old.publishUntil, 'published at least as long as its tokens live').to.be.at.least(clock.ms + TTL * 1000);
      const current = described.find((k) => k.kid === next.kid)!;
      expect(current.active).to.equal(true);
      expect(current).to.not.have.property('publishUntil');
      expect(current).to.not.have.property('retiredAt');
    });

    it('can switch algorithm', async function () {
      const r = ring({ algorithm: 'ES256' });
      await r.init();
      const next = await r.rotate('EdDSA');
      expect(next.alg).to.equal('EdDSA');
      expect(r.active().alg).to.equal('EdDSA');
      await jwtVerify(await signWith(r), createLocalJWKSet(r.jwks()));
    });

    it('drops the old key from the JWKS once its tokens can no longer be alive', async function () {
      const r = ring();
      await r.init();
      const oldKid = r.active().kid;
      const rotatedAt = clock.ms;
      const next = await r.rotate();
      const publishUntil = (await r.describe()).find((k) => k.kid === oldKid)!.publishUntil!;

      // Just after the longest token lifetime, the old key is still published (other nodes may
      // not have noticed the rotation yet, so the margin matters).
      clock.ms = rotatedAt + TTL * 1000 + 1;
      expect(r.jwks().keys.map((k) => k.kid)).to.include(oldKid);
      clock.ms = publishUntil - 1;
      expect(r.jwks().keys.map((k) => k.kid)).to.include(oldKid);
      // The key set in memory is an hour old: verificationKey re-reads it, then cachedKey trusts it.
      expect(await r.verificationKey(oldKid)).to.have.property('kid', oldKid);
      expect(r.cachedKey(oldKid)).to.not.equal(undefined);

      clock.ms = publishUntil + 1;
      expect(r.jwks().keys.map((k) => k.kid)).to.deep.equal([next.kid]);
      expect(r.cachedKey(oldKid)).to.equal(undefined);
      expect(await r.verificationKey(oldKid)).to.equal(undefined);
      expect(await r.verificationKey(next.kid)).to.have.property('kid', next.kid);
    });

    it('prunes keys past publishUntil from the store on the next rotation', async function () {
      const r = ring();
      await r.init();
      const first = r.active().kid;
      const second = (await r.rotate()).kid;
      clock.ms += TTL * 1000 + 10 * 60_000;
      const third = (await r.rotate()).kid;
      const stored = (await store.list<StoredSigningKey>('signing-keys')).map((k) => k.id);
      expect(stored).to.have.members([second, third]);
      expect(stored).to.not.include(first);
    });

    it('of two concurrent rotations exactly one wins, and the loser leaves nothing behind', async function () {
      const a = ring();
      await a.init();
      const b = ring();
      await b.init();
      const original = a.active().kid;
      const results = await Promise.allSettled([a.rotate(), b.rotate()]);
      const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<StoredSigningKey>[];
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).to.have.length(1);
      expect(lost).to.have.length(1);
      expect(String(lost[0].reason)).to.match(/try again/);
      const stored = (await store.list('signing-keys')).map((k) => k.id);
      expect(stored).to.have.members([original, won[0].value.kid]);
      const described = await a.describe();
      expect(described.filter((k) => k.active).map((k) => k.kid)).to.deep.equal([won[0].value.kid]);
    });
  });

  describe('unknown kids', function () {
    it('verificationKey(unknown) is undefined and reloads the store at most once per interval', async function () {
      const counted = counting(store);
      const r = ring({}, counted.store);
      await r.init();
      const afterInit = counted.calls.list ?? 0;

      // Right after a load: no reload at all, whatever the caller sends.
      for (let i = 0; i < 20; i++) expect(await r.verificationKey(`random-${i}`)).to.equal(undefined);
      expect((counted.calls.list ?? 0) - afterInit).to.equal(0);

      // Past the interval: a flood of unknown kids (sequential and parallel) costs one reload.
      clock.ms += UNKNOWN_KID_RELOAD_MS + 1;
      const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => r.verificationKey(`parallel-${i}`)));
      expect(parallel.every((k) => k === undefined)).to.equal(true);
      for (let i = 0; i < 20; i++) expect(await r.verificationKey(`again-${i}`)).to.equal(undefined);
      expect((counted.calls.list ?? 0) - afterInit).to.equal(1);

      clock.ms += UNKNOWN_KID_RELOAD_MS + 1;
      expect(await r.verificationKey('once-more')).to.equal(undefined);
      expect((counted.calls.list ?? 0) - afterInit).to.equal(2);

      // A known kid never touches the store.
      const before = counted.calls.list;
      expect(await r.verificationKey(r.active().kid)).to.have.property('kid', r.active().kid);
      expect(counted.calls.list).to.equal(before);
    });

    it('an unknown kid that another node just created is found after the reload interval', async function () {
      const a = ring();
      await a.init();
      const b = ring();
      await b.init();
      const next = await a.rotate();
      // Within the interval b does not look (rate limit), after it b finds the new key.
      expect(await b.verificationKey(next.kid)).to.equal(undefined);
      clock.ms += UNKNOWN_KID_RELOAD_MS + 1;
      expect(await b.verificationKey(next.kid)).to.have.property('kid', next.kid);
      await jwtVerify(await signWith(a), (await b.verificationKey(next.kid))!.publicKey);
    });
  });

  describe('describe', function () {
    it('never includes the private JWK or any private member', async function () {
      for (const alg of ['RS256', 'ES256', 'EdDSA'] as SigningAlgorithm[]) {
        const r = ring({ algorithm: alg });
        await r.init();
        await r.rotate(alg);
        const described = await r.describe();
        expect(described.length).to.be.at.least(2);
        for (const key of described) {
          expect(key).to.not.have.property('privateJwk');
          for (const member of PRIVATE_MEMBERS) expect(key.publicJwk).to.not.have.property(member);
        }
        // The private scalar must not appear anywhere in the output.
        const stored = await store.list<StoredSigningKey>('signing-keys');
        const text = JSON.stringify(described);
        for (const { value } of stored) expect(text).to.not.include(value.privateJwk.d as string);
      }
    });
  });

  describe('noticing changes made elsewhere', function () {
    it('picks up a rotation made by another instance after its refresh interval', async function () {
      const a = ring();
      await a.init();
      const b = ring();
      await b.init();
      const oldKid = b.active().kid;
      const next = await a.rotate();

      // Before the refresh interval: b still signs with the old key (still published, so fine).
      clock.ms += REFRESH_MS - 1000;
      expect(b.active().kid).to.equal(oldKid);
      // Real time, briefly: a background reload (a store read) would land within it; none must start.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(b.active().kid).to.equal(oldKid);

      // After it: b reloads in the background and switches to the new key.
      clock.ms += 2000;
      b.active();
      await eventually(() => b.active().kid === next.kid, 'b to notice the rotation');
      expect(b.jwks().keys.map((k) => k.kid)).to.have.members([oldKid, next.kid]);
      // b's old key is now marked retired, so it stops publishing it on time too.
      const publishUntil = (await a.describe()).find((k) => k.kid === oldKid)!.publishUntil!;
      clock.ms = publishUntil + 1;
      expect(b.jwks().keys.map((k) => k.kid)).to.deep.equal([next.kid]);
    });

    it('a key set older than the refresh interval is not trusted: cachedKey is undefined, verificationKey re-reads the store', async function () {
      const a = ring();
      await a.init();
      const b = ring();
      await b.init();
      const oldKid = b.active().kid;
      expect(b.cachedKey(oldKid)).to.have.property('kid', oldKid);
      await a.rotate();
      const publishUntil = (await a.describe()).find((k) => k.kid === oldKid)!.publishUntil!;

      // b never re-read the store, so it does not know that the key was retired; past the refresh
      // interval it must not answer from memory (a retirement must reach it within that interval).
      clock.ms = publishUntil + 1;
      expect(b.cachedKey(oldKid), 'an old key set is not trusted').to.equal(undefined);
      expect(await b.verificationKey(oldKid), 'after the re-read: retired and past publishUntil').to.equal(undefined);
      expect(b.cachedKey(oldKid), 'the fresh key set says the same').to.equal(undefined);
    });

    it('while the store is down, a stale key ring re-reads at most every 5 s and verificationKey answers from memory', async function () {
      let down = false;
      let lists = 0;
      const flaky = new Proxy(store, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (prop !== 'list' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return (...args: unknown[]) => {
            lists++;
            if (down) return Promise.reject(new Error('store down'));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const r = ring({}, flaky);
      await r.init();
      const kid = r.active().kid;
      down = true;
      clock.ms += REFRESH_MS + 1;
      const before = lists;
      expect(await r.verificationKey(kid), 'the last key set read, while the store is down').to.have.property('kid', kid);
      expect(lists - before, 'one failed re-read').to.equal(1);
      for (let i = 0; i < 10; i++) await r.verificationKey(kid);
      expect(r.cachedKey(kid), 'still stale').to.equal(undefined);
      expect(lists - before, 'no retry within 5 s of the failure').to.equal(1);
      clock.ms += UNKNOWN_KID_RELOAD_MS + 1;
      down = false;
      await r.verificationKey(kid);
      expect(lists - before, 'retried after 5 s').to.equal(2);
      expect(r.cachedKey(kid), 'fresh again').to.have.property('kid', kid);
    });

    it('the JWKS alone also triggers the refresh', async function () {
      const a = ring();
      await a.init();
      const b = ring();
      await b.init();
      const next = await a.rotate();
      clock.ms += REFRESH_MS + 1;
      b.jwks();
      await eventually(() => b.jwks().keys.some((k) => k.kid === next.kid), 'b to publish the new key');
    });
  });
});
