import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StatusCache } from '../../src/store/status-cache';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { RedisChangeFeed } from '../../src/store/redis-notifications';
import { SqliteChangeFeed } from '../../src/store/sqlite-data-version';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { clientWithToken, dropPrefix, openPushPair, untilMode, userWithToken, type PushPair } from '../helpers/push-pair';
import { testSettings } from '../helpers/test-portcullis';

/**
 * Issue 10, part 7: changes are pushed to every instance, so guard caches keep their answers until
 * told. The clocks of both runtimes are frozen: only a push can explain a refusal.
 */
const REDIS_URL = process.env.PORTCULLIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('guard: push invalidation over Redis pub/sub (src/store/redis-notifications.ts)', () => {
  let pair: PushPair;

  beforeEach(async () => {
    pair = await openPushPair(REDIS_URL);
    await Promise.all([untilMode(pair.a.portcullis.invalidation, 'push'), untilMode(pair.b.portcullis.invalidation, 'push')]);
  });
  afterEach(() => pair.close());

  it('a client disabled on one instance is refused by the other without polling (clocks frozen)', async () => {
    const { clientId, token } = await clientWithToken(pair.a);
    expect(await pair.b.status(token), 'B caches the active client').to.equal(200);
    await pair.a.portcullis.clients.setStatus(clientId, 'disabled');
    await untilRefused(pair, token);
  });

  it('a client deleted on one instance is refused by the other without polling', async () => {
    const { clientId, token } = await clientWithToken(pair.a);
    expect(await pair.b.status(token)).to.equal(200);
    await pair.a.portcullis.store.delete('clients', clientId);
    await untilRefused(pair, token);
  });

  it('a user disabled on one instance is refused by the other without polling', async () => {
    const { userId, token } = await userWithToken(pair.a);
    expect(await pair.b.status(token)).to.equal(200);
    // The registry alone (not disableUser, which also revokes grants): only the user's status tells.
    await pair.a.portcullis.users.update(userId, { status: 'disabled' });
    await untilRefused(pair, token);
  });

  it('a role edited on one instance is followed by the other without polling (issue 11)', async () => {
    const role = `pushed-${randomUUID().slice(0, 8)}`;
    await pair.a.portcullis.roles.create('echo', { name: role, permissions: ['echo:read'] });
    const { client } = await pair.a.portcullis.clients.create({ name: 'push role test', application: 'echo', roles: [role] });
    const { token } = await pair.a.portcullis.tokens.issue({ clientId: client.clientId, subject: client.clientId, audience: 'urn:portcullis:application:echo', roles: [role] });
    expect(await pair.b.status(token), 'B caches the role definition').to.equal(200);
    const start = pair.b.now.ms;
    await pair.a.portcullis.roles.update('echo', role, { permissions: ['echo:write'] });
    let status = await pair.b.status(token);
    while (status === 200) {
      await new Promise((resolve) => setImmediate(resolve));
      status = await pair.b.status(token);
    }
    expect(pair.b.now.ms, 'the clock did not move: only the push explains it').to.equal(start);
    expect(status).to.equal(403);
  });

  it('a token revoked on one instance is refused by the other without polling', async () => {
    const { token } = await clientWithToken(pair.a);
    expect(await pair.b.status(token)).to.equal(200);
    const { jti, exp } = decodeJwt(token);
    await pair.a.portcullis.revocations.revoke(jti!, exp!);
    await untilRefused(pair, token);
  });

  it('a signing key withdrawn on one instance (rotate, retireNow) is refused by the other without waiting for its 30 s refresh', async () => {
    const { token } = await clientWithToken(pair.a);
    expect(await pair.b.status(token), 'B verified the token and caches the verification').to.equal(200);
    await pair.a.portcullis.keys.rotate(undefined, { retireNow: true });
    await untilRefused(pair, token);
    const { token: fresh } = await clientWithToken(pair.a);
    expect(await pair.b.status(fresh), 'the new key is known to B').to.equal(200);
  });

  it('while push is up, answers outlive cacheMs: the other instance still accepts an unchanged token', async () => {
    const { token } = await clientWithToken(pair.a);
    expect(await pair.b.status(token)).to.equal(200);
    pair.b.now.ms += 10 * pair.b.portcullis.settings.cacheMs;
    expect(pair.b.portcullis.invalidation.mode).to.equal('push');
    expect(await pair.b.status(token)).to.equal(200);
  });
});

