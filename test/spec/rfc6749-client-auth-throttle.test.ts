import { expect } from 'chai';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { RedisStore } from '../../src/store/redis-store';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../helpers/browser-flow';
import { expectNoInternals } from '../helpers/wire-expect';
import { createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 §2.3.1 ("the authorization server MUST protect any endpoint utilizing [password
 * authentication] against brute force attacks") on the wire: failed client authentications at the
 * token, revocation and introspection endpoints are counted per client id and per client address
 * (the TCP peer); past the limit the answer is 429 `slow_down` with `Retry-After`, even for the
 * right secret, and the lock ends by itself. The defaults of `clientAuthentication` are used:
 * 10 failures per client id (40 per address) in a 300-second window, lockouts doubling up to 3600 s.
 *
 * Every address is a real TCP source address (127.0.0.x on the loopback), never a header.
 */

const MAX_FAILURES = 10;
const WINDOW_MS = 300_000;
const CC = 'grant_type=client_credentials';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown>;
}

/** A form POST to `path` on 127.0.0.1:`port` from the loopback address `from`, with HTTP Basic client credentials. */
function postTo(port: number, from: string, path: string, id: string, secret: string, form = CC): Promise<WireResponse> {
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, localAddress: from, method: 'POST', path, agent: false, headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (a 200 from revocation has no body)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** Serves `app` on a free loopback port. */
async function listen(app: http.RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const listener = http.createServer(app);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as AddressInfo).port,
    close: async () => {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

eachStore('RFC 6749 §2.3.1 client authentication throttling', (backend) => {
  let server: TestServer;
  let listener: { port: number; close(): Promise<void> };
  let port: number;
  let client: { clientId: string; clientSecret: string };

  beforeEach(async () => {
    server = await startTestServer({ store: backend });
    listener = await listen(server.app);
    port = listener.port;
    client = await createServiceClient(server);
  });
  afterEach(async () => {
    await listener.close();
    await server.close();
  });

  const post = (from: string, path: string, id: string, secret: string, form = CC) => postTo(port, from, path, id, secret, form);

  const token = (from: string, secret = client.clientSecret, id = client.clientId) => post(from, '/oauth2/token', id, secret);
  const wrong = (from: string, i: number, id = client.clientId) => token(from, `wrong secret ${i}`, id);

  /** 429 slow_down, Retry-After in seconds, no-store, the RFC 6749 §5.2 body shape, nothing internal. */
  function expectThrottled(res: WireResponse, retryAfter?: number): void {
    expect(res.status, res.text).to.equal(429);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['retry-after'], 'Retry-After').to.match(/^[1-9]\d*$/);
    if (retryAfter !== undefined) expect(Number(res.headers['retry-after'])).to.equal(retryAfter);
    expect(Object.keys(res.body).sort()).to.deep.equal(['error', 'error_description', 'request_id']);
    expect(res.body.error).to.equal('slow_down');
    expect(res.body.error_description).to.be.a('string').and.match(/too many failed client authentications/);
    expect(res.headers['www-authenticate']).to.equal(undefined);
    expectNoInternals(res.text);
  }

  async function failTimes(from: string, n: number, id = client.clientId): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await wrong(from, i, id);
      expect(res.status, `failure ${i + 1}: ${res.text}`).to.equal(401);
      expect(res.body.error).to.equal('invalid_client');
    }
  }

  it('N wrong secrets -> 401s, then 429 with Retry-After even for the right secret, until the window has passed', async () => {
    await failTimes('127.0.0.2', MAX_FAILURES);
    expectThrottled(await wrong('127.0.0.2', 99), 300);
    expectThrottled(await token('127.0.0.2'), 300);

    server.now.ms += WINDOW_MS - 10_000;
    expectThrottled(await token('127.0.0.2'), 10);
    server.now.ms += 11_000;
    const res = await token('127.0.0.2');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.access_token).to.be.a('string');
  });

  it('an address that authenticated the client before is not locked out by failures from another address', async () => {
    expect((await token('127.0.0.3')).status).to.equal(200);
    await failTimes('127.0.0.2', MAX_FAILURES);
    expectThrottled(await token('127.0.0.2'));
    // A new address (never authenticated this client) is refused while the client id is locked...
    expectThrottled(await token('127.0.0.4'));
    // ...but the client's own known address keeps working: an attacker cannot lock a known client out.
    const res = await token('127.0.0.3');
    expect(res.status, res.text).to.equal(200);
  });

  it('a known address that sends wrong secrets is still stopped by its address limit (four times N)', async () => {
    expect((await token('127.0.0.3')).status).to.equal(200);
    await failTimes('127.0.0.3', 4 * MAX_FAILURES);
    expectThrottled(await token('127.0.0.3'), 300);
    expect((await token('127.0.0.4')).status, 'the client id is not locked by failures from its known address').to.equal(200);
  });

  it('the per-address limit: four times N failures from one address lock that address for every client, not others', async () => {
    for (let i = 0; i < 4 * MAX_FAILURES; i++) {
      const res = await wrong('127.0.0.2', i, `pcc_guess_${i}`);
      expect(res.status, `failure ${i + 1}`).to.equal(401);
    }
    expectThrottled(await token('127.0.0.2'));
    const other = await token('127.0.0.5');
    expect(other.status, other.text).to.equal(200);
  });

  it('repeated lockouts grow (300 s, then 600 s) and never exceed maxLockoutSeconds', async () => {
    const durations: number[] = [];
    for (let round = 0; round < 6; round++) {
      await failTimes('127.0.0.2', MAX_FAILURES);
      const locked = await token('127.0.0.2');
      expectThrottled(locked);
      const seconds = Number(locked.headers['retry-after']);
      durations.push(seconds);
      server.now.ms += seconds * 1000;
    }
    expect(durations).to.deep.equal([300, 600, 1200, 2400, 3600, 3600]);
    expect((await token('127.0.0.2')).status).to.equal(200);
  });

  it('a success resets the client id counter: N-1 failures, a success, N-1 failures are all 401', async () => {
    await failTimes('127.0.0.2', MAX_FAILURES - 1);
    expect((await token('127.0.0.2')).status).to.equal(200);
    await failTimes('127.0.0.2', MAX_FAILURES - 1);
    expect((await token('127.0.0.2')).status).to.equal(200);
  });

  it('a burst of parallel wrong secrets: at most N are checked (401), the rest get 429', async () => {
    const answers = await Promise.all(Array.from({ length: 3 * MAX_FAILURES }, (_, i) => wrong('127.0.0.2', i)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).to.have.length(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).to.have.length(2 * MAX_FAILURES);
    expectThrottled(await token('127.0.0.2'));
  });

  it('wrong secrets sent for a public client id do not lock its users out (a public client has no secret to guess)', async () => {
    const pub = await createApp(server, { type: 'public' });
    await failTimes('127.0.0.2', MAX_FAILURES, pub.clientId);
    expectThrottled(await wrong('127.0.0.2', 99, pub.clientId));
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, localAddress: '127.0.0.4', method: 'POST', path: '/oauth2/revoke', agent: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(`client_id=${encodeURIComponent(pub.clientId)}&token=x`);
    });
    expect(res, 'the public client (client_id only) from another address').to.equal(200);
  });

  it('revocation and introspection count failures too and are throttled the same way (one counter)', async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      const path = ['/oauth2/revoke', '/oauth2/introspect'][i % 2];
      const res = await post('127.0.0.2', path, client.clientId, `wrong ${i}`, 'token=x');
      expect(res.status, `${path}: ${res.text}`).to.equal(401);
    }
    expectThrottled(await post('127.0.0.2', '/oauth2/revoke', client.clientId, client.clientSecret, 'token=x'));
    expectThrottled(await post('127.0.0.2', '/oauth2/introspect', client.clientId, client.clientSecret, 'token=x'));
    expectThrottled(await token('127.0.0.2'));
  });
});

