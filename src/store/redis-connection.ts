import fs from 'node:fs';
import { createClient, createCluster, createSentinel } from 'redis';
import { SettingsError, type RedisConnectionSettings } from '../config/settings';

/**
 * The commands the Redis store sends, whatever the deployment: a standalone client, a Cluster
 * client (which routes each command by its first key's slot) or a Sentinel client (which follows
 * the current master). node-redis's three client types all have these members.
 */
export interface RedisConnection {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  hmGet(key: string, fields: string[]): Promise<(string | null)[]>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  ping(): Promise<unknown>;
}

/** What the store decides about every connection (see RedisStore). */
export interface RedisSocketPolicy {
  connectTimeoutMs: number;
  /** The connection's name in `CLIENT LIST` (standalone only). */
  name?: string;
}

/** Where `PORTCULLIS_REDIS_PASSWORD` and `PORTCULLIS_REDIS_SENTINEL_PASSWORD` are read from. */
type Env = Record<string, string | undefined>;

/**
 * A connection (not yet connected) for `url` (standalone) or the Cluster / Sentinel settings.
 * Every node connection gets the same TLS files, ACL credentials, timeouts and reconnect policy;
 * commands are refused while disconnected (the store fails closed instead of queueing).
 *
 * Also the way to open a second connection to the same Redis, e.g. for pub/sub: call it again
 * with the same settings (a subscriber must not share the command connection).
 */
export function createRedisConnection(
  url: string,
  settings: RedisConnectionSettings | undefined,
  policy: RedisSocketPolicy,
  env: Env = process.env,
): RedisConnection {
  const mode = settings?.mode ?? 'standalone';
  const tls = tlsOptions(settings, mode === 'standalone' ? url.startsWith('rediss:') : undefined);
  const socket = {
    connectTimeout: policy.connectTimeoutMs,
    // Keep trying forever, but never wait more than 3 s between attempts (plus jitter).
    reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 3000) + Math.floor(Math.random() * 100),
    ...tls,
  };
  const auth = credentials(settings?.username, settings?.password, env.PORTCULLIS_REDIS_PASSWORD);
  // Reject commands while disconnected: a token check must not wait for Redis to come back.
  const node = { disableOfflineQueue: true, ...auth, socket };

  if (mode === 'cluster') {
    const cluster = createCluster({
      rootNodes: (settings?.cluster?.nodes ?? []).map((address) => ({ ...node, socket: { ...socket, ...hostPort(address) } })),
      // Connections to the nodes the seeds name are made from `defaults` only (node-redis).
      defaults: node,
    });
    // A cluster PING goes to one random node; the store is only usable when every master answers
    // (each holds some kinds), so readiness pings them all.
    const ping = () => Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).ping()));
    return Object.assign(cluster, { ping }) as unknown as RedisConnection;
  }
  if (mode === 'sentinel') {
    const sentinel = settings?.sentinel;
    return createSentinel({
      name: sentinel?.masterName ?? '',
      sentinelRootNodes: (sentinel?.sentinels ?? []).map(hostPort),
      nodeClientOptions: { ...node, database: sentinel?.database ?? 0 },
      // Sentinels have their own ACL (often none): their credentials are separate settings.
      sentinelClientOptions: {
        disableOfflineQueue: true,
        ...credentials(sentinel?.username, sentinel?.password, env.PORTCULLIS_REDIS_SENTINEL_PASSWORD),
        socket,
      },
      passthroughClientErrorEvents: true,
    }) as unknown as RedisConnection;
  }
  // Standalone: the URL as before; its user:password, if any, win over the settings (node-redis).
  return createClient({ url, ...node, ...(policy.name ? { name: policy.name } : {}) }) as unknown as RedisConnection;
}

/** ACL user and password; the environment variable wins over the YAML value. */
function credentials(username: string | undefined, password: string | undefined, fromEnv: string | undefined) {
  const secret = fromEnv || password;
  return { ...(username ? { username } : {}), ...(secret ? { password: secret } : {}) };
}

/**
 * Node's TLS options from the file paths in the settings. `urlTls` is the standalone URL's say
 * (`rediss:`), which node-redis requires to agree with the socket option.
 */
function tlsOptions(settings: RedisConnectionSettings | undefined, urlTls: boolean | undefined) {
  const t = settings?.tls;
  const enabled = urlTls ?? t?.enabled ?? false;
  if (!enabled) return { tls: false as const };
  const file = (path: string | undefined, field: string) => {
    if (!path) return undefined;
    try {
      return fs.readFileSync(path);
    } catch (error) {
      // A configuration problem (exit code 2, invalid_settings), named by its setting.
      throw new SettingsError(`invalid Portcullis settings: store.redis.tls.${field}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const ca = file(t?.caFile, 'caFile');
  const cert = file(t?.certFile, 'certFile');
  const key = file(t?.keyFile, 'keyFile');
  return {
    tls: true as const,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(t?.servername ? { servername: t.servername } : {}),
  };
}

/** `host:port` or `[v6]:port`, as the settings schema admits them. */
export function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}