describe('guard: push turned off (invalidation.push: false)', () => {
  it('the other instance keeps a disabled client until cacheMs passes on its clock, then refuses', async () => {
    const pair = await openPushPair(REDIS_URL, { invalidation: { push: false } });
    try {
      expect(pair.b.portcullis.invalidation.mode).to.equal('polling');
      const { clientId, token } = await clientWithToken(pair.a);
      expect(await pair.b.status(token)).to.equal(200);
      await pair.a.portcullis.clients.setStatus(clientId, 'disabled');
      expect(await pair.b.status(token), 'no push: the answer is kept for cacheMs').to.equal(200);
      pair.b.now.ms += pair.b.portcullis.settings.cacheMs + 1;
      expect(await pair.b.status(token), 'polled once cacheMs passed').to.equal(401);
    } finally {
      await pair.close();
    }
  });
});

describe('guard: StatusCache with a feed (src/store/status-cache.ts)', () => {
  let feed: RedisChangeFeed;
  const now = { ms: Date.now() };
  beforeEach(async () => {
    feed = await RedisChangeFeed.open({ url: REDIS_URL, keyPrefix: `push-test:${randomUUID()}:` });
    await untilMode(feed, 'push');
  });
  afterEach(() => feed.close());

  it('an answer whose load overlapped a change of its kind is trusted for cacheMs only', async () => {
    let loads = 0;
    const cache = new StatusCache<string>(async (id) => {
      loads++;
      if (loads === 1) await feed.publish('clients', id); // a change lands while the old value is read
      return 'active';
    }, 500, () => now.ms, 100, { feed, kind: 'clients', safetyTtlMs: 60_000 });
    await cache.get('c1');
    now.ms += 501;
    expect(cache.peek('c1'), 'the overlapping answer is too old for cacheMs').to.equal(undefined);
    await cache.get('c1');
    now.ms += 501;
    expect(cache.peek('c1')?.value, 'a clean answer is kept until told').to.equal('active');
    expect(loads).to.equal(2);
  });

  it('no answer outlives invalidation.safetyTtlMs, even while push is up', async () => {
    let loads = 0;
    const cache = new StatusCache<string>(async () => (loads++, 'active'), 500, () => now.ms, 100, { feed, kind: 'clients', safetyTtlMs: 60_000 });
    await cache.get('c1');
    now.ms += 60_000;
    expect(cache.peek('c1')?.value).to.equal('active');
    now.ms += 1;
    expect(cache.peek('c1')).to.equal(undefined);
    await cache.get('c1');
    expect(loads).to.equal(2);
  });

  it('a change of another kind does not drop the answer', async () => {
    const cache = new StatusCache<string>(async () => 'active', 500, () => now.ms, 100, { feed, kind: 'clients', safetyTtlMs: 60_000 });
    await cache.get('c1');
    await feed.publish('users', 'c1');
    now.ms += 501;
    expect(cache.peek('c1')?.value).to.equal('active');
  });
});

