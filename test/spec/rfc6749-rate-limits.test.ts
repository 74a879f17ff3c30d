import { expect } from 'chai';
import express from 'express';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import type { RateLimitedBy, RateLimitedEndpoint } from '../../src/throttle/rate-limit';
import { hasRedisServer, startRedisServer } from '../helpers/redis-server';
import { testSettings } from '../helpers/test-portcullis';
import { expectNoInternals } from '../helpers/wire-expect';
import { enabledStores, type StoreLabel } from '../helpers/each-store';

/**
 * Request rate limits of the token (RFC 6749 §3.2), revocation (RFC 7009) and introspection
 * (RFC 7662) endpoints on the wire, on SQLite and on Redis: per claimed client id and per client
 * address (a real TCP source address, 127.0.0.x, never a header), counted before client
 * authentication; past a limit, 429 `slow_down` with `Retry-After` (RFC 6585 §4) and the
 * RFC 6749 §5.2 body. Windows follow the injected clock: no test sleeps.
 */

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const WINDOW_MS = 60_000;
const CC = 'grant_type=client_credentials';

/** Small limits so that a test reaches them: 3 per client, 5 per address, per minute. */
const LIMITS = {
  token: { perClient: { limit: 3 }, perAddress: { limit: 5 } },
  revocation: { perClient: { limit: 2 }, perAddress: false },
  introspection: { perClient: { limit: 4 }, perAddress: false },
};

interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown>;
}

/** One running issuer instance on a real listener. */
interface Instance {
  portcullis: Portcullis;
  port: number;
  limited: [RateLimitedEndpoint, RateLimitedBy][];
  close(): Promise<void>;
}

/** Serves an issuer on a free loopback port and records what its limiter reports. */
async function serve(portcullis: Portcullis): Promise<Instance> {
  const app = express();
  app.use(portcullisRouter(portcullis));
  const listener = http.createServer(app);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const limited: [RateLimitedEndpoint, RateLimitedBy][] = [];
  portcullis.rateLimiter.onLimited = (endpoint, by) => limited.push([endpoint, by]);
  return {
    portcullis,
    port: (listener.address() as AddressInfo).port,
    limited,
    close: async () => {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await portcullis.close();
    },
  };
}

/** A form POST to `path` from the loopback address `from`, with Basic credentials when given. */
function post(port: number, from: string, path: string, form: string, basic?: { id: string; secret: string }): Promise<WireResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (basic) headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, localAddress: from, method: 'POST', path, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text);
        } catch {
          // revocation's 200 has no body
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(form);
  });
}

/** 429 slow_down, Retry-After in whole seconds, no-store, exactly the RFC 6749 §5.2 body, nothing internal. */
function expectLimited(res: WireResponse, retryAfter?: number): void {
  expect(res.status, res.text).to.equal(429);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers['retry-after'], 'Retry-After').to.match(/^[1-9]\d*$/);
  if (retryAfter !== undefined) expect(Number(res.headers['retry-after'])).to.equal(retryAfter);
  expect(Object.keys(res.body).sort()).to.deep.equal(['error', 'error_description', 'request_id']);
  expect(res.body.error).to.equal('slow_down');
  expect(res.body.error_description).to.be.a('string').and.match(/too many requests/);
  expect(res.body.access_token).to.equal(undefined);
  expectNoInternals(res.text);
}

/** The start of a window on the test clock, so that Retry-After is exactly the window. */
const windowStart = () => Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + WINDOW_MS;

interface Backend {
  name: string;
  /** An instance on this backend with the test clock `now` (on Redis, calls share the store until `fresh`). */
  open(now: { ms: number }, rateLimits: unknown): Promise<Instance>;
  /** Later instances count in a new, empty store. */
  fresh(): void;
  cleanup(): Promise<void>;
}

const sqlite = (): Backend => ({
  name: 'SQLite',
  async open(now, rateLimits) {
    const store = new SqliteStore({ path: ':memory:', now: () => now.ms });
    return serve(await Portcullis.open(testSettings({ rateLimits }), { store, now: () => now.ms, logger: createLogger('error', () => undefined) }));
  },
  fresh: () => undefined,
  cleanup: async () => undefined,
});

const redis = (): Backend => {
  const run = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  let prefix = `${run}0:`;
  let generation = 0;
  return {
    name: 'Redis',
    fresh: () => {
      prefix = `${run}${++generation}:`;
    },
    async open(now, rateLimits) {
      const settings = testSettings({ rateLimits, store: { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: prefix } });
      const store = await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix });
      return serve(await Portcullis.open(settings, { store, now: () => now.ms, logger: createLogger('error', () => undefined) }));
    },
    async cleanup() {
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => undefined);
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${run}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
      await client.close();
    },
  };
};

