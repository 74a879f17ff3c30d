import path from 'node:path';
import { expect } from 'chai';
import { resolveSettings, SettingsError } from '../../src/config/settings';

const HOME = path.resolve('/srv/portcullis-home');
const raw = (store: Record<string, unknown>) => ({
  issuer: 'https://auth.example.com',
  store: { type: 'redis', ...store },
  applications: { echo: { audience: 'urn:echo', roles: { r: ['echo:read'] }, routes: [{ path: '/echo/**', permission: 'echo:read' }] } },
});

/** The problems resolveSettings reports, one per `; `. */
function problems(store: Record<string, unknown>): string[] {
  try {
    resolveSettings(raw(store), HOME);
  } catch (error) {
    expect(error).to.be.instanceOf(SettingsError);
    return (error as Error).message.replace(/^invalid Portcullis settings: /, '').split('; ');
  }
  return [];
}

describe('settings: store.redis (src/config/redis-settings-check.ts)', function () {
  it('accepts Cluster seed nodes, Sentinel, TLS files and ACL user, and resolves TLS paths against the home', function () {
    const s = resolveSettings(
      raw({ redis: { mode: 'cluster', cluster: { nodes: ['10.0.0.1:6379', 'redis-2.internal:6379', '[fd00::3]:6379'] }, username: 'portcullis', tls: { enabled: true, caFile: 'certs/ca.pem', certFile: '/etc/tls/c.pem', keyFile: '/etc/tls/c.key', servername: 'redis.internal' } } }),
      HOME,
    );
    expect(s.store.redis.cluster.nodes).to.have.length(3);
    expect(s.store.redis.tls).to.deep.equal({ enabled: true, caFile: path.join(HOME, 'certs/ca.pem'), certFile: '/etc/tls/c.pem', keyFile: '/etc/tls/c.key', servername: 'redis.internal' });
    expect(problems({ redis: { mode: 'sentinel', sentinel: { masterName: 'mymaster', sentinels: ['10.0.0.1:26379'], database: 2 } } })).to.deep.equal([]);
  });

  it('cluster without seed nodes, a node that is a URL or has no port, a port above 65535', function () {
    expect(problems({ redis: { mode: 'cluster' } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.cluster.nodes: mode cluster needs at least one seed node (host:port)',
    ]);
    expect(problems({ redis: { mode: 'cluster', cluster: { nodes: ['redis://10.0.0.1:6379', '10.0.0.2'] } } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.cluster.nodes[0]: must match pattern "^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]{}]+):[0-9]{1,5}$"',
      'system.config.yml: plugins.portcullis.store.redis.cluster.nodes[1]: must match pattern "^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]{}]+):[0-9]{1,5}$"',
    ]);
    expect(problems({ redis: { mode: 'cluster', cluster: { nodes: ['10.0.0.1:70000'] } } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.cluster.nodes[0]: port must be 1 to 65535',
    ]);
  });

  it('a key prefix with a brace in cluster mode (it would become every key\'s hash tag)', function () {
    expect(problems({ redisKeyPrefix: 'app{1}:', redis: { mode: 'cluster', cluster: { nodes: ['10.0.0.1:6379'] } } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redisKeyPrefix: must not contain { or } in mode cluster (Redis Cluster hash tags)',
    ]);
    expect(problems({ redisKeyPrefix: 'app{1}:' }), 'standalone keeps any prefix, as before').to.deep.equal([]);
  });

  it('sentinel without master name or sentinels', function () {
    expect(problems({ redis: { mode: 'sentinel' } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.sentinel.masterName: mode sentinel needs the master name the sentinels monitor',
      'system.config.yml: plugins.portcullis.store.redis.sentinel.sentinels: mode sentinel needs at least one sentinel (host:port)',
    ]);
  });

  it('TLS enabled on a redis:// URL, a certificate without its key, an unknown mode or field', function () {
    expect(problems({ redis: { tls: { enabled: true } } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.tls.enabled: in mode standalone TLS is chosen by the URL: use a rediss:// store.redisUrl',
    ]);
    expect(problems({ redisUrl: 'rediss://redis.internal:6380', redis: { tls: { certFile: '/c.pem' } } })).to.deep.equal([
      'system.config.yml: plugins.portcullis.store.redis.tls: certFile and keyFile go together (a client certificate needs its key)',
    ]);
    expect(problems({ redis: { mode: 'sharded' } })).to.deep.equal(['system.config.yml: plugins.portcullis.store.redis.mode: must be one of: standalone, cluster, sentinel']);
    expect(problems({ redis: { clusterNodes: [] } }).join('; ')).to.equal(
      'system.config.yml: plugins.portcullis.store.redis.clusterNodes: unknown field; allowed fields: mode, cluster, sentinel, username, password, tls',
    );
  });

  it('checks nothing of store.redis while the store is SQLite', function () {
    expect(problems({ type: 'sqlite', redis: { mode: 'cluster' } })).to.deep.equal([]);
  });
});
