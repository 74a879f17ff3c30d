import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createClient } from 'redis';
import { hasRedisServer, killRedisServer, spawnRedisServer } from '../helpers/redis-server';
import { RedisStore } from '../../src/store/redis-store';
import { storeContract } from './store-contract';



const randomPort = () => 20000 + Math.floor(Math.random() * 25000);

/**
 * Redis Sentinel for real: a master of this file's own and one `redis-server --sentinel`
 * monitoring it (quorum 1). The store finds the master through the sentinel only: its URL points
 * at a port where nothing listens.
 */
describe('Redis Sentinel: one master found through a sentinel', function () {
  this.timeout(30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-sentinel-'));
  let master: ChildProcess | undefined;
  let sentinel: ChildProcess | undefined;
  let masterPort: number;
  let sentinelPort: number;
  const connection = () => ({
    mode: 'sentinel' as const,
    cluster: { nodes: [] },
    sentinel: { masterName: 'portcullis-test', sentinels: [`127.0.0.1:${sentinelPort}`], database: 3 },
    tls: { enabled: false },
  });
  const open = () => RedisStore.open({ url: 'redis://127.0.0.1:1', keyPrefix: 'sentinel:', connection: connection() });

  before(async function () {
    if (!hasRedisServer()) this.skip();
    for (let attempt = 0; !sentinel; attempt++) {
      try {
        masterPort = randomPort();
        master = await spawnRedisServer(['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], 'Ready to accept connections');
        sentinelPort = randomPort();
        // A sentinel rewrites its config file, so it gets one of its own in a temp folder.
        const conf = path.join(dir, `sentinel-${sentinelPort}.conf`);
        fs.writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor portcullis-test 127.0.0.1 ${masterPort} 1\n`);
        sentinel = await spawnRedisServer([conf, '--sentinel'], '+monitor master portcullis-test');
      } catch (error) {
        await Promise.all([killRedisServer(master), killRedisServer(sentinel)]);
        sentinel = undefined;
        if (attempt >= 4) throw error;
      }
    }
  });
  after(async () => {
    await Promise.all([killRedisServer(sentinel), killRedisServer(master)]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  storeContract('redis sentinel', open);

  it("writes to the sentinel's master, in its database, with the standalone key layout", async () => {
    const store = await open();
    const raw = createClient({ url: `redis://127.0.0.1:${masterPort}/3` });
    raw.on('error', () => undefined);
    await raw.connect();
    try {
      await store.put('clients', 'c1', { name: 'one' }, { indexes: { owner: 'o1' } });
      expect(await raw.hGet('sentinel:rec:clients:c1', 'v')).to.equal('{"name":"one"}');
      expect(await raw.sMembers('sentinel:idx:clients:owner:o1')).to.deep.equal(['c1']);
    } finally {
      await store.close();
      await raw.close();
    }
  });

  it('open() rejects when the sentinel does not know the master name', async () => {
    const wrong = { ...connection(), sentinel: { ...connection().sentinel, masterName: 'nobody' } };
    const outcome = await RedisStore.open({ url: 'redis://127.0.0.1:1', connection: wrong, connectTimeoutMs: 2000 }).then(
      (s) => s.close().then(() => 'opened'),
      (e: Error) => e,
    );
    expect(outcome).to.be.instanceOf(Error);
  });
});

/**
 * A real failover: a master, its replica and a sentinel (quorum 1, master down after 1 s). When
 * the master dies the sentinel promotes the replica, and the store follows it without a restart.
 */
describe('Redis Sentinel: the store follows a failover to the replica', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-failover-'));
  const children: ChildProcess[] = [];
  let masterPort: number;
  let replicaPort: number;
  let sentinelPort: number;
  let store: RedisStore | undefined;

  before(async function () {
    if (!hasRedisServer()) this.skip();
    // Three servers and a sentinel's first look at them: slow on a loaded machine, never a measure.
    this.timeout(180_000);
    // No 5-second wait before the replica's first sync (Redis 7's diskless sync delay).
    // Its own folder: a replica's first sync writes an RDB file into the working directory otherwise.
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--dir', dir];
    for (let attempt = 0; ; attempt++) {
      try {
        masterPort = randomPort();
        replicaPort = randomPort();
        sentinelPort = randomPort();
        children.push(await spawnRedisServer(['--port', String(masterPort), ...common], 'Ready to accept connections'));
        children.push(await spawnRedisServer(['--port', String(replicaPort), ...common, '--replicaof', '127.0.0.1', String(masterPort)], 'MASTER <-> REPLICA sync: Finished with success'));
        const conf = path.join(dir, `sentinel-${sentinelPort}.conf`);
        fs.writeFileSync(
          conf,
          [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor failover-test 127.0.0.1 ${masterPort} 1`,
            'sentinel down-after-milliseconds failover-test 1000', 'sentinel failover-timeout failover-test 5000', ''].join('\n'),
        );
        children.push(await spawnRedisServer([conf, '--sentinel'], '+slave slave'));
        break;
      } catch (error) {
        await Promise.all(children.splice(0).map(killRedisServer));
        if (attempt >= 4) throw error;
      }
    }
    store = await RedisStore.open({
      url: 'redis://127.0.0.1:1',
      keyPrefix: 'failover:',
      commandTimeoutMs: 2000,
      connection: { mode: 'sentinel', cluster: { nodes: [] }, sentinel: { masterName: 'failover-test', sentinels: [`127.0.0.1:${sentinelPort}`], database: 0 }, tls: { enabled: false } },
    });
  });
  after(async () => {
    await store?.close();
    await Promise.all(children.map(killRedisServer));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads what it wrote before the master died, and writes to the promoted replica', async () => {
    const s = store!;
    await s.put('clients', 'before', { n: 1 });
    const replica = createClient({ url: `redis://127.0.0.1:${replicaPort}` });
    replica.on('error', () => undefined);
    await replica.connect();
    try {
      // Replication is asynchronous: wait until the replica has the record before killing the master.
      for (let i = 0; (await replica.hGet('failover:rec:clients:before', 'v')) === null; i++) {
        if (i > 100) throw new Error('the replica never received the record');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await killRedisServer(children[0]);

      let written = false;
      for (let i = 0; i < 150 && !written; i++) {
        written = await s.put('clients', 'after', { n: 2 }).then(() => true, () => false);
        if (!written) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(written, 'writes succeed again once the sentinel promoted the replica').to.equal(true);
      expect(await s.get('clients', 'before')).to.deep.include({ value: { n: 1 } });
      expect(await replica.hGet('failover:rec:clients:after', 'v'), 'written to the former replica, now the master').to.equal('{"n":2}');
    } finally {
      await replica.close();
    }
  });
});
