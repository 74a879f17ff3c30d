import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createClient } from 'redis';
import { hasRedisServer } from '../helpers/redis-server';
import { RedisStore } from '../../src/store/redis-store';
import { storeContract } from './store-contract';

/** Starts `redis-server <args>` and waits for `ready` in its output. */
function start(args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server ${args.join(' ')} did not start:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

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
        master = await start(['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], 'Ready to accept connections');
        sentinelPort = randomPort();
        // A sentinel rewrites its config file, so it gets one of its own in a temp folder.
        const conf = path.join(dir, `sentinel-${sentinelPort}.conf`);
        fs.writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor portcullis-test 127.0.0.1 ${masterPort} 1\n`);
        sentinel = await start([conf, '--sentinel'], '+monitor master portcullis-test');
      } catch (error) {
        await Promise.all([kill(master), kill(sentinel)]);
        sentinel = undefined;
        if (attempt >= 4) throw error;
      }
    }
  });
  after(async () => {
    await Promise.all([kill(sentinel), kill(master)]);
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
