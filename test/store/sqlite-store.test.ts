import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { SqliteStore } from '../../src/store/sqlite-store';
import { injectedClock, storeContract } from './store-contract';

const tempDir = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-'));
after(function () {
  rmSync(tempDir, { recursive: true, force: true });
});

// SQLite's expiry is its own comparison with `now`, so the contract lets time pass on an injected
// clock instead of waiting (Redis's own expiry is what redis-store.test.ts waits for).
const memoryClock = injectedClock();
storeContract('sqlite :memory:', async () => new SqliteStore({ path: ':memory:', now: memoryClock.now }), undefined, memoryClock);
// A nested path also checks that missing parent directories are created.
const fileClock = injectedClock();
storeContract('sqlite file', async () => new SqliteStore({ path: join(tempDir, 'contract', 'nested', 'store.db'), now: fileClock.now }), undefined, fileClock);

describe('SqliteStore', function () {
  let path: string;
  const opened: SqliteStore[] = [];
  const openStore = (options: Partial<ConstructorParameters<typeof SqliteStore>[0]> = {}) => {
    const store = new SqliteStore({ path, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(function () {
    path = join(tempDir, `s-${Math.random().toString(36).slice(2)}.db`);
  });
  afterEach(async function () {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('keeps data, versions, expiry and indexes across close and reopen', async function () {
    const first = openStore();
    const expiresAt = Date.now() + 60_000;
    await first.put('clients', 'c1', { name: 'app' }, { indexes: { owner: 'o1' } });
    await first.put('clients', 'c1', { name: 'app v2' }, { expiresAt, indexes: { owner: 'o2' } });
    await first.close();

    const second = openStore();
    expect(await second.get('clients', 'c1')).to.deep.equal({ id: 'c1', value: { name: 'app v2' }, version: 2, expiresAt });
    expect(await second.findBy('clients', 'owner', 'o2')).to.have.length(1);
    expect(await second.findBy('clients', 'owner', 'o1')).to.deep.equal([]);
  });

  it('rejects calls after close with a clear error', async function () {
    const store = openStore();
    await store.close();
    await store.close(); // idempotent
    for (const call of [() => store.get('k', 'a'), () => store.put('k', 'a', 1), () => store.ping()]) {
      let error: unknown;
      await call().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Error).with.property('message').that.matches(/closed/);
    }
  });

  it('rejects values JSON cannot represent', async function () {
    const store = openStore({ path: ':memory:' });
    let error: unknown;
    await store.put('k', 'a', undefined).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TypeError);
    expect(await store.get('k', 'a')).to.equal(undefined);
  });

  it('uses the injected clock for expiry and purges expired rows', async function () {
    let now = 1_000_000;
    const store = openStore({ path: ':memory:', now: () => now });
    await store.put('k', 'a', 1, { expiresAt: now + 10, indexes: { g: 'x' } });
    await store.put('k', 'b', 2);
    now += 10;
    expect(await store.get('k', 'a'), 'still live at exactly expiresAt').to.not.equal(undefined);
    now += 1;
    expect(await store.get('k', 'a')).to.equal(undefined);
    expect(store.purgeExpired()).to.equal(1);
    now -= 100; // even with the clock going back, the purged row stays gone
    expect(await store.get('k', 'a')).to.equal(undefined);
    expect(await store.findBy('k', 'g', 'x')).to.deep.equal([]);
    expect(await store.list('k')).to.have.length(1);
  });

  it('restarts the version when put replaces an expired record', async function () {
    let now = 1_000_000;
    const store = openStore({ path: ':memory:', now: () => now });
    await store.put('k', 'a', 1, { expiresAt: now + 10 });
    await store.put('k', 'a', 2, { expiresAt: now + 10 });
    now += 20;
    expect(await store.put('k', 'a', 3)).to.equal(1);
  });

  describe('two instances on one file (CLI + server)', function () {
    it("see each other's writes", async function () {
      const server = openStore();
      const cli = openStore();
      await cli.create('clients', 'from-cli', { by: 'cli' }, { indexes: { owner: 'ops' } });
      expect(await server.get('clients', 'from-cli')).to.deep.include({ value: { by: 'cli' }, version: 1 });
      expect(await server.findBy('clients', 'owner', 'ops')).to.have.length(1);

      expect(await server.compareAndSet('clients', 'from-cli', 1, { by: 'server' })).to.equal(2);
      expect(await cli.get('clients', 'from-cli')).to.deep.include({ value: { by: 'server' }, version: 2 });
      expect(await cli.compareAndSet('clients', 'from-cli', 1, { by: 'stale cli' })).to.equal(undefined);

      expect(await cli.delete('clients', 'from-cli')).to.equal(true);
      expect(await server.list('clients')).to.deep.equal([]);
    });

    it('a concurrent consume across both instances has exactly one winner', async function () {
      const a = openStore();
      const b = openStore();
      for (let round = 0; round < 10; round++) {
        await a.create('codes', `code-${round}`, { round });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consume('codes', `code-${round}`)),
        );
        expect(results.filter((r) => r !== undefined)).to.deep.equal([{ round }]);
      }
    });

    it('threads racing on separate connections consume every code exactly once', async function () {
      this.timeout(30_000);
      const seed = openStore();
      const codes = Array.from({ length: 300 }, (_, i) => `code-${i}`);
      for (const id of codes) await seed.create('codes', id, { id });
      // All workers walk the same ids in the same order after a barrier, so they collide.
      const barrier = new Int32Array(new SharedArrayBuffer(4));
      const runs = [1, 2, 3, 4].map(() => consumeInWorker(path, codes, barrier, 4));
      const winners = (await Promise.all(runs)).flat();
      expect(winners).to.have.length(codes.length);
      expect(new Set(winners).size).to.equal(codes.length);
      expect(await seed.list('codes')).to.deep.equal([]);
    });
  });
});

/**
 * Consumes `ids` from a SqliteStore of its own in a worker thread, starting once `parties`
 * workers have opened their store; resolves with the ids this worker won.
 */
function consumeInWorker(dbPath: string, ids: string[], barrier: Int32Array, parties: number): Promise<string[]> {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    require(workerData.tsx);
    const { SqliteStore } = require(workerData.store);
    (async () => {
      const store = new SqliteStore({ path: workerData.dbPath });
      const { barrier, parties } = workerData;
      Atomics.add(barrier, 0, 1);
      while (Atomics.load(barrier, 0) < parties) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 5);
      const won = [];
      for (const id of workerData.ids) if ((await store.consume('codes', id)) !== undefined) won.push(id);
      await store.close();
      parentPort.postMessage(won);
    })();`;
  const workerData = {
    tsx: require.resolve('tsx/cjs'),
    store: require.resolve('../../src/store/sqlite-store'),
    dbPath,
    ids,
    barrier,
    parties,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}