describe('guard: which feed each store gets (src/store/open-change-feed.ts)', () => {
  const quiet = { logger: createLogger('error', () => undefined) };
  const modeOf = async (overrides: Record<string, unknown>) => {
    const portcullis = await Portcullis.open(testSettings(overrides), quiet);
    try {
      return portcullis.invalidation.mode;
    } finally {
      await portcullis.close();
    }
  };

  it('Redis: push (pub/sub); with invalidation.push false: polling', async () => {
    const store = { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: `push-test:${randomUUID()}:` };
    const portcullis = await Portcullis.open(testSettings({ store }), quiet);
    try {
      await untilMode(portcullis.invalidation, 'push');
    } finally {
      await portcullis.close();
    }
    expect(await modeOf({ store, invalidation: { push: false } })).to.equal('polling');
    await dropPrefix(REDIS_URL, store.redisKeyPrefix);
  });

  it('a SQLite file: push (data_version); SQLite in memory: polling', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-push-'));
    try {
      expect(await modeOf({ store: { sqlitePath: path.join(dir, 'p.db') } })).to.equal('push');
      expect(await modeOf({ store: { sqlitePath: path.join(dir, 'p.db') }, invalidation: { push: false } })).to.equal('polling');
      expect(await modeOf({})).to.equal('polling');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('guard: SQLite file shared by two processes (src/store/sqlite-data-version.ts)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-push-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A runtime on the file whose record reads are counted. */
  async function open(file: string, now: { ms: number }) {
    const reads = { n: 0 };
    const sqlite = new SqliteStore({ path: file });
    const counted: Store = Object.assign(Object.create(sqlite) as Store, {
      get: (kind: string, id: string) => (reads.n++, sqlite.get(kind, id)),
      close: () => sqlite.close(),
    });
    const settings = testSettings({ store: { sqlitePath: file } });
    const portcullis = await Portcullis.open(settings, {
      store: counted,
      changeFeed: new SqliteChangeFeed(file, settings.cacheMs, () => now.ms),
      now: () => now.ms,
      logger: createLogger('error', () => undefined),
    });
    return { portcullis, reads, guard: portcullis.guard({ application: 'echo' }) };
  }

  it('a change on one runtime is refused by the other once cacheMs passes; unchanged answers are kept without reads', async () => {
    const file = path.join(dir, 'portcullis.db');
    new SqliteStore({ path: file }).close(); // the file must exist before a feed watches it
    const nowA = { ms: Date.now() };
    const nowB = { ms: nowA.ms };
    const a = await open(file, nowA);
    const b = await open(file, nowB);
    try {
      const { client } = await a.portcullis.clients.create({ name: 'sqlite push', application: 'echo', roles: ['echo-reader'] });
      const { token } = await a.portcullis.tokens.issue({ clientId: client.clientId, subject: client.clientId, audience: 'urn:portcullis:application:echo', roles: ['echo-reader'] });
      const req = () => ({ method: 'GET', url: '/echo/hello', headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] }) as never;
      await b.guard.check(req());
      // The writes above (the client) are seen at B's next data_version check: let it pass.
      nowB.ms += b.portcullis.settings.cacheMs + 1;
      await b.guard.check(req());
      const before = b.reads.n;
      for (let i = 0; i < 5; i++) {
        nowB.ms += b.portcullis.settings.cacheMs + 1;
        await b.guard.check(req());
      }
      expect(b.reads.n - before, 'nothing was written: no record read, only data_version').to.equal(0);
      await a.portcullis.clients.setStatus(client.clientId, 'disabled');
      expect(b.guard.checkCached(req()), 'data_version is read at most every cacheMs').to.not.equal(undefined);
      nowB.ms += b.portcullis.settings.cacheMs;
      expect(b.guard.checkCached(req()), 'cacheMs passed: the file changed, answers dropped').to.equal(undefined);
      let refused: unknown;
      await b.guard.check(req()).catch((err: unknown) => (refused = err));
      expect((refused as Error)?.message, 'the disabled client is refused').to.equal('the client of this access token is disabled');
    } finally {
      await a.portcullis.close();
      await b.portcullis.close();
    }
  });
});

/** B refuses `token` (401) without its clock moving; the push arrives asynchronously, so ask until it has. */
async function untilRefused(pair: PushPair, token: string): Promise<void> {
  const start = pair.b.now.ms;
  let status = await pair.b.status(token);
  while (status === 200) {
    await new Promise((resolve) => setImmediate(resolve));
    status = await pair.b.status(token);
  }
  expect(pair.b.now.ms, 'the clock did not move: only the push explains it').to.equal(start);
  expect(status).to.equal(401);
}
