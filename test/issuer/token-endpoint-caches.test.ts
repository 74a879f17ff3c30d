import { expect } from 'chai';
import { decodeJwt } from 'jose';
import express from 'express';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { dropPrefix, untilMode } from '../helpers/push-pair';
import { REDIS_URL } from '../helpers/each-store';
import { testSettings } from '../helpers/test-portcullis';

/**
 * The token endpoint remembers the client it authenticates, the roles admins made and the lock of
 * a known address while changes are pushed (src/store/pushed-cache.ts,
 * src/throttle/failure-throttle.ts, src/throttle/client-auth-throttle.ts's known addresses).
 * The clocks are frozen: a change must be seen on the next token request because it was pushed,
 * never because a cache entry aged out.
 */
interface Instance {
  portcullis: Portcullis;
  app: express.Express;
  close(): Promise<void>;
}

async function open(settings: ReturnType<typeof testSettings>, at: number): Promise<Instance> {
  const portcullis = await Portcullis.open(settings, { now: () => at, logger: createLogger('error', () => undefined) });
  await untilMode(portcullis.invalidation, 'push');
  const app = express();
  app.use(portcullis.requestContext(() => undefined));
  app.use(portcullisRouter(portcullis));
  return { portcullis, app, close: () => portcullis.close() };
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

function token(on: Instance, id: string, secret: string, scope?: string) {
  return request(on.app)
    .post('/oauth2/token')
    .set('Authorization', basic(id, secret))
    .type('form')
    .send(`grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`);
}

/** How long a push may take to arrive: milliseconds in practice; an answer kept longer was not pushed. */
const PUSH_WITHIN_MS = 3000;

/** Asks `on` until it answers otherwise than `status` (each answer a real request), on a frozen clock. */
async function untilNot(status: number, ask: () => Promise<request.Response>): Promise<request.Response> {
  const deadline = Date.now() + PUSH_WITHIN_MS;
  let res = await ask();
  while (res.status === status) {
    if (Date.now() > deadline) throw new Error(`still ${status} after ${PUSH_WITHIN_MS} ms: the change was not pushed`);
    await new Promise((resolve) => setImmediate(resolve));
    res = await ask();
  }
  return res;
}

function cacheSuite(label: string, setup: () => Promise<{ a: Instance; b: Instance; cleanup(): Promise<void> }>, pushedAcross: boolean) {
  describe(`token endpoint: the client, role and address-lock caches follow every change [${label}]`, () => {
    let a: Instance;
    let b: Instance;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ a, b, cleanup } = await setup());
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await cleanup();
    });

    async function warmClient(roles = ['echo-reader']) {
      const { client, clientSecret } = await a.portcullis.clients.create({ name: 'cache test', application: 'echo', roles });
      const id = client.clientId;
      // Twice each: the second request is answered from the caches (and from a known address).
      for (const on of [a, b, a, b]) expect((await token(on, id, clientSecret!)).status).to.equal(200);
      return { id, secret: clientSecret! };
    }

    it('a client deactivated here is refused on the next token request', async () => {
      const { id, secret } = await warmClient();
      await a.portcullis.clients.setStatus(id, 'disabled');
      const res = await token(a, id, secret);
      expect(res.status).to.equal(401);
      expect(res.body.error).to.equal('invalid_client');
    });

    it('a rotated secret stops working on the next token request here; the new one works', async () => {
      const { id, secret } = await warmClient();
      const { clientSecret } = await a.portcullis.clients.rotateSecret(id);
      expect((await token(a, id, secret)).status).to.equal(401);
      expect((await token(a, id, clientSecret!)).status).to.equal(200);
    });

    it('changed roles and role definitions are what the next token carries here', async () => {
      const role = `cached-${randomUUID().slice(0, 8)}`;
      await a.portcullis.roles.create('echo', { name: role, permissions: ['echo:read'] });
      const { id, secret } = await warmClient([role]);
      expect((await token(a, id, secret, 'echo:read')).status).to.equal(200);
      await a.portcullis.roles.update('echo', role, { permissions: ['echo:write'] });
      expect((await token(a, id, secret, 'echo:read')).body.error).to.equal('invalid_scope');
      expect((await token(a, id, secret, 'echo:write')).status).to.equal(200);
      await a.portcullis.clients.setRoles(id, ['echo-reader']);
      const res = await token(a, id, secret);
      expect(decodeJwt(res.body.access_token).roles).to.deep.equal(['echo-reader']);
    });

    /** Wrong secrets for a known client from this address until the address is locked (4 with maxFailures 1). */
    async function lockAddress(on: Instance, id: string) {
      for (let i = 0; i < 4; i++) expect((await token(on, id, 'wrong secret')).status).to.equal(401);
    }

    it('an address locked here is refused on the next token request, with the right secret too', async () => {
      const { id, secret } = await warmClient();
      await lockAddress(a, id);
      const res = await token(a, id, secret);
      expect(res.status).to.equal(429);
      expect(res.body.error).to.equal('slow_down');
      expect(res.headers['retry-after']).to.match(/^\d+$/);
    });

    if (pushedAcross) {
      it('an address locked on another instance is refused there as soon as the change is pushed (clocks frozen)', async () => {
        const { id, secret } = await warmClient();
        await lockAddress(a, id);
        const res = await untilNot(200, () => token(b, id, secret));
        expect(res.status).to.equal(429);
        expect(res.body.error).to.equal('slow_down');
      });

      // SQLite: PRAGMA data_version is read on every such request, so the very next one sees it.
      it('a client deactivated on another instance is refused there as soon as the change is pushed (clocks frozen)', async () => {
        const { id, secret } = await warmClient();
        await a.portcullis.clients.setStatus(id, 'disabled');
        const res = await untilNot(200, () => token(b, id, secret));
        expect(res.status).to.equal(401);
      });

      it('a secret rotated on another instance stops working there as soon as the change is pushed', async () => {
        const { id, secret } = await warmClient();
        const { clientSecret } = await a.portcullis.clients.rotateSecret(id);
        expect((await untilNot(200, () => token(b, id, secret))).status).to.equal(401);
        expect((await token(b, id, clientSecret!)).status).to.equal(200);
      });
    }
  });
}

cacheSuite('sqlite file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-token-caches-'));
  const settings = testSettings({ store: { sqlitePath: path.join(dir, 'store.db') }, clientAuthentication: { maxFailures: 1 } });
  const at = Date.now();
  const a = await open(settings, at);
  const b = await open(settings, at);
  return { a, b, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}, true);

cacheSuite('redis', async () => {
  const prefix = `token-caches-test:${randomUUID()}:`;
  const settings = testSettings({ store: { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: prefix }, clientAuthentication: { maxFailures: 1 } });
  const at = Date.now();
  const a = await open(settings, at);
  const b = await open(settings, at);
  return { a, b, cleanup: () => dropPrefix(REDIS_URL, prefix) };
}, true);
