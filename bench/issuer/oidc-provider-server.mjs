// @ts-check
/**
 * The reference issuer: node-oidc-provider 9, configured as close to Portcullis as it goes, so the
 * benchmark compares like with like:
 * - JWT access tokens (RFC 9068) for client credentials and user grants, through resource
 *   indicators (RFC 8707): `urn:bench:rs256` signs RS256, `urn:bench:es256` signs ES256;
 * - ID tokens RS256, refresh tokens rotated on every use (`rotateRefreshToken: true`; Portcullis
 *   always rotates, RFC 9700 §4.14.2);
 * - storage in Redis through an adapter modelled on the project's own example Redis adapter
 *   (the built-in MemoryAdapter is a development LRU of 1,000 entries: pre-minted codes would be
 *   evicted).
 *
 * Plain Node runs this file (no tsx loader in the measured process). Env:
 *   OP_PORT, OP_CONTROL_PORT, OP_REDIS_URL, OP_REDIS_PREFIX, OP_CLIENTS (JSON, see issuer-clients.ts).
 * The control listener (127.0.0.1 only) mints codes through the provider's own models and adapter
 * (POST /mint-codes?n=N) between measured runs: each code is single-use.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';
import { createClient } from 'redis';

const HOST = '127.0.0.1';
const port = Number(process.env.OP_PORT);
const controlPort = Number(process.env.OP_CONTROL_PORT);
const prefix = process.env.OP_REDIS_PREFIX ?? `bench-op-${randomUUID()}:`;
/** @type {{ service: { id: string, secret: string }, web: { id: string, secret: string, redirectUri: string } }} */
const clients = JSON.parse(process.env.OP_CLIENTS ?? '{}');
const ACCOUNT = 'bench-user';
const RESOURCES = { 'urn:bench:rs256': 'RS256', 'urn:bench:es256': 'ES256' };

const redis = createClient({ url: process.env.OP_REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();

const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const grantKey = (/** @type {string} */ id) => `${prefix}grant:${id}`;

/** node-oidc-provider's adapter interface, on Redis (as its example redis adapter does it). */
class RedisAdapter {
  /** @param {string} name */
  constructor(name) {
    this.name = name;
  }

  /** @param {string} id */
  key(id) {
    return `${prefix}${this.name}:${id}`;
  }

  /** @param {string} id @param {any} payload @param {number} [expiresIn] */
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const multi = redis.multi();
    if (consumable.has(this.name)) multi.hSet(key, { payload: JSON.stringify(payload) });
    else multi.set(key, JSON.stringify(payload));
    if (expiresIn) multi.expire(key, expiresIn);
    if (grantable.has(this.name) && payload.grantId) {
      const gk = grantKey(payload.grantId);
      multi.rPush(gk, key);
      const ttl = await redis.ttl(gk);
      if (expiresIn && expiresIn > ttl) multi.expire(gk, expiresIn);
    }
    if (payload.uid) {
      multi.set(`${prefix}uid:${payload.uid}`, id);
      if (expiresIn) multi.expire(`${prefix}uid:${payload.uid}`, expiresIn);
    }
    await multi.exec();
  }

  /** @param {string} id */
  async find(id) {
    const key = this.key(id);
    if (consumable.has(this.name)) {
      const data = await redis.hGetAll(key);
      if (!data || !data.payload) return undefined;
      const { payload, ...rest } = data;
      return { ...rest, ...JSON.parse(payload) };
    }
    const data = await redis.get(key);
    return data ? JSON.parse(data) : undefined;
  }

  /** @param {string} uid */
  async findByUid(uid) {
    const id = await redis.get(`${prefix}uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode() {
    return undefined;
  }

  /** @param {string} id */
  async consume(id) {
    await redis.hSet(this.key(id), 'consumed', String(Math.floor(Date.now() / 1000)));
  }

  /** @param {string} id */
  async destroy(id) {
    await redis.del(this.key(id));
  }

  /** @param {string} grantId */
  async revokeByGrantId(grantId) {
    const gk = grantKey(grantId);
    const keys = await redis.lRange(gk, 0, -1);
    const multi = redis.multi();
    for (const k of keys) multi.del(k);
    multi.del(gk);
    await multi.exec();
  }
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const issuer = `http://${HOST}:${port}`;

const provider = new Provider(issuer, {
  adapter: RedisAdapter,
  clients: [
    { client_id: clients.service.id, client_secret: clients.service.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    {
      client_id: clients.web.id,
      client_secret: clients.web.secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [clients.web.redirectUri],
    },
  ],
  jwks: { keys: [{ ...rsa, kid: 'rs', alg: 'RS256', use: 'sig' }, { ...ec, kid: 'es', alg: 'ES256', use: 'sig' }] },
  cookies: { keys: [randomUUID()] },
  findAccount: async (/** @type {unknown} */ _ctx, /** @type {string} */ sub) => (sub === ACCOUNT ? { accountId: sub, claims: async () => ({ sub }) } : undefined),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (/** @type {unknown} */ _ctx, /** @type {unknown} */ _client, /** @type {string | undefined} */ oneOf) => oneOf ?? 'urn:bench:rs256',
      useGrantedResource: async () => true,
      getResourceServerInfo: async (/** @type {unknown} */ _ctx, /** @type {string} */ resource) => {
        const alg = RESOURCES[/** @type {keyof typeof RESOURCES} */ (resource)];
        if (!alg) throw new Error(`unknown resource ${resource}`);
        return { scope: 'api:read', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg } } };
      },
    },
  },
  pkce: { required: () => false },
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, AuthorizationCode: 600, ClientCredentials: 3600, IdToken: 3600, RefreshToken: 7776000, Grant: 7776000, Interaction: 3600, Session: 3600 },
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error: ${err && err.stack}\n`));

/** One grant and one code per exchange, as the real authorize flow leaves them. */
async function mintCode() {
  const client = await provider.Client.find(clients.web.id);
  const grant = new provider.Grant({ accountId: ACCOUNT, clientId: clients.web.id });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope('urn:bench:rs256', 'api:read');
  const grantId = await grant.save();
  const code = new provider.AuthorizationCode({
    accountId: ACCOUNT,
    client,
    grantId,
    scope: 'openid offline_access api:read',
    resource: 'urn:bench:rs256',
    redirectUri: clients.web.redirectUri,
    authTime: Math.floor(Date.now() / 1000),
  });
  return code.save();
}

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 60_000;
server.listen(port, HOST);

const control = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://control');
    if (req.method === 'POST' && url.pathname === '/mint-codes') {
      const n = Math.min(Number(url.searchParams.get('n')) || 1, 100_000);
      const codes = [];
      for (let i = 0; i < n; i += 100) {
        codes.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, mintCode))));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ codes }));
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err && /** @type {Error} */ (err).stack));
  }
});
control.listen(controlPort, HOST, () => process.stdout.write(`ready ${issuer}\n`));

/** Leaves nothing behind in the shared Redis. */
async function cleanup() {
  server.close();
  control.close();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    const list = Array.isArray(keys) ? keys : [keys];
    if (list.length) await redis.del(list);
  }
  await redis.quit();
  process.exit(0);
}
process.once('SIGTERM', () => void cleanup());
process.once('SIGINT', () => void cleanup());
