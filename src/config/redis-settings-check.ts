import type { ConfigSite } from './schema-errors';
import type { PortcullisSettings } from './settings-types';

/**
 * What JSON Schema cannot say about `store.redis` (checked only when `store.type` is `redis`), so
 * a Cluster or Sentinel deployment that could never connect fails at start with the field named,
 * not with a timeout. Values are not echoed: a URL may carry a password.
 */
export function checkRedisSettings(store: PortcullisSettings['store'], site: ConfigSite): string[] {
  if (store.type !== 'redis') return [];
  const { mode, cluster, sentinel, tls } = store.redis;
  const at = (field: string) => `${site.file}: ${site.at}.store.${field}`;
  const problems: string[] = [];
  const ports = (field: string, addresses: string[]) =>
    addresses.forEach((a, i) => {
      const port = Number(a.slice(a.lastIndexOf(':') + 1));
      if (port < 1 || port > 65535) problems.push(`${at(`${field}[${i}]`)}: port must be 1 to 65535`);
    });
  if (mode === 'cluster') {
    if (cluster.nodes.length === 0) problems.push(`${at('redis.cluster.nodes')}: mode cluster needs at least one seed node (host:port)`);
    ports('redis.cluster.nodes', cluster.nodes);
    // Redis Cluster spec, "Hash tags": a brace in the prefix would become the hash tag of every
    // key and put the whole store on one slot.
    if (/[{}]/.test(store.redisKeyPrefix)) problems.push(`${at('redisKeyPrefix')}: must not contain { or } in mode cluster (Redis Cluster hash tags)`);
  }
  if (mode === 'sentinel') {
    if (!sentinel.masterName) problems.push(`${at('redis.sentinel.masterName')}: mode sentinel needs the master name the sentinels monitor`);
    if (sentinel.sentinels.length === 0) problems.push(`${at('redis.sentinel.sentinels')}: mode sentinel needs at least one sentinel (host:port)`);
    ports('redis.sentinel.sentinels', sentinel.sentinels);
  }
  // node-redis refuses a socket TLS option that disagrees with the URL's scheme.
  if (mode === 'standalone' && tls.enabled && !store.redisUrl.startsWith('rediss:')) {
    problems.push(`${at('redis.tls.enabled')}: in mode standalone TLS is chosen by the URL: use a rediss:// store.redisUrl`);
  }
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) problems.push(`${at('redis.tls')}: certFile and keyFile go together (a client certificate needs its key)`);
  return problems;
}
