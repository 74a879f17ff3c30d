import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { FailureThrottle } from '../../src/throttle/failure-throttle';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * The failure counter behind sign-in and client-authentication throttling, on both backends, with
 * two store instances on the same data (two gateway instances: one SQLite file, one Redis prefix):
 * counts are shared and no concurrent increment is lost.
 */
interface Backend {
  name: string;
  /** Two stores over the same data. */
  open(): Promise<[Store, Store]>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite (one file, two connections)',
    async open() {
      dir = mkdtempSync(path.join(tmpdir(), 'portcullis-throttle-'));
      const file = path.join(dir, 'store.db');
      return [new SqliteStore({ path: file }), new SqliteStore({ path: file })];
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function redisBackend(): Backend {
  const prefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  return {
    name: 'redis (one prefix, two connections)',
    async open() {
      return [await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix }), await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix })];
    },
    async cleanup() {
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => undefined);
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
      await client.close();
    },
  };
}

for (const backend of [sqliteBackend(), redisBackend()]) {
  describe(`FailureThrottle on ${backend.name}`, () => {
    let stores: [Store, Store];
    let now: { ms: number };
    let a: FailureThrottle;
    let b: FailureThrottle;
    const options = { windowSeconds: 60, maxLockoutSeconds: 200 };

    beforeEach(async () => {
      stores = await backend.open();
      now = { ms: Date.now() };
      a = new FailureThrottle(stores[0], 'test-failures', options, () => now.ms);
      b = new FailureThrottle(stores[1], 'test-failures', options, () => now.ms);
    });
    afterEach(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    const key = (limit: number, id = 'k') => [{ id, limit }];

    it('counts attempts from both instances; the attempt after the limit-th failure locks the key for windowSeconds on both', async () => {
      expect(await a.begin(key(3))).to.equal(0);
      expect(await b.begin(key(3))).to.equal(0);
      expect(await b.begin(key(3))).to.equal(0);
      expect(await a.begin(key(3)), 'the fourth attempt').to.equal(60);
      expect(await b.begin(key(3))).to.equal(60);
      now.ms += 59_500;
      expect(await a.begin(key(3))).to.equal(1);
      now.ms += 500;
      expect(await a.begin(key(3))).to.equal(0);
    });

    it('a burst of parallel attempts on both instances: exactly `limit` get through, none is lost', async () => {
      const limit = 10;
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).begin(key(limit, 'busy'))));
      expect(answers.filter((w) => w === 0)).to.have.length(limit);
      expect(answers.filter((w) => w > 0).length).to.equal(40 - limit);
      expect(await a.begin(key(limit, 'busy'))).to.be.greaterThan(0);
    });

    it('a success refunds its attempt; attempts outside the window are forgotten', async () => {
      for (let i = 0; i < 5; i++) {
        expect(await a.begin(key(2))).to.equal(0);
        await b.succeeded(['k']);
      }
      expect(await a.begin(key(2))).to.equal(0);
      expect(await a.begin(key(2))).to.equal(0);
      now.ms += 60_000;
      expect(await a.begin(key(2)), 'a new window').to.equal(0);
    });

    it('repeated locks double up to maxLockoutSeconds; attempts during a lock do not count', async () => {
      const seen: number[] = [];
      for (let round = 0; round < 4; round++) {
        expect(await a.begin(key(1))).to.equal(0);
        const wait = await b.begin(key(1));
        expect(await a.begin(key(1)), 'refused during the lock, not counted').to.equal(wait);
        seen.push(wait);
        now.ms += wait * 1000;
      }
      expect(seen).to.deep.equal([60, 120, 200, 200]);
    });

    it('with several keys, a locked one refuses the attempt and nothing is counted under the others', async () => {
      expect(await a.begin(key(1, 'x'))).to.equal(0);
      expect(await a.begin(key(1, 'x'))).to.equal(60);
      for (let i = 0; i < 3; i++) expect(await b.begin([{ id: 'y', limit: 1 }, { id: 'x', limit: 1 }])).to.equal(60);
      expect(await b.begin(key(1, 'y')), 'y was not counted').to.equal(0);
    });

    it('recordFailure (counted after the fact): the limit-th failure locks, as with begin', async () => {
      await a.recordFailure(key(3));
      await b.recordFailure(key(3));
      expect(await a.lockedFor('k')).to.equal(0);
      await b.recordFailure(key(3));
      expect(await a.lockedFor('k')).to.equal(60);
      expect(await b.begin(key(3))).to.equal(60);
    });

    it('a very long key (a username or client id from a request) works and is stored under a short id', async () => {
      const long = 'x'.repeat(10_000);
      expect(await a.begin(key(1, long))).to.equal(0);
      expect(await b.begin(key(1, long))).to.equal(60);
      const ids = (await stores[0].list('test-failures')).map((r) => r.id);
      expect(ids).to.have.length(1);
      expect(ids[0].length).to.be.below(100);
    });

    it('resetUnlessLocked forgets an unlocked key, and leaves a locked one alone', async () => {
      await a.begin(key(1));
      await b.resetUnlessLocked('k');
      expect(await a.begin(key(1)), 'the count started again').to.equal(0);
      expect(await a.begin(key(1))).to.equal(60);
      await b.resetUnlessLocked('k');
      expect(await a.begin(key(1))).to.equal(60);
    });
  });
}
