import { expect } from 'chai';
import express from 'express';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import type { PortcullisSettings } from '../../src/config/settings';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import { API, automationClient } from '../helpers/admin-session';
import { authorizeParams, formFields, locationOf, query, startAuthorization, startFlowServer } from '../helpers/browser-flow';
import { createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';
import request from 'supertest';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7239 §7.1 / §8.3 on the wire: forwarding headers (`X-Forwarded-For`, `X-Forwarded-Proto`,
 * `Forwarded`) can be written by anyone, so they are believed only when the TCP peer is a trusted
 * proxy (`trustedProxies`). Then the client address that the sign-in and client-auth throttles
 * count, that audit entries record and that the access log writes is the forwarded one; from any
 * other peer the headers are ignored. Peers are real TCP source addresses on the loopback
 * (127.0.0.1 trusted, 127.0.0.2 not), never faked.
 */

const TRUSTED = '127.0.0.1';
const UNTRUSTED = '127.0.0.2';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, any>;
}

/** A request to the loopback (127.0.0.1, or ::1 when `from` is IPv6) on `port` from the loopback address `from`. */
function send(port: number, from: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: from.includes(':') ? '::1' : '127.0.0.1', port, localAddress: from, method, path, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let parsed: Record<string, any> = {};
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function listen(app: http.RequestListener, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const listener = http.createServer(app);
  await new Promise<void>((resolve) => listener.listen(0, host, resolve));
  return {
    port: (listener.address() as AddressInfo).port,
    close: async () => {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** One client-credentials request with these credentials, from `from`, with extra (forwarding) headers. */
const tokenRequest = (port: number, from: string, id: string, secret: string, headers: Record<string, string> = {}) =>
  send(port, from, 'POST', '/oauth2/token', { ...FORM, Authorization: basic(id, secret), ...headers }, 'grant_type=client_credentials');

/** A runtime on SQLite or on a real Redis (random key prefix), served like a plain Express user would. */
async function serveOn(backend: 'sqlite' | 'redis', overrides: Record<string, unknown>, host = '127.0.0.1') {
  const prefix = `portcullis-test-${randomBytes(6).toString('hex')}:`;
  const settings: PortcullisSettings = testSettings(backend === 'redis' ? { ...overrides, store: { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: prefix } } : overrides);
  const store = backend === 'redis' ? await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix }) : new SqliteStore({ path: ':memory:' });
  const portcullis = await Portcullis.open(settings, { store, logger: createLogger('error', () => undefined) });
  const app = express();
  app.use(portcullis.requestContext());
  app.use(portcullisRouter(portcullis));
  const listener = await listen(app, host);
  return {
    portcullis,
    port: listener.port,
    close: async () => {
      await listener.close();
      await portcullis.close();
      if (backend === 'redis') {
        const client = createClient({ url: REDIS_URL });
        client.on('error', () => undefined);
        await client.connect();
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
        await client.quit();
      }
    },
  };
}

eachStore('RFC 7239 trusted proxies: which client address is believed', function (backend) {
  this.timeout(20_000);

  describe('the client-auth throttle counts the address', () => {
    // maxFailures 1: a client id is locked after one failure, an address after four.
    let served: Awaited<ReturnType<typeof serveOn>>;
    let client: { clientId: string; clientSecret: string };
    const guessFrom = async (from: string, headers: (i: number) => Record<string, string>) => {
      for (let i = 0; i < 4; i++) expect((await tokenRequest(served.port, from, `pcc_guess${i}${randomBytes(3).toString('hex')}`, 'wrong', headers(i))).status).to.equal(401);
    };

    afterEach(() => served?.close());

    it('behind a trusted proxy: failures count against the forwarded address, not the proxy', async () => {
      served = await serveOn(backend.label, { trustedProxies: [TRUSTED], clientAuthentication: { maxFailures: 1 } });
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      client = { clientId: c.clientId, clientSecret: clientSecret! };
      await guessFrom(TRUSTED, () => ({ 'X-Forwarded-For': '203.0.113.7' }));
      const locked = await tokenRequest(served.port, TRUSTED, client.clientId, client.clientSecret, { 'X-Forwarded-For': '203.0.113.7' });
      expect(locked.status, 'the guessing address is locked, even with the right secret').to.equal(429);
      expect(locked.body.error).to.equal('slow_down');
      const other = await tokenRequest(served.port, TRUSTED, client.clientId, client.clientSecret, { 'X-Forwarded-For': '198.51.100.20' });
      expect(other.status, 'another client behind the same proxy is not').to.equal(200);
      // A spoofed left-most entry does not move a client out of its lock: the proxy appended the truth.
      const spoofed = await tokenRequest(served.port, TRUSTED, client.clientId, client.clientSecret, { 'X-Forwarded-For': '198.51.100.99, 203.0.113.7' });
      expect(spoofed.status).to.equal(429);
    });

    it('from an untrusted peer: X-Forwarded-For is ignored, the TCP peer is counted (a spoof changes nothing)', async () => {
      served = await serveOn(backend.label, { trustedProxies: [TRUSTED], clientAuthentication: { maxFailures: 1 } });
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      await guessFrom(UNTRUSTED, (i) => ({ 'X-Forwarded-For': `198.51.100.${i + 1}` }));
      const fresh = await tokenRequest(served.port, UNTRUSTED, c.clientId, clientSecret!, { 'X-Forwarded-For': '198.51.100.200' });
      expect(fresh.status, 'a fresh forwarded address does not escape the lock of the real peer').to.equal(429);
    });

    it('without trustedProxies (the default) the headers are ignored even from 127.0.0.1', async () => {
      served = await serveOn(backend.label, { clientAuthentication: { maxFailures: 1 } });
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      await guessFrom(TRUSTED, (i) => ({ 'X-Forwarded-For': `198.51.100.${i + 1}` }));
      expect((await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { 'X-Forwarded-For': '198.51.100.200' })).status).to.equal(429);
    });

    it('a hop count of 1 trusts the peer; garbage headers from it are never a 500 and count against the peer', async () => {
      served = await serveOn(backend.label, { trustedProxies: 1, clientAuthentication: { maxFailures: 1 } });
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      const garbage = ['not-an-ip', '', '999.999.1.1', '[::1', ', ,', 'x'.repeat(4000)];
      for (let i = 0; i < 4; i++) expect((await tokenRequest(served.port, TRUSTED, `pcc_guess${i}`, 'wrong', { 'X-Forwarded-For': garbage[i] })).status).to.equal(401);
      for (const xff of garbage) {
        const res = await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { 'X-Forwarded-For': xff, 'X-Forwarded-Proto': '\u00ff' });
        expect(res.status, JSON.stringify(xff.slice(0, 20))).to.equal(429);
      }
      expect((await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { 'X-Forwarded-For': '203.0.113.50' })).status, 'a real forwarded address is its own').to.equal(200);
    });
  });

  describe('§4 Forwarded (forwardedHeader: forwarded)', () => {
    let served: Awaited<ReturnType<typeof serveOn>>;
    afterEach(() => served?.close());

    it('for= of the trusted proxy\'s element is the client; X-Forwarded-For is then not read', async () => {
      served = await serveOn(backend.label, { trustedProxies: [TRUSTED], forwardedHeader: 'forwarded', clientAuthentication: { maxFailures: 1 } });
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      for (let i = 0; i < 4; i++) {
        const headers = { Forwarded: `for="_spoof${i}", for=192.0.2.60;proto=https`, 'X-Forwarded-For': `198.51.100.${i + 1}` };
        expect((await tokenRequest(served.port, TRUSTED, `pcc_guess${i}`, 'wrong', headers)).status).to.equal(401);
      }
      expect((await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { Forwarded: 'for=192.0.2.60' })).status).to.equal(429);
      expect((await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { Forwarded: 'for="[2001:db8:cafe::17]:4711"' })).status).to.equal(200);
      expect((await tokenRequest(served.port, TRUSTED, c.clientId, clientSecret!, { Forwarded: 'for=192.0.2.61', 'X-Forwarded-For': '192.0.2.60' })).status, 'X-Forwarded-For ignored').to.equal(200);
    });
  });

  describe('IPv6', () => {
    let served: Awaited<ReturnType<typeof serveOn>>;
    afterEach(() => served?.close());

    it('an IPv6 proxy (::1) forwarding IPv6 clients: one /64 is one client for the throttle, the next /64 is not', async () => {
      served = await serveOn(backend.label, { trustedProxies: ['::1/128'], clientAuthentication: { maxFailures: 1 } }, '::1');
      const { client: c, clientSecret } = await served.portcullis.clients.create({ name: 'svc', application: 'echo', roles: ['echo-reader'] });
      for (let i = 0; i < 4; i++) expect((await tokenRequest(served.port, '::1', `pcc_guess${i}`, 'wrong', { 'X-Forwarded-For': `2001:db8:1:2::${i + 1}` })).status).to.equal(401);
      expect((await tokenRequest(served.port, '::1', c.clientId, clientSecret!, { 'X-Forwarded-For': '[2001:db8:1:2:ffff::9]:443' })).status, 'same /64').to.equal(429);
      expect((await tokenRequest(served.port, '::1', c.clientId, clientSecret!, { 'X-Forwarded-For': '2001:db8:1:3::1' })).status, 'another /64').to.equal(200);
      expect((await tokenRequest(served.port, '::1', c.clientId, clientSecret!, { 'X-Forwarded-For': '203.0.113.5' })).status, 'an IPv4 client behind it').to.equal(200);
    });
  });

  describe('the sign-in throttle counts the forwarded address', () => {
    let server: TestServer;
    afterEach(() => server?.close());

    it('four failed sign-ins forwarded for one address lock that address, not the proxy\'s other clients', async () => {
      const flow = await startFlowServer({ store: backend, settings: testSettings({ trustedProxies: [TRUSTED, '::1'], signIn: { maxFailures: 1, lockoutSeconds: 300 } }) });
      server = flow.server;
      const agent = request.agent(server.app);
      const page = await agent.get(locationOf(await startAuthorization(agent, authorizeParams(flow.web))));
      const fields = formFields(page.text);
      const login = (username: string, password: string, xff: string) =>
        agent.post('/login').set('X-Forwarded-For', xff).type('form').send(query({ ...fields, username, password }));
      for (let i = 0; i < 4; i++) expect((await login(`nobody${i}`, 'wrong', '203.0.113.7')).status).to.equal(401);
      expect((await login(flow.user.username, flow.user.password, '203.0.113.7')).status, 'the guessing address').to.equal(429);
      expect((await login(flow.user.username, flow.user.password, '198.51.100.20')).status, 'another address behind the proxy').to.be.oneOf([302, 303]);
    });
  });

  describe('audit entries record the forwarded address', () => {
    let server: TestServer;
    afterEach(() => server?.close());

    it('an admin API call through a trusted proxy is audited "from" the forwarded client address (IPv6)', async () => {
      server = await startTestServer({ store: backend, settings: testSettings({ trustedProxies: ['127.0.0.0/8', '::1'] }) });
      const bot = await automationClient(server, 'super-admin');
      const create = (xff: string) =>
        request(server.app).post(`${API}/apps`).set('Authorization', `Bearer ${bot.token}`).set('X-Forwarded-For', xff).send({ name: `audited ${xff}`, application: 'echo', type: 'service' });
      const made = await create('2001:db8::42');
      expect(made.status, made.text).to.equal(201);
      const audit = await request(server.app).get(`${API}/audit?app=${made.body.client_id}`).set('Authorization', `Bearer ${bot.token}`);
      expect(audit.status, audit.text).to.equal(200);
      expect(audit.body[0].from).to.equal('2001:db8::42');
    });
  });

  describe('X-Request-Id', () => {
    let server: TestServer;
    let listener: { port: number; close(): Promise<void> };
    let token: string;

    before(async () => {
      server = await startTestServer({ store: backend, settings: testSettings({ trustedProxies: [TRUSTED] }) });
      listener = await listen(server.app);
      const { clientId, clientSecret } = await createServiceClient(server);
      token = (await tokenRequest(listener.port, TRUSTED, clientId, clientSecret)).body.access_token;
    });
    after(async () => {
      await listener.close();
      await server.close();
    });

    const call = (from: string, id?: string) =>
      send(listener.port, from, 'GET', '/echo/hello', { Authorization: `Bearer ${token}`, ...(id === undefined ? {} : { 'X-Request-Id': id }) });

    it('from a trusted proxy a safe id is kept: in the response and upstream', async () => {
      const res = await call(TRUSTED, 'trace-42.a_b');
      expect(res.status).to.equal(200);
      expect(res.headers['x-request-id']).to.equal('trace-42.a_b');
      expect(res.body.headers['x-request-id']).to.equal('trace-42.a_b');
    });

    it('from an untrusted peer the id is replaced by a new one, the same in the response and upstream', async () => {
      const res = await call(UNTRUSTED, 'trace-42.a_b');
      expect(res.status).to.equal(200);
      expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
      expect(res.body.headers['x-request-id']).to.equal(res.headers['x-request-id']);
    });

    it('from a trusted proxy an unsafe id (too long, odd characters) is replaced', async () => {
      for (const id of ['x'.repeat(65), 'a b', 'a"b', 'id\u00e9', '']) {
        const res = await call(TRUSTED, id);
        expect(res.headers['x-request-id'], JSON.stringify(id)).to.match(/^[0-9a-f-]{36}$/);
        expect(res.body.headers['x-request-id']).to.equal(res.headers['x-request-id']);
      }
    });

    it('an error answer carries the id in the header and the body', async () => {
      const res = await send(listener.port, TRUSTED, 'GET', '/echo/hello', { 'X-Request-Id': 'trace-7' });
      expect(res.status).to.equal(401);
      expect(res.headers['x-request-id']).to.equal('trace-7');
      expect(res.body.request_id).to.equal('trace-7');
    });
  });
});
