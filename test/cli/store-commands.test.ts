import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { importRedis } from '../../src/cli/store-commands';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import { gatewayEnv, runCli, tempDir } from '../helpers/gateway-process';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** `portcullis store import-redis` (src/cli/store-commands.ts), from the shared Redis into SQLite. */
describe('portcullis store import-redis', function () {
  this.timeout(30_000);
  const prefix = `import-${randomBytes(4).toString('hex')}:`;
  let source: RedisStore;

  before(async () => {
    source = await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix });
    await source.put('clients', 'c:1', { name: 'one', roles: [] }, { indexes: { application: 'echo' } });
    await source.put('clients', 'c:2', { name: 'two' }, { indexes: { application: 'reports' } });
    await source.put('sessions', 's1', { user: 'u1' }, { expiresAt: Date.now() + 60_000, indexes: { user: 'u1' } });
    await source.put('sessions', 's2', { user: 'u2' }, { expiresAt: Date.now() + 60_000 });
  });
  after(async () => {
    await source?.close();
    const raw = createClient({ url: REDIS_URL });
    await raw.connect();
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await raw.del(keys);
    await raw.close();
  });

  it('copies live records with their ids, values, expiry and indexes, and leaves expired ones', async () => {
    const target = new SqliteStore({ path: ':memory:' });
    try {
      const report = await importRedis(REDIS_URL, prefix, target);
      expect(report).to.deep.equal({ records: 4, kinds: { clients: 2, sessions: 2 } });
      expect((await target.findBy('clients', 'application', 'echo')).map((r) => r.id)).to.deep.equal(['c:1']);
      expect(await target.get('clients', 'c:1')).to.deep.include({ value: { name: 'one', roles: [] }, version: 1 });
      const session = await target.get('sessions', 's1');
      expect(session?.expiresAt).to.equal((await source.get('sessions', 's1'))?.expiresAt);
      expect((await target.findBy('sessions', 'user', 'u1')).map((r) => r.id)).to.deep.equal(['s1']);

      const later = new SqliteStore({ path: ':memory:' });
      const afterExpiry = await importRedis(REDIS_URL, prefix, later, Date.now() + 120_000);
      expect(afterExpiry.kinds, 'expired sessions stay behind').to.deep.equal({ clients: 2 });
      await later.close();
    } finally {
      await target.close();
    }
  });

  it('refuses, writing nothing, a store that already holds a kind it would copy', async () => {
    const target = new SqliteStore({ path: ':memory:' });
    try {
      await target.put('sessions', 'mine', { user: 'me' });
      const outcome = await importRedis(REDIS_URL, prefix, target).then(() => 'imported', (e: Error) => e);
      expect(outcome).to.be.instanceOf(Error);
      expect((outcome as Error & { code: string }).code).to.equal('conflict');
      expect(await target.list('clients'), 'nothing written').to.deep.equal([]);
    } finally {
      await target.close();
    }
  });

  it('the command: copies into the configured SQLite file and prints a JSON report; an unreachable source is exit 1 without the URL', async () => {
    const env = await gatewayEnv({ PORTCULLIS_SQLITE_PATH: path.join(tempDir(), 'imported.db'), PORTCULLIS_ISSUER: 'http://issuer.import.test' });
    const run = await runCli(['store', 'import-redis', '--from', REDIS_URL, '--from-prefix', prefix, '--json'], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ records: 4, kinds: { clients: 2, sessions: 2 } });

    const down = await runCli(['store', 'import-redis', '--from', 'redis://portcullis:s3cret@127.0.0.1:1', '--from-prefix', prefix, '--json'], env);
    expect(down.code).to.equal(1);
    expect(JSON.parse(down.stderr)).to.include({ error: 'internal_error' });
    expect(down.stderr).not.to.contain('s3cret');
  });
});