// PORTCULLIS_TEST_STORES chooses the backends here too (this suite predates eachStore and keeps its own).
for (const backend of [sqlite(), redis()].filter((b) => enabledStores().includes(b.name.toLowerCase() as StoreLabel))) {
  describe(`Rate limits of the token, revocation and introspection endpoints: ${backend.name}`, () => {
    let now: { ms: number };
    let one: Instance;
    let client: { id: string; secret: string };
    let other: { id: string; secret: string };

    const credentials = async (instance: Instance) => {
      const { client: c, clientSecret } = await instance.portcullis.clients.create({ name: 'rate limited', application: 'echo', roles: ['echo-reader'] });
      return { id: c.clientId, secret: clientSecret! };
    };
    const token = (from: string, who = client, port = one.port) => post(port, from, '/oauth2/token', CC, who);

    beforeEach(async () => {
      now = { ms: windowStart() };
      backend.fresh();
      one = await backend.open(now, LIMITS);
      client = await credentials(one);
      other = await credentials(one);
    });
    afterEach(async () => {
      await one.close();
    });
    after(() => backend.cleanup());

    it('N requests pass, the next is 429 slow_down with Retry-After and the RFC 6749 body; after the window it passes again', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await token('127.0.0.2');
        expect(res.status, `request ${i + 1}: ${res.text}`).to.equal(200);
      }
      expectLimited(await token('127.0.0.2'), 60);
      now.ms += 45_000;
      expectLimited(await token('127.0.0.2'), 15);
      expect(one.limited).to.deep.equal([['token', 'client'], ['token', 'client']]);
      now.ms += 15_000;
      const res = await token('127.0.0.2');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.access_token).to.be.a('string');
    });

    it('per client and per address are independent: a client is limited from every address, an address for every client', async () => {
      for (let i = 0; i < 3; i++) expect((await token('127.0.0.2')).status).to.equal(200);
      expectLimited(await token('127.0.0.3'), 60); // the client's limit follows it to another address
      // 127.0.0.2 has made 3 requests: 2 more for another client fit its limit of 5, the next does not.
      for (let i = 0; i < 2; i++) expect((await token('127.0.0.2', other)).status).to.equal(200);
      expectLimited(await token('127.0.0.2', other));
      // Refused by its address before it authenticated, that request did not count for the other
      // client: it has made 2, so one more fits its limit of 3, and the next does not.
      expect((await token('127.0.0.3', other)).status).to.equal(200);
      expectLimited(await token('127.0.0.3', other));
      // A third client from another address is under both of its limits.
      const res = await token('127.0.0.3', await credentials(one));
      expect(res.status, res.text).to.equal(200);
      expect(one.limited).to.deep.equal([['token', 'client'], ['token', 'address'], ['token', 'client']]);
    });

    it('a request that names no client is counted under its address alone', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await post(one.port, '127.0.0.4', '/oauth2/token', CC);
        expect(res.status, res.text).to.equal(401);
      }
      expectLimited(await post(one.port, '127.0.0.4', '/oauth2/token', CC));
      expectLimited(await token('127.0.0.4'));
      expect((await token('127.0.0.5')).status).to.equal(200);
    });

    it('the address limit applies before client authentication: past it no secret is checked', async () => {
      const authenticate = one.portcullis.clients.authenticate.bind(one.portcullis.clients);
      let checked = 0;
      one.portcullis.clients.authenticate = (id, secret) => {
        checked++;
        return authenticate(id, secret);
      };
      const wrong = { id: client.id, secret: 'not the secret' };
      for (let i = 0; i < 5; i++) expect((await token('127.0.0.2', wrong)).status).to.equal(401);
      for (let i = 0; i < 20; i++) expectLimited(await token('127.0.0.2', wrong));
      expect(checked, 'secrets checked').to.equal(5);
      now.ms += WINDOW_MS;
      const res = await token('127.0.0.2');
      expect(res.status, res.text).to.equal(200);
    });

    it('the client limit counts only requests that authenticated: naming a client with a wrong secret spends none of its budget', async () => {
      expect((await token('127.0.0.2')).status).to.equal(200);
      // Fewer than the client-authentication throttle's 10 failures, from addresses of their own.
      const wrong = { id: client.id, secret: 'not the secret' };
      for (let i = 0; i < 8; i++) expect((await token(`127.0.1.${i + 1}`, wrong)).status).to.equal(401);
      // The client's own budget of 3 is untouched by them: 2 more pass, the next is refused.
      for (let i = 0; i < 2; i++) expect((await token('127.0.0.2')).status).to.equal(200);
      expectLimited(await token('127.0.0.2'), 60);
    });

    it('revocation and introspection are limited too, each with its own count', async () => {
      const revoke = (from: string) => post(one.port, from, '/oauth2/revoke', 'token=unknown', client);
      const introspect = (from: string) => post(one.port, from, '/oauth2/introspect', 'token=unknown', client);
      for (let i = 0; i < 2; i++) expect((await revoke('127.0.0.2')).status).to.equal(200);
      expectLimited(await revoke('127.0.0.3'), 60);
      for (let i = 0; i < 4; i++) {
        const res = await introspect('127.0.0.2');
        expect(res.status, res.text).to.equal(200);
        expect(res.body).to.deep.equal({ active: false });
      }
      expectLimited(await introspect('127.0.0.2'), 60);
      expect((await token('127.0.0.2')).status, 'the token endpoint counts on its own').to.equal(200);
      expect(one.limited).to.deep.equal([['revocation', 'client'], ['introspection', 'client']]);
      now.ms += WINDOW_MS;
      expect((await revoke('127.0.0.2')).status).to.equal(200);
    });

    it('false or a limit of 0 turns a limit off', async () => {
      const open = await backend.open(now, { token: { perClient: false, perAddress: { limit: 0 } }, revocation: false });
      try {
        const who = await credentials(open);
        for (let i = 0; i < 12; i++) {
          const res = await token('127.0.0.2', who, open.port);
          expect(res.status, `request ${i + 1}: ${res.text}`).to.equal(200);
          expect((await post(open.port, '127.0.0.2', '/oauth2/revoke', 'token=x', who)).status).to.equal(200);
        }
        expect(open.limited).to.deep.equal([]);
      } finally {
        await open.close();
      }
    });
  });
}

