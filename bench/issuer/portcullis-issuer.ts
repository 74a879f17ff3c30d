import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { loadSettings } from '../../src/config/load-settings';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { request } from '../common/http';
import { heapProbe } from './memory';
import type { Alg, IssuerUnderTest } from './issuer-under-test';
import { HOST, pickPort, waitUntilReady, type ProcessGroup } from '../common/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const APPLICATION = 'echo';
const ROLE = 'echo-reader';
const REDIRECT_URI = 'http://127.0.0.1/bench/callback';

export interface PortcullisOptions {
  store: 'sqlite' | 'redis';
  alg: Alg;
  userGrants: boolean;
  dir: string;
  port: number;
  redisUrl: string;
  procs: ProcessGroup;
}

/** Runs `fn` with `env` in process.env: loadSettings() replaces ${VAR}s from process.env, as the gateway does. */
function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * A Portcullis gateway (`bin/portcullis.js start`, the shipped config/, the compiled dist/) on its
 * own store, plus the runtime opened on the same store in this process: it creates the clients
 * and the user, and mints codes as the authorize flow's last step does (`codes.issue`, the call
 * `issueCode` makes after sign-in and consent), so each exchange measured is a real one.
 */
/**
 * The shipped config/, with the token endpoint's rate limits off: the benchmark sends thousands of
 * grants a second from one client and one address, which the default limits (1,200 a minute per
 * client) would answer with 429 and so measure the limiter instead of the issuer.
 */
function benchConfigDir(dir: string): string {
  const target = path.join(dir, 'config');
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'config', 'gateway.config.yml'), path.join(target, 'gateway.config.yml'));
  const system = fs.readFileSync(path.join(ROOT, 'config', 'system.config.yml'), 'utf8');
  if (!/^    cacheMs: 500$/m.test(system)) throw new Error('config/system.config.yml changed: cannot turn the rate limits off for the benchmark');
  fs.writeFileSync(path.join(target, 'system.config.yml'), system.replace(/^    cacheMs: 500$/m, '    cacheMs: 500\n    rateLimits: false'));
  return target;
}

export async function startPortcullis(o: PortcullisOptions): Promise<IssuerUnderTest> {
  const issuer = `http://${HOST}:${o.port}`;
  const name = `portcullis-${o.store}-${o.alg.toLowerCase()}`;
  const prefix = `bench-issuer-${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORTCULLIS_CONFIG_DIR: benchConfigDir(o.dir),
    // Several gateways run at once: none takes the metrics port.
    PORTCULLIS_METRICS_ENABLED: 'false',
    PORTCULLIS_HOME: o.dir,
    PORTCULLIS_STORE: o.store,
    PORTCULLIS_SQLITE_PATH: path.join(o.dir, `${name}.db`),
    PORTCULLIS_REDIS_URL: o.redisUrl,
    PORTCULLIS_REDIS_PREFIX: prefix,
    PORTCULLIS_SIGNING_ALG: o.alg,
    PORTCULLIS_HOST: HOST,
    PORT: String(o.port),
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_ECHO_URL: `http://${HOST}:${await pickPort(0, 0)}`,
    PORTCULLIS_LOG_LEVEL: 'warn',
    LOG_LEVEL: 'warn',
  };
  const settings = withEnv(env, () => loadSettings(env.PORTCULLIS_CONFIG_DIR));
  // Opened first, so the signing key of the chosen algorithm exists before the gateway loads it.
  const runtime = await Portcullis.open(settings, { logger: createLogger('warn') });
  const service = await runtime.clients.create({ name: 'bench-service', application: APPLICATION, roles: [ROLE] });
  const web = await runtime.clients.create({ name: 'bench-web', application: APPLICATION, type: 'web', redirectUris: [REDIRECT_URI] });
  const user = await runtime.users.create({ username: 'bench-user', password: randomBytes(18).toString('base64url'), roles: { [APPLICATION]: [ROLE] } });

  const { PORTCULLIS_ADMIN_USERNAME: _u, PORTCULLIS_ADMIN_PASSWORD: _p, ...inherited } = process.env;
  // Diagnostic: the sampling profiler of bench/profiler-preload.js, toggled around each measured run (common/profiler.ts).
  const profDir = process.env.BENCH_ISSUER_CPU_PROF === '1' ? path.join(o.dir, 'cpu-prof', name) : undefined;
  if (profDir) fs.mkdirSync(profDir, { recursive: true });
  const nodeArgs = profDir ? ['-r', path.join(ROOT, 'bench', 'profiler-preload.js')] : [];
  const heapFile = path.join(o.dir, `${name}.heap.json`);
  const heap = heapProbe(heapFile);
  const proc = o.procs.start([...nodeArgs, ...heap.nodeArgs, BIN, 'start'], { ...inherited, ...env, ...heap.env, ...(profDir ? { BENCH_PROF_DIR: profDir } : {}) }, path.join(o.dir, `${name}.log`), o.dir);
  await waitUntilReady(proc, name, async () => {
    const res = await request(`${issuer}/.well-known/openid-configuration`);
    return res.status === 200 && res.json?.issuer === issuer;
  });

  return {
    product: o.store === 'sqlite' ? 'portcullis-sqlite' : 'portcullis-redis',
    algs: [o.alg],
    userGrants: o.userGrants,
    proc,
    ...(profDir ? { profDir } : {}),
    heapFile,
    tokenUrl: `${issuer}/oauth2/token`,
    service: { id: service.client.clientId, secret: service.clientSecret! },
    web: { id: web.client.clientId, secret: web.clientSecret!, redirectUri: REDIRECT_URI },
    ccParams: () => ({}),
    async mintCodes(n) {
      const codes: string[] = [];
      const authTime = Math.floor(Date.now() / 1000);
      for (let i = 0; i < n; i += 100) {
        const batch = Array.from({ length: Math.min(100, n - i) }, () => runtime.codes.issue({
          clientId: web.client.clientId,
          redirectUri: REDIRECT_URI,
          redirectUriGiven: true,
          userId: user.userId,
          scopes: ['openid', 'offline_access'],
          authTime,
          grantId: randomUUID(),
        }));
        codes.push(...(await Promise.all(batch)));
      }
      return codes;
    },
    async close() {
      await o.procs.stop(proc);
      await runtime.close();
      if (o.store === 'redis') await deletePrefix(o.redisUrl, prefix);
    },
  };
}

/** Leaves nothing behind in the shared Redis (refresh tokens live 90 days). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const list = (Array.isArray(keys) ? keys : [keys]) as string[];
      if (list.length) await redis.del(list);
    }
  } finally {
    await redis.quit();
  }
}
