import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Store } from '../../src/store/store';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A kind no other test (or earlier run against a shared Redis) has used. */
const freshKind = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

const ids = (records: { id: string }[]) => records.map((r) => r.id);

/** The clock the store's expiry follows, and how a test lets time pass on it. */
export interface ContractClock {
  now(): number;
  advance(ms: number): Promise<void>;
}

/** The backend's own clock: time passes by waiting, so the backend's real expiry is under test. */
export const realClock: ContractClock = { now: () => Date.now(), advance: sleep };

/** A clock for a store opened with `now: clock.now`: time passes at once, as in the feature tests. */
export function injectedClock(): ContractClock {
  let ms = Date.now();
  return { now: () => ms, advance: async (by) => void (ms += by) };
}

/**
 * The behaviour every {@link Store} backend must show. Call it from a backend's test file;
 * `open` is called once per suite, `cleanup` (if given) runs before the store is closed.
 */
export function storeContract(name: string, open: () => Promise<Store>, cleanup?: (s: Store) => Promise<void>, clock: ContractClock = realClock): void {
  describe(`Store contract: ${name}`, function () {
    let store: Store;
    let kind: string;

    before(async function () {
      store = await open();
    });
    beforeEach(function () {
      kind = freshKind('k');
    });
    after(async function () {
      if (!store) return;
      if (cleanup) await cleanup(store);
      await store.close();
    });

    describe('basic reads and writes', function () {
      it('get of a missing record is undefined', async function () {
        expect(await store.get(kind, 'nope')).to.equal(undefined);
      });

      it('create then get returns the value at version 1', async function () {
        expect(await store.create(kind, 'a', { n: 1, tags: ['x'] })).to.equal(true);
        const got = await store.get(kind, 'a');
        expect(got).to.deep.equal({ id: 'a', value: { n: 1, tags: ['x'] }, version: 1 });
      });

      it('create of an existing id returns false and leaves the original untouched', async function () {
        await store.create(kind, 'a', { first: true }, { indexes: { tag: 't1' } });
        expect(await store.create(kind, 'a', { first: false }, { indexes: { tag: 't2' } })).to.equal(false);
        expect(await store.get(kind, 'a')).to.deep.include({ value: { first: true }, version: 1 });
        expect(ids(await store.findBy(kind, 'tag', 't1'))).to.deep.equal(['a']);
        expect(await store.findBy(kind, 'tag', 't2')).to.deep.equal([]);
      });

      it('put creates at version 1 and increments on every write', async function () {
        expect(await store.put(kind, 'p', 'one')).to.equal(1);
        expect(await store.put(kind, 'p', 'two')).to.equal(2);
        expect(await store.put(kind, 'p', 'three')).to.equal(3);
        expect(await store.get(kind, 'p')).to.deep.equal({ id: 'p', value: 'three', version: 3 });
      });

      it('put replaces expiry and indexes wholesale', async function () {
        await store.put(kind, 'p', 1, { expiresAt: clock.now() + 60_000, indexes: { tag: 'x' } });
        expect((await store.get(kind, 'p'))?.expiresAt).to.be.a('number');
        await store.put(kind, 'p', 2);
        expect(await store.get(kind, 'p')).to.deep.equal({ id: 'p', value: 2, version: 2 });
        expect(await store.findBy(kind, 'tag', 'x')).to.deep.equal([]);
      });

      it('delete returns true for a live record, then false', async function () {
        await store.create(kind, 'd', { x: 1 });
        expect(await store.delete(kind, 'd')).to.equal(true);
        expect(await store.delete(kind, 'd')).to.equal(false);
        expect(await store.get(kind, 'd')).to.equal(undefined);
        expect(await store.delete(kind, 'never-existed')).to.equal(false);
      });

      it('rejects an invalid expiresAt and writes nothing', async function () {
        for (const expiresAt of [NaN, Infinity]) {
          const outcome = await store.put(kind, 'bad', 1, { expiresAt, indexes: { g: 'x' } }).catch((e: unknown) => e);
          expect(outcome).to.be.instanceOf(Error);
        }
        expect(await store.get(kind, 'bad')).to.equal(undefined);
        expect(await store.list(kind)).to.deep.equal([]);
      });

      it('ping resolves', async function () {
        await store.ping();
      });
    });

    describe('compareAndSet', function () {
      it('succeeds on the current version and returns version + 1', async function () {
        await store.create(kind, 'c', { state: 'new' });
        expect(await store.compareAndSet(kind, 'c', 1, { state: 'used' })).to.equal(2);
        expect(await store.get(kind, 'c')).to.deep.equal({ id: 'c', value: { state: 'used' }, version: 2 });
        expect(await store.compareAndSet(kind, 'c', 2, { state: 'revoked' })).to.equal(3);
        expect(await store.put(kind, 'c', { state: 'reset' })).to.equal(4);
        expect(await store.compareAndSet(kind, 'c', 4, { state: 'final' })).to.equal(5);
      });

      it('returns undefined on a stale version and leaves the value unchanged', async function () {
        await store.create(kind, 'c', { state: 'new' });
        await store.put(kind, 'c', { state: 'changed' });
        expect(await store.compareAndSet(kind, 'c', 1, { state: 'stale write' })).to.equal(undefined);
        expect(await store.get(kind, 'c')).to.deep.equal({ id: 'c', value: { state: 'changed' }, version: 2 });
      });

      it('returns undefined on a missing record and does not create it', async function () {
        expect(await store.compareAndSet(kind, 'missing', 1, { x: 1 })).to.equal(undefined);
        expect(await store.get(kind, 'missing')).to.equal(undefined);
      });

      it('replaces the indexes', async function () {
        await store.create(kind, 'c', 1, { indexes: { family: 'f1' } });
        expect(await store.compareAndSet(kind, 'c', 1, 2, { indexes: { family: 'f2' } })).to.equal(2);
        expect(await store.findBy(kind, 'family', 'f1')).to.deep.equal([]);
        expect(ids(await store.findBy(kind, 'family', 'f2'))).to.deep.equal(['c']);
      });
    });

    describe('expiry', function () {
      it('hides a record from every read once past expiresAt', async function () {
        const expiresAt = clock.now() + 300;
        await store.create(kind, 't', { temp: true }, { expiresAt, indexes: { tag: 'ttl' } });
        await store.create(kind, 'keep', { temp: false }, { indexes: { tag: 'ttl' } });
        expect(await store.get(kind, 't')).to.deep.equal({ id: 't', value: { temp: true }, version: 1, expiresAt });
        expect(ids(await store.findBy(kind, 'tag', 'ttl'))).to.deep.equal(['keep', 't']);
        expect(ids(await store.list(kind))).to.deep.equal(['keep', 't']);

        await clock.advance(450);
        expect(await store.get(kind, 't')).to.equal(undefined);
        expect(ids(await store.findBy(kind, 'tag', 'ttl'))).to.deep.equal(['keep']);
        expect(ids(await store.list(kind))).to.deep.equal(['keep']);
        expect(await store.consume(kind, 't')).to.equal(undefined);
        expect(await store.compareAndSet(kind, 't', 1, { temp: 'revived' })).to.equal(undefined);
        expect(await store.delete(kind, 't')).to.equal(false);
      });

      it('lets create reuse an expired id, as a new record that inherits nothing', async function () {
        await store.create(kind, 't', { temp: true }, { expiresAt: clock.now() + 300, indexes: { tag: 'old' } });
        expect(await store.create(kind, 't', { early: true })).to.equal(false);
        await clock.advance(450);
        // Straight to create: no read gets a chance to tidy up after the expired incarnation.
        expect(await store.create(kind, 't', { second: true }, { indexes: { other: 'x' } })).to.equal(true);
        expect(await store.get(kind, 't')).to.deep.equal({ id: 't', value: { second: true }, version: 1 });
        expect(await store.findBy(kind, 'tag', 'old')).to.deep.equal([]);
        expect(ids(await store.findBy(kind, 'other', 'x'))).to.deep.equal(['t']);
        expect(ids(await store.list(kind))).to.deep.equal(['t']);
      });
    });

    describe('consume', function () {
      it('returns the value once, then undefined', async function () {
        await store.create(kind, 'code', { sub: 'alice' }, { indexes: { client: 'c1' } });
        expect(await store.consume(kind, 'code')).to.deep.equal({ sub: 'alice' });
        expect(await store.consume(kind, 'code')).to.equal(undefined);
        expect(await store.get(kind, 'code')).to.equal(undefined);
        expect(await store.findBy(kind, 'client', 'c1')).to.deep.equal([]);
        expect(await store.list(kind)).to.deep.equal([]);
      });

      it('of a missing record is undefined', async function () {
        expect(await store.consume(kind, 'nope')).to.equal(undefined);
      });
    });

    describe('concurrency', function () {
      it('20 concurrent consumes of one record: exactly one gets the value', async function () {
        await store.create(kind, 'once', { secret: 42 });
        const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(kind, 'once')));
        const winners = results.filter((r) => r !== undefined);
        expect(winners).to.deep.equal([{ secret: 42 }]);
      });

      it('20 concurrent compareAndSet on the same version: exactly one succeeds', async function () {
        await store.create(kind, 'cas', { winner: null });
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.compareAndSet(kind, 'cas', 1, { winner: i })),
        );
        const successes = results.map((v, i) => ({ v, i })).filter((r) => r.v !== undefined);
        expect(successes).to.have.length(1);
        expect(successes[0].v).to.equal(2);
        expect(await store.get(kind, 'cas')).to.deep.equal({ id: 'cas', value: { winner: successes[0].i }, version: 2 });
      });

      it('20 concurrent creates of one id: exactly one returns true', async function () {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(kind, 'dup', { i })));
        expect(results.filter(Boolean)).to.have.length(1);
        const winner = results.indexOf(true);
        expect(await store.get(kind, 'dup')).to.deep.equal({ id: 'dup', value: { i: winner }, version: 1 });
      });
    });

    describe('increment', function () {
      it('counts 1, 2, 3 per counter, isolated by id and kind, apart from records', async function () {
        expect(await store.increment(kind, 'a', 60_000)).to.equal(1);
        expect(await store.increment(kind, 'a', 60_000)).to.equal(2);
        expect(await store.increment(kind, 'b', 60_000)).to.equal(1);
        expect(await store.increment(`${kind}-other`, 'a', 60_000)).to.equal(1);
        expect(await store.increment(kind, 'a', 60_000)).to.equal(3);
        expect(await store.get(kind, 'a'), 'a counter is not a record').to.equal(undefined);
        expect(await store.list(kind)).to.deep.equal([]);
        expect(await store.create(kind, 'a', 'record')).to.equal(true);
        expect(await store.increment(kind, 'a', 60_000)).to.equal(4);
      });

      it('20 concurrent increments of one counter return 1 to 20, each exactly once', async function () {
        const counts = await Promise.all(Array.from({ length: 20 }, () => store.increment(kind, 'hot', 60_000)));
        expect(counts.sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      });

      it('expires ttlMs after its first increment (later ones do not extend it), then starts again at 1', async function () {
        expect(await store.increment(kind, 't', 600)).to.equal(1);
        await clock.advance(200);
        expect(await store.increment(kind, 't', 600)).to.equal(2);
        await clock.advance(600);
        expect(await store.increment(kind, 't', 600), 'past the first expiry').to.equal(1);
      });

      it('rejects an invalid ttlMs', async function () {
        for (const ttl of [0, -5, NaN, Infinity]) {
          const outcome = await store.increment(kind, 'bad', ttl).catch((e: unknown) => e);
          expect(outcome, String(ttl)).to.be.instanceOf(Error);
        }
      });
    });

    describe('findBy and list', function () {
      it('findBy returns only records whose index has that value', async function () {
        await store.create(kind, 'r1', { n: 1 }, { indexes: { family: 'f1', client: 'c1' } });
        await store.create(kind, 'r2', { n: 2 }, { indexes: { family: 'f1', client: 'c2' } });
        await store.create(kind, 'r3', { n: 3 }, { indexes: { family: 'f2', client: 'c1' } });
        await store.create(kind, 'r4', { n: 4 });
        const f1 = await store.findBy<{ n: number }>(kind, 'family', 'f1');
        expect(f1).to.deep.equal([
          { id: 'r1', value: { n: 1 }, version: 1 },
          { id: 'r2', value: { n: 2 }, version: 1 },
        ]);
        expect(ids(await store.findBy(kind, 'client', 'c1'))).to.deep.equal(['r1', 'r3']);
        expect(await store.findBy(kind, 'family', 'f3')).to.deep.equal([]);
        // An index name is not a value: 'c1' under 'family' must not match.
        expect(await store.findBy(kind, 'family', 'c1')).to.deep.equal([]);
      });

      it('findBy follows index changes made by put', async function () {
        await store.put(kind, 'r', { v: 1 }, { indexes: { family: 'old' } });
        await store.put(kind, 'r', { v: 2 }, { indexes: { family: 'new' } });
        expect(await store.findBy(kind, 'family', 'old')).to.deep.equal([]);
        expect(await store.findBy(kind, 'family', 'new')).to.deep.equal([{ id: 'r', value: { v: 2 }, version: 2 }]);
      });

      it('findBy excludes deleted and consumed records', async function () {
        for (const id of ['a', 'b', 'c']) await store.create(kind, id, id, { indexes: { g: 'x' } });
        await store.delete(kind, 'a');
        await store.consume(kind, 'b');
        expect(ids(await store.findBy(kind, 'g', 'x'))).to.deep.equal(['c']);
      });

      it('list is ordered by id and isolated per kind', async function () {
        const other = freshKind('other');
        for (const id of ['m', 'b', 'z', 'a']) await store.create(kind, id, { id });
        await store.create(other, 'c', { other: true }, { indexes: { g: 'x' } });
        await store.create(kind, 'x', { mine: true }, { indexes: { g: 'x' } });
        expect(ids(await store.list(kind))).to.deep.equal(['a', 'b', 'm', 'x', 'z']);
        expect(await store.list(other)).to.deep.equal([{ id: 'c', value: { other: true }, version: 1 }]);
        expect(ids(await store.findBy(kind, 'g', 'x'))).to.deep.equal(['x']);
        expect(await store.get(other, 'm')).to.equal(undefined);
        expect(await store.list(freshKind('empty'))).to.deep.equal([]);
      });
    });

    describe('values and identifiers', function () {
      it('round-trips unicode, nesting, arrays, numbers, booleans and nulls', async function () {
        const value = {
          text: 'héllo wörld — 日本語 🔐 "quoted" \\ back\nslash',
          nested: { deep: { deeper: [1, { x: [] }, 'y'] }, empty: {} },
          emptyArray: [],
          numbers: [0, -1, 3.141592653589793, 1e21, Number.MAX_SAFE_INTEGER, 1700000000123],
          yes: true,
          no: false,
          nothing: null,
        };
        await store.create(kind, 'v', value);
        expect((await store.get(kind, 'v'))?.value).to.deep.equal(value);
        expect((await store.list(kind))[0].value).to.deep.equal(value);
        expect(await store.consume(kind, 'v')).to.deep.equal(value);
        for (const scalar of ['plain string', 12.5, true, null, [1, 2]]) {
          await store.put(kind, 's', scalar);
          expect((await store.get(kind, 's'))?.value).to.deep.equal(scalar);
        }
      });

      it('accepts ids and index values with colons, spaces and unicode', async function () {
        const odd = ['a:b:c', 'with space', 'ünïcødé-🔑', 'urn:ietf:params:oauth', '*?[]{}'];
        for (const id of odd) await store.create(kind, id, { id }, { indexes: { owner: `${id} :owner` } });
        for (const id of odd) {
          expect(await store.get(kind, id)).to.deep.equal({ id, value: { id }, version: 1 });
          expect(ids(await store.findBy(kind, 'owner', `${id} :owner`))).to.deep.equal([id]);
        }
        // 'a' must not see 'a:b:c' through a prefix match.
        expect(await store.get(kind, 'a')).to.equal(undefined);
        expect(ids(await store.list(kind))).to.have.members(odd);
        expect(await store.consume(kind, 'a:b:c')).to.deep.equal({ id: 'a:b:c' });
        expect(await store.delete(kind, 'with space')).to.equal(true);
        expect(ids(await store.list(kind))).to.have.members(['ünïcødé-🔑', 'urn:ietf:params:oauth', '*?[]{}']);
      });
    });
  });
}