// Redis by nature (two instances share one store), so not under eachStore.
describe('RFC 6749 §2.3.1 client authentication throttling: two gateway instances on one Redis store', () => {
  const prefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  const instances: { portcullis: Portcullis; listener: { port: number; close(): Promise<void> } }[] = [];

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const portcullis = await Portcullis.open(testSettings({ store: { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: prefix } }), {
        store: await RedisStore.open({ url: REDIS_URL, keyPrefix: prefix }),
        logger: createLogger('error', () => undefined),
      });
      const app = express();
      app.use(portcullisRouter(portcullis));
      instances.push({ portcullis, listener: await listen(app) });
    }
  });
  after(async () => {
    for (const { portcullis, listener } of instances) {
      await listener.close();
      await portcullis.close();
    }
    const client = createClient({ url: REDIS_URL });
    client.on('error', () => undefined);
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });

  it('failures on one instance count on the other: N split between them lock the client id on both', async () => {
    const { client, clientSecret } = await instances[0].portcullis.clients.create({ name: 'shared', application: 'echo', roles: ['echo-reader'] });
    const [one, two] = instances.map((i) => i.listener.port);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await postTo(i % 2 ? one : two, '127.0.0.2', '/oauth2/token', client.clientId, `wrong ${i}`);
      expect(res.status, res.text).to.equal(401);
    }
    for (const port of [one, two]) {
      const res = await postTo(port, '127.0.0.2', '/oauth2/token', client.clientId, clientSecret!);
      expect(res.status, res.text).to.equal(429);
      expect(res.body.error).to.equal('slow_down');
      expect(Number(res.headers['retry-after'])).to.be.within(299, 300);
    }
  });
});
