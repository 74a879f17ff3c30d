import { randomBytes } from 'node:crypto';
import express from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { ApiKeys, type ApiKeyRecord } from '../../src/clients/api-keys';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { clientWithToken, openPushPair, untilMode, type PushPair } from '../helpers/push-pair';

/** The message a promise is rejected with (a test failure if it resolves). */
async function failure(pending: Promise<unknown>): Promise<string> {
  return pending.then(
    () => expect.fail('expected a rejection'),
    (err: Error) => err.message,
  );
}

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * API keys on each store (SQLite and Redis): one current key per client, found by its keyed hash
 * only, rotated and revoked records kept (so a refusal can say "revoked"), never the key itself.
 */
for (const [name, open] of [
  ['sqlite', async () => new SqliteStore({ path: ':memory:' })],
  ['redis', () => RedisStore.open({ url: REDIS_URL, keyPrefix: `portcullis-test:${randomBytes(6).toString('hex')}:` })],
] as Array<[string, () => Promise<Store>]>) {
  describe(`API keys on ${name}`, () => {
    let store: Store;
    let keys: ApiKeys;
    const types: Record<string, 'service' | 'web' | 'public'> = { svc: 'service', web: 'web', spa: 'public' };
    before(async () => {
      store = await open();
      keys = new ApiKeys(store, { find: async (id) => (types[id] ? { type: types[id] } : undefined) }, randomBytes(32));
    });
    after(() => store.close());

    it('issues a key found by its hash only; rotating keeps one current key; revoking keeps the record, marked', async () => {
      const first = await keys.issue('svc');
      expect(first.apiKey).to.match(/^pck_[A-Za-z0-9_-]{43}$/);
      expect((await keys.lookup(first.apiKey))).to.include({ clientId: 'svc' });
      const stored = await store.list<ApiKeyRecord>('api-keys');
      expect(JSON.stringify(stored)).to.not.include(first.apiKey);

      const second = await keys.issue('svc');
      expect((await keys.lookup(first.apiKey))?.revokedAt).to.be.a('number');
      expect((await keys.lookup(second.apiKey))?.revokedAt).to.equal(undefined);
      expect((await keys.current('svc'))?.issuedAt).to.equal(second.issuedAt);

      expect(await keys.revoke('svc')).to.equal(true);
      expect(await keys.current('svc')).to.equal(undefined);
      expect((await keys.lookup(second.apiKey))?.revokedAt).to.be.a('number');
      expect(await keys.revoke('svc')).to.equal(false);
      expect(await keys.lookup('pck_never-issued')).to.equal(undefined);
    });

    it('a key of one client is not another\'s; a public client and an unknown one get none', async () => {
      const a = await keys.issue('svc');
      const b = await keys.issue('web');
      expect((await keys.lookup(a.apiKey))?.clientId).to.equal('svc');
      expect((await keys.lookup(b.apiKey))?.clientId).to.equal('web');
      await keys.revoke('web');
      expect((await keys.lookup(a.apiKey))?.revokedAt).to.equal(undefined);
      expect(await failure(keys.issue('spa'))).to.match(/a public client cannot keep an API key secret/);
      expect(await failure(keys.issue('nobody'))).to.match(/client/);
    });
  });
}

describe('API keys: a revocation on one instance reaches the other by push (Redis)', () => {
  let pair: PushPair;
  before(async () => {
    pair = await openPushPair(REDIS_URL);
    await Promise.all([untilMode(pair.a.portcullis.invalidation, 'push'), untilMode(pair.b.portcullis.invalidation, 'push')]);
  });
  after(() => pair.close());

  it('B keeps the key while push is up, and refuses it once A revokes it, its clock frozen', async () => {
    const app = express();
    app.use('/echo', pair.b.portcullis.guard({ application: 'echo', apiKey: 'required' }).middleware());
    app.get('/echo/hello', (_req, res) => res.json({ ok: true }));
    const { clientId, token } = await clientWithToken(pair.a);
    const { apiKey } = await pair.a.portcullis.apiKeys.issue(clientId);
    const call = () => request(app).get('/echo/hello').set('Authorization', `Bearer ${token}`).set('X-API-Key', apiKey);
    expect((await call()).status).to.equal(200);
    await pair.a.portcullis.apiKeys.revoke(clientId);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await call()).status;
    }
    expect(status).to.equal(401);
  });
});
