import { expect } from 'chai';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import request from 'supertest';
import type { Actor } from '../../src/admin/admin-authorization';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { resolveGuardOptions } from '../../src/runtime/guard-options';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { PASSWORD } from '../helpers/browser-flow';
import { testSettings } from '../helpers/test-portcullis';

/**
 * Issue 11 (roles admins manage) and issue 9 part 6 (`roles: live`) at the guard, on both stores:
 * the guard reads the current role definitions (and, with `roles: live`, the caller's current
 * roles) through its caches, so a change reaches tokens in use within `cacheMs`, and new tokens at
 * once. The clock is the runtime's injected one: frozen, the guard must keep its cached answer;
 * moved past `cacheMs`, it must follow the change. No sleeps.
 */
const REDIS_URL = process.env.PORTCULLIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ACTOR: Actor = { type: 'cli', id: 'test', name: 'cli:test', adminRole: 'super-admin', from: 'cli' };

interface Backend {
  name: string;
  store(now: () => number): Promise<Store>;
  settings(): ReturnType<typeof testSettings>;
  cleanup(): Promise<void>;
}

const run = `portcullis-test:roles:${randomBytes(6).toString('hex')}:`;
const backends: Backend[] = [
  { name: 'SQLite', store: async (now) => new SqliteStore({ path: ':memory:', now }), settings: () => testSettings(), cleanup: async () => undefined },
  {
    name: 'Redis',
    store: () => RedisStore.open({ url: REDIS_URL, keyPrefix: run }),
    settings: () => testSettings({ store: { type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: run } }),
    async cleanup() {
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => undefined);
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${run}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
      await client.close();
    },
  },
];

