// Redis by nature (a three-master Redis Cluster), so not under eachStore.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createClient, createCluster } from 'redis';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { hasRedisClusterTools, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { twoGatewaySuite } from '../helpers/two-gateway-suite';
import { RedisStore } from '../../src/store/redis-store';
import { storeContract } from '../store/store-contract';

const STANDALONE = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** An access token for the client, by client credentials at `gw`. */
async function clientToken(gw: GatewayProcess, client: { client_id: string; client_secret: string }): Promise<string> {
  const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
  });
  expect(res.status, await res.clone().text()).to.equal(200);
  return (await res.json()).access_token as string;
}

/**
 * Redis Cluster for real (issue 10, part 8): three masters on 127.0.0.1, joined with
 * `redis-cli --cluster create`, stopped by PID at the end. The store contract suite and the
 * two-gateway suite run on it unchanged, so every multi-key script must find its keys on one slot
 * (a CROSSSLOT or "non local key" error fails them).
 */
describe('Redis Cluster: three masters on 127.0.0.1', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  const connection = () => ({
    mode: 'cluster' as const,
    cluster: { nodes: cluster.nodes },
    sentinel: { sentinels: [], database: 0 },
    tls: { enabled: false },
  });

  before(async function () {
    if (!hasRedisClusterTools()) this.skip();
    cluster = await startRedisCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  storeContract('redis cluster', () => RedisStore.open({ url: 'redis://unused', keyPrefix: 'contract:', connection: connection() }));

  describe('key layout', function () {
    const prefix = `layout-${randomBytes(4).toString('hex')}:`;
    const kinds = ['clients', 'users', 'sessions', 'consents', 'refresh-tokens', 'codes', 'revoked-access-tokens', 'audit', 'keys'];

    it('puts every key of a kind (records, id set, index sets) on one slot, and the kinds on more than one master', async () => {
      const store = await RedisStore.open({ url: 'redis://unused', keyPrefix: prefix, connection: connection() });
      const raw = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n}` })) });
      raw.on('error', () => undefined);
      await raw.connect();
      try {
        for (const kind of kinds) {
          for (const id of ['a', 'b', 'c:with{braces}']) await store.put(kind, id, { id }, { indexes: { owner: `o-${id}`, group: 'g' } });
        }
        const slotOf = new Map<string, number>();
        const masterOf = new Map<string, string>();
        for (const master of raw.masters) {
          const client = await raw.nodeClient(master);
          for (const key of await client.keys(`${prefix}*`)) {
            const kind = /^[^{]*\{([^}]*)\}/.exec(key)?.[1];
            expect(kind, `${key} is hash-tagged with its kind`).to.be.oneOf(kinds);
            const slot = Number(await client.sendCommand(['CLUSTER', 'KEYSLOT', key]));
            expect(slotOf.get(kind!) ?? slot, `${key} on the slot of its kind`).to.equal(slot);
            expect(masterOf.get(kind!) ?? master.id, `${key} on the master of its kind`).to.equal(master.id);
            slotOf.set(kind!, slot);
            masterOf.set(kind!, master.id);
          }
        }
        expect([...slotOf.keys()].sort()).to.deep.equal([...kinds].sort());
        expect(new Set(masterOf.values()).size, 'kinds spread over the masters').to.be.above(1);
        for (const kind of kinds) expect((await store.findBy(kind, 'group', 'g')).map((r) => r.id)).to.deep.equal(['a', 'b', 'c:with{braces}']);
      } finally {
        await store.close();
        await raw.close();
      }
    });

    it('open() rejects when no seed node answers', async () => {
      const unreachable = { ...connection(), cluster: { nodes: ['127.0.0.1:1'] } };
      const outcome = await RedisStore.open({ url: 'redis://unused', connection: unreachable, connectTimeoutMs: 1000 }).then(
        (s) => s.close().then(() => 'opened'),
        (e: Error) => e,
      );
      expect(outcome).to.be.instanceOf(Error);
    });
  });

  /** Gateway (and CLI) environment: the sample config with `store.redis` in cluster mode. */
  const clusterEnv = (prefix: string): NodeJS.ProcessEnv => {
    const nodes = cluster.nodes.map((n) => `'${n}'`).join(', ');
    const dir = configWith('system.config.yml', (text) => {
      const line = "      redisKeyPrefix: '${PORTCULLIS_REDIS_PREFIX:-portcullis:}'\n";
      expect(text).to.include(line);
      return text.replace(line, `${line}      redis:\n        mode: cluster\n        cluster:\n          nodes: [${nodes}]\n`);
    });
    // Nothing listens on port 1: a gateway that ignored the cluster settings could not start.
    return { PORTCULLIS_CONFIG_DIR: dir, PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: 'redis://127.0.0.1:1', PORTCULLIS_REDIS_PREFIX: prefix };
  };

  twoGatewaySuite('e2e: two gateway nodes on the three-master cluster', async () => {
    return { env: { ...clusterEnv('e2e:'), PORTCULLIS_ISSUER: 'http://issuer.cluster.test' } };
  });

  // A describe of its own, so it runs after the suite above (mocha runs a level's tests first).
  describe('after the two gateways', () => it('kept their clients in the cluster, hash-tagged', async () => {
    const raw = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n}` })) });
    raw.on('error', () => undefined);
    await raw.connect();
    try {
      const keys = (await Promise.all(raw.masters.map(async (m) => (await raw.nodeClient(m)).keys('e2e:{clients}:rec:*')))).flat();
      expect(keys.length, 'the clients the suite created').to.be.at.least(2);
    } finally {
      await raw.close();
    }
  }));

  describe('moving a standalone deployment into the cluster (portcullis store import-redis)', function () {
    const oldPrefix = `move-${randomBytes(4).toString('hex')}:`;
    after(async () => {
      const redis = createClient({ url: STANDALONE });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${oldPrefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
      await redis.close();
    });

    it('copies clients, keys and the secret hash key: the old client secret and the old token work on the cluster; a second import is refused', async () => {
      const old = await startGateway({ PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: STANDALONE, PORTCULLIS_REDIS_PREFIX: oldPrefix, PORTCULLIS_ISSUER: 'http://issuer.move.test' });
      let created;
      let oldToken: string;
      try {
        created = await old.cli(['clients', 'create', '--name', 'mover', '--application', 'echo', '--role', 'echo-reader', '--json']);
        expect(created.code, created.stderr).to.equal(0);
        oldToken = await clientToken(old, JSON.parse(created.stdout));
      } finally {
        await old.stop();
      }
      const { client_id: id, client_secret: secret } = JSON.parse(created.stdout);

      const env = await gatewayEnv({ ...clusterEnv('moved:'), PORTCULLIS_ISSUER: 'http://issuer.move.test' });
      const imported = await runCli(['store', 'import-redis', '--from', STANDALONE, '--from-prefix', oldPrefix, '--json'], env);
      expect(imported.code, imported.stderr).to.equal(0);
      const report = JSON.parse(imported.stdout);
      expect(report.kinds).to.include.keys('clients');
      expect(report.records).to.be.above(2);

      const moved = await startGateway({ ...clusterEnv('moved:'), PORTCULLIS_ISSUER: 'http://issuer.move.test' });
      try {
        const newToken = await clientToken(moved, { client_id: id, client_secret: secret });
        for (const t of [newToken, oldToken]) {
          expect((await fetch(`${moved.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${t}` } })).status).to.equal(200);
        }
      } finally {
        await moved.stop();
      }

      const again = await runCli(['store', 'import-redis', '--from', STANDALONE, '--from-prefix', oldPrefix, '--json'], env);
      expect(again.code).to.equal(1);
      expect(JSON.parse(again.stderr)).to.include({ error: 'conflict' });
    });
  });

  // Last: it takes a master away from the cluster that the suites above use.
  describe('a master down', function () {
    it('fails closed (ping and that master\'s kinds reject) and recovers once the master is back', async () => {
      const store = await RedisStore.open({ url: 'redis://unused', keyPrefix: 'down:', connection: connection(), commandTimeoutMs: 2000 });
      const raw = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n}` })) });
      raw.on('error', () => undefined);
      await raw.connect();
      try {
        await store.ping();
        // A kind whose slot the first node serves.
        const port = cluster.ports[0];
        let kind = '';
        for (let i = 0; !kind; i++) {
          const candidate = `kind${i}`;
          const client = await raw.getNodeClientForKey(`down:{${candidate}}:ids`);
          if ((client.options?.socket as { port?: number } | undefined)?.port === port) kind = candidate;
        }
        await store.put(kind, 'x', 1);
        await raw.close();

        await cluster.killNode(0);
        const rejected = async (p: Promise<unknown>) => expect(await p.then(() => 'resolved', (e: Error) => e)).to.be.instanceOf(Error);
        await rejected(store.ping());
        await rejected(store.get(kind, 'x'));
        await rejected(store.put(kind, 'y', 2));

        await cluster.restartNode(0);
        let healthy = false;
        for (let i = 0; i < 100 && !healthy; i++) {
          healthy = await store.ping().then(() => true, () => false);
          if (!healthy) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(healthy, 'ping succeeds again once the master is back').to.equal(true);
        let written = false;
        for (let i = 0; i < 100 && !written; i++) {
          written = await store.put(kind, 'y', 2).then(() => true, () => false);
          if (!written) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(written, 'writes succeed again').to.equal(true);
        expect(await store.get(kind, 'y')).to.deep.include({ value: 2 });
      } finally {
        await store.close();
        await raw.close().catch(() => undefined);
      }
    });
  });
});

/**
 * The ACL user docs/ops-guide.md ("TLS and ACL users") describes, on a cluster of its own: only
 * the store's commands and `cluster|slots`, on the prefix's keys; the password from
 * PORTCULLIS_REDIS_PASSWORD.
 */
describe('Redis Cluster with the documented ACL user', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  const previous = process.env.PORTCULLIS_REDIS_PASSWORD;
  const commands = ['+hmget', '+evalsha', '+eval', '+ping', '+hget', '+hset', '+del', '+pexpireat', '+sadd', '+srem', '+smembers', '+incr', '+pexpire', '+cluster|slots'];

  before(async function () {
    if (!hasRedisClusterTools()) this.skip();
    cluster = await startRedisCluster({
      serverArgs: ['--user', 'admin', 'on', '>admin-pass', '~*', '&*', '+@all', '--user', 'default', 'off', '--user', 'portcullis', 'on', '>store-pass', '~acl:*', ...commands],
      cliArgs: ['--user', 'admin', '--pass', 'admin-pass', '--no-auth-warning'],
    });
    process.env.PORTCULLIS_REDIS_PASSWORD = 'store-pass';
  });
  after(async () => {
    if (previous === undefined) delete process.env.PORTCULLIS_REDIS_PASSWORD;
    else process.env.PORTCULLIS_REDIS_PASSWORD = previous;
    await cluster?.stop();
  });

  storeContract('redis cluster, ACL user', () =>
    RedisStore.open({
      url: 'redis://unused',
      keyPrefix: 'acl:',
      connection: { mode: 'cluster', cluster: { nodes: cluster.nodes }, sentinel: { sentinels: [], database: 0 }, username: 'portcullis', tls: { enabled: false } },
    }),
  );
});
