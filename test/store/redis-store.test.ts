import { type ChildProcess, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { createClient } from 'redis';
import { RedisStore } from '../../src/store/redis-store';
import { deleteRedisKeys as deleteKeys } from '../helpers/each-store';
import { killRedisServer, spawnRedisServer } from '../helpers/redis-server';
import { storeContract } from './store-contract';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PREFIX = `portcullis-test:${randomBytes(6).toString('hex')}:`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long `promise` took to reject, failing the test if it resolves instead. */
async function rejectionTime(promise: Promise<unknown>): Promise<number> {
  const started = Date.now();
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(outcome, 'expected a rejection').to.be.instanceOf(Error);
  return Date.now() - started;
}

storeContract('redis', () => RedisStore.open({ url: REDIS_URL, keyPrefix: PREFIX }), () => deleteKeys(PREFIX));

describe('RedisStore', function () {
  let store: RedisStore;
  let raw: ReturnType<typeof createClient>;

  before(async function () {
    store = await RedisStore.open({ url: REDIS_URL, keyPrefix: PREFIX });
    raw = createClient({ url: REDIS_URL });
    raw.on('error', () => undefined);
    await raw.connect();
  });
  after(async function () {
    await store?.close();
    await deleteKeys(PREFIX);
    await raw?.close();
  });

  it('lazily drops index and list entries of expired records', async function () {
    await store.put('sessions', 's1', { u: 1 }, { expiresAt: Date.now() + 100, indexes: { user: 'u1' } });
    expect(await raw.sMembers(`${PREFIX}idx:sessions:user:u1`)).to.deep.equal(['s1']);
    // Real time: what is under test is Redis dropping the record by its own TTL (no injected clock).
    await sleep(200);
    expect(await store.findBy('sessions', 'user', 'u1')).to.deep.equal([]);
    expect(await store.list('sessions')).to.deep.equal([]);
    expect(await raw.sMembers(`${PREFIX}idx:sessions:user:u1`)).to.deep.equal([]);
    expect(await raw.sMembers(`${PREFIX}ids:sessions`)).to.deep.equal([]);
  });

  it('keeps every key under its prefix', async function () {
    const other = await RedisStore.open({ url: REDIS_URL, keyPrefix: `${PREFIX}other:` });
    try {
      await store.put('isolation', 'x', 'mine');
      expect(await other.get('isolation', 'x')).to.equal(undefined);
    } finally {
      await other.close();
    }
  });

  it('rejects calls after close', async function () {
    const closing = await RedisStore.open({ url: REDIS_URL, keyPrefix: PREFIX });
    await closing.close();
    await closing.close(); // idempotent
    await rejectionTime(closing.get('k', 'a'));
    await rejectionTime(closing.ping());
  });

  it('open rejects promptly when nothing listens', async function () {
    const port = await freePort();
    const elapsed = await rejectionTime(RedisStore.open({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 }));
    expect(elapsed).to.be.below(3000);
  });
});

describe('RedisStore fails closed', function () {
  this.timeout(30_000);
  let server: ChildProcess | undefined;
  let port: number;
  let store: RedisStore | undefined;

  before(async function () {
    if (spawnSync('redis-server', ['--version']).error) this.skip();
    // A random port may be taken; a few attempts make a collision vanishingly unlikely.
    for (let attempt = 0; !server; attempt++) {
      port = 20000 + Math.floor(Math.random() * 20000);
      server = await spawnRedisServer(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']).catch((error: Error) => {
        if (attempt >= 4) throw error;
        return undefined;
      });
    }
    store = await RedisStore.open({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 2000 });
  });
  after(async function () {
    await store?.close();
    await killRedisServer(server);
  });

  it('rejects every operation while Redis is down, and recovers when it returns', async function () {
    const s = store!;
    expect(await s.create('codes', 'c1', { sub: 'alice' })).to.equal(true);
    expect(await s.get('codes', 'c1')).to.deep.include({ value: { sub: 'alice' } });

    await killRedisServer(server);
    server = undefined;

    for (const op of [
      () => s.get('codes', 'c1'),
      () => s.create('codes', 'c2', {}),
      () => s.consume('codes', 'c1'),
      () => s.findBy('codes', 'x', 'y'),
      () => s.ping(),
    ]) {
      expect(await rejectionTime(op())).to.be.below(3000);
    }

    server = await spawnRedisServer(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    let healthy = false;
    for (let i = 0; i < 50 && !healthy; i++) {
      healthy = await s.ping().then(() => true, () => false);
      if (!healthy) await sleep(200);
    }
    expect(healthy, 'store reconnects once Redis is back').to.equal(true);
    expect(await s.get('codes', 'c1')).to.equal(undefined); // that Redis kept nothing on disk
  });
});



/** A TCP port nothing listens on (just released by the OS). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