for (const backend of backends) {
  describe(`guard: current role definitions and roles: live (${backend.name})`, () => {
    const now = { ms: Date.now() };
    let portcullis: Portcullis;
    /** The echo API behind a guard with roles from the token, and behind one with live roles. */
    let byToken: express.Express;
    let live: express.Express;
    /** The issuer's endpoints (the token endpoint). */
    let issuer: express.Express;
    let cacheMs: number;

    before(async () => {
      portcullis = await Portcullis.open(backend.settings(), { store: await backend.store(() => now.ms), now: () => now.ms, logger: createLogger('error', () => undefined) });
      cacheMs = portcullis.settings.cacheMs;
      const echoApp = (roles: 'token' | 'live') => {
        const app = express();
        app.use('/echo', portcullis.guard({ application: 'echo', roles }).middleware());
        app.all('/echo*', (req, res) => res.json({ roles: req.headers['x-portcullis-roles'] ?? null, permissions: req.headers['x-portcullis-permissions'] ?? null }));
        return app;
      };
      issuer = express().use(portcullisRouter(portcullis));
      byToken = echoApp('token');
      live = echoApp('live');
    });
    after(async () => {
      await portcullis?.close();
      await backend.cleanup();
    });

    const roleName = () => `bespoke-${randomBytes(4).toString('hex')}`;
    const read = (app: express.Express, token: string) => request(app).get('/echo/items').set('Authorization', `Bearer ${token}`);
    const write = (app: express.Express, token: string) => request(app).post('/echo/items').set('Authorization', `Bearer ${token}`);
    /** A service client holding `roles`, and a token from its client credentials grant (the real issuer). */
    async function serviceToken(roles: string[]): Promise<{ clientId: string; clientSecret: string; token: string }> {
      const { client, clientSecret } = await portcullis.admin.createApp(ACTOR, { name: 'role test client', application: 'echo', type: 'service', roles });
      const res = await tokenRequest(client.clientId, clientSecret!);
      expect(res.status, res.text).to.equal(200);
      return { clientId: client.clientId, clientSecret: clientSecret!, token: res.body.access_token };
    }
    const tokenRequest = (clientId: string, secret: string, scope?: string) =>
      request(issuer).post('/oauth2/token').auth(clientId, secret).type('form').send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    /** Moves the clock past the cache time: every cached answer must be read again. */
    const pastCache = () => {
      now.ms += cacheMs + 1;
    };
    // Each test starts with nothing cached by the one before (the clock is frozen otherwise).
    beforeEach(pastCache);

    it('a role made by an admin grants its permissions; an edit reaches the token in use within cacheMs, not before', async () => {
      const role = roleName();
      await portcullis.admin.createRole(ACTOR, 'echo', { name: role, permissions: ['echo:read'] });
      const { token } = await serviceToken([role]);
      expect((await read(byToken, token)).status).to.equal(200);
      expect((await write(byToken, token)).status).to.equal(403);

      await portcullis.admin.updateRole(ACTOR, 'echo', role, { permissions: ['echo:write'] });
      // The clock is frozen: the cached definition still holds (the bound of the docs: at most cacheMs).
      expect((await read(byToken, token)).status, 'within the cache time').to.equal(200);
      expect((await write(byToken, token)).status, 'within the cache time').to.equal(403);
      pastCache();
      expect((await read(byToken, token)).status, 'after the cache time').to.equal(403);
      const allowed = await write(byToken, token);
      expect(allowed.status, 'after the cache time').to.equal(200);
      expect(allowed.body.permissions).to.equal('echo:write');
    });

    it('a new token is checked against the current definition at once (client credentials scope)', async () => {
      const role = roleName();
      await portcullis.admin.createRole(ACTOR, 'echo', { name: role, permissions: ['echo:read'] });
      const { clientId, clientSecret, token } = await serviceToken([role]);
      expect((await write(byToken, token)).status, 'the guard caches the definition').to.equal(403);
      expect((await tokenRequest(clientId, clientSecret, 'echo:read')).status).to.equal(200);
      const refused = await tokenRequest(clientId, clientSecret, 'echo:write');
      expect(refused.status).to.equal(400);
      expect(refused.body.error).to.equal('invalid_scope');
      await portcullis.admin.updateRole(ACTOR, 'echo', role, { permissions: ['echo:read', 'echo:write'] });
      // No clock move: the grant reads the store, not the guard's cache.
      const granted = await tokenRequest(clientId, clientSecret, 'echo:write');
      expect(granted.status, granted.text).to.equal(200);
      expect(granted.body.scope).to.equal('echo:write');
      // The guard, though, decides with the definition it cached for at most cacheMs, new token or not.
      expect((await write(byToken, granted.body.access_token)).status, 'within the cache time').to.equal(403);
      pastCache();
      expect((await write(byToken, granted.body.access_token)).status).to.equal(200);
    });

    it('a role deleted with remove_from_holders stops granting within cacheMs; the holder no longer has it', async () => {
      const role = roleName();
      await portcullis.admin.createRole(ACTOR, 'echo', { name: role, permissions: ['echo:read'] });
      const { clientId, token } = await serviceToken([role]);
      expect((await read(byToken, token)).status).to.equal(200);
      await portcullis.admin.deleteRole(ACTOR, 'echo', role, { removeFromHolders: true });
      expect((await read(byToken, token)).status, 'within the cache time').to.equal(200);
      pastCache();
      expect((await read(byToken, token)).status).to.equal(403);
      expect((await portcullis.clients.get(clientId)).roles).to.deep.equal([]);
    });

    it('roles: live follows a changed assignment of a client within cacheMs; roles: token keeps the claim', async () => {
      const { clientId, token } = await serviceToken(['echo-reader']);
      for (const app of [byToken, live]) expect((await read(app, token)).status).to.equal(200);
      await portcullis.admin.updateApp(ACTOR, clientId, { roles: ['echo-writer'] });
      expect((await read(live, token)).status, 'live, within the cache time').to.equal(200);
      pastCache();
      expect((await read(live, token)).status, 'live: the reader role is gone').to.equal(403);
      const written = await write(live, token);
      expect(written.status, 'live: the writer role is there').to.equal(200);
      expect(written.body.roles).to.equal('echo-writer');
      expect((await read(byToken, token)).status, 'token: the claim still says echo-reader').to.equal(200);
      expect((await write(byToken, token)).status).to.equal(403);
    });

    it("roles: live follows a user's changed roles in the application within cacheMs", async () => {
      const { client } = await portcullis.admin.createApp(ACTOR, { name: 'web app', application: 'echo', type: 'web', redirectUris: ['https://app.example/cb'] });
      const user = await portcullis.admin.createUser(ACTOR, { username: `live${randomBytes(3).toString('hex')}`, password: PASSWORD, roles: { echo: ['echo-reader'] } });
      const token = (await portcullis.tokens.issue({ clientId: client.clientId, subject: user.userId, audience: 'urn:portcullis:application:echo', roles: ['echo-reader'] })).token;
      expect((await read(live, token)).status).to.equal(200);
      await portcullis.admin.updateUser(ACTOR, user.userId, { roles: { echo: [] } });
      expect((await read(live, token)).status, 'within the cache time').to.equal(200);
      pastCache();
      expect((await read(live, token)).status, 'the user lost echo-reader').to.equal(403);
      expect((await read(byToken, token)).status, 'roles: token still honours the claim').to.equal(200);
    });
  });
}

describe('guard parameter roles (src/runtime/guard-options.ts)', () => {
  it('is token by default, live when asked, and anything else stops the guard naming the parameter', () => {
    const settings = testSettings();
    expect(resolveGuardOptions(settings, { application: 'echo' }).guard.roles).to.equal('token');
    expect(resolveGuardOptions(settings, { application: 'echo', roles: 'live' }).guard.roles).to.equal('live');
    expect(() => resolveGuardOptions(settings, { application: 'echo', roles: 'claims' as never })).to.throw('portcullis guard for echo: roles must be token or live, got "claims"');
  });
});