describe('Rate limits: two instances on one Redis share the count', () => {
  const backend = redis();
  after(() => backend.cleanup());

  it('N requests split between two instances: the next is refused on both', async () => {
    const now = { ms: windowStart() };
    const [a, b] = [await backend.open(now, LIMITS), await backend.open(now, LIMITS)];
    try {
      const { client, clientSecret } = await a.portcullis.clients.create({ name: 'shared', application: 'echo', roles: ['echo-reader'] });
      const who = { id: client.clientId, secret: clientSecret! };
      for (const port of [a.port, b.port, a.port]) expect((await post(port, '127.0.0.2', '/oauth2/token', CC, who)).status).to.equal(200);
      expectLimited(await post(b.port, '127.0.0.2', '/oauth2/token', CC, who), 60);
      expectLimited(await post(a.port, '127.0.0.3', '/oauth2/token', CC, who), 60);
      expect(a.limited).to.deep.equal([['token', 'client']]);
      expect(b.limited).to.deep.equal([['token', 'client']]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Rate limits fail closed: the store down is 503, never a pass', () => {
  const expectOutage = (res: WireResponse) => {
    expect(res.status, res.text).to.equal(503);
    expect(res.body.error).to.equal('temporarily_unavailable');
    expect(res.headers['retry-after']).to.match(/^\d+$/);
    expect(res.body.access_token).to.equal(undefined);
    expectNoInternals(res.text);
  };

  it('SQLite: a store whose counter fails answers 503 at all three endpoints', async () => {
    const now = { ms: Date.now() };
    const sqliteStore = new SqliteStore({ path: ':memory:', now: () => now.ms });
    // Only the counter fails: everything else would let the request through.
    const store = new Proxy(sqliteStore, {
      get: (target, name, receiver) => (name === 'increment' ? () => Promise.reject(new Error('disk I/O error')) : Reflect.get(target, name, receiver)),
    }) as Store;
    const instance = await serve(await Portcullis.open(testSettings({ rateLimits: LIMITS }), { store, now: () => now.ms, logger: createLogger('error', () => undefined) }));
    try {
      const { client, clientSecret } = await instance.portcullis.clients.create({ name: 'outage', application: 'echo', roles: ['echo-reader'] });
      const who = { id: client.clientId, secret: clientSecret! };
      expectOutage(await post(instance.port, '127.0.0.2', '/oauth2/token', CC, who));
      expectOutage(await post(instance.port, '127.0.0.2', '/oauth2/revoke', 'token=x', who));
      expectOutage(await post(instance.port, '127.0.0.2', '/oauth2/introspect', 'token=x', who));
    } finally {
      await instance.close();
    }
  });

  (hasRedisServer() ? it : it.skip)('Redis: the redis-server killed under a running instance answers 503', async () => {
    const server = await startRedisServer();
    try {
      const settings = testSettings({ rateLimits: LIMITS, store: { type: 'redis', redisUrl: server.url } });
      const store = await RedisStore.open({ url: server.url, keyPrefix: 'rate:', commandTimeoutMs: 2000 });
      const instance = await serve(await Portcullis.open(settings, { store, logger: createLogger('error', () => undefined) }));
      try {
        const { client, clientSecret } = await instance.portcullis.clients.create({ name: 'outage', application: 'echo', roles: ['echo-reader'] });
        const who = { id: client.clientId, secret: clientSecret! };
        expect((await post(instance.port, '127.0.0.2', '/oauth2/token', CC, who)).status).to.equal(200);
        await server.kill();
        expectOutage(await post(instance.port, '127.0.0.2', '/oauth2/token', CC, who));
      } finally {
        await instance.close();
      }
    } finally {
      await server.kill();
    }
  });
});
