import { expect } from 'chai';
import request from 'supertest';
import { StatusCache } from '../../src/store/status-cache';
import { createServiceClient, startTestServer, testSettings } from '../helpers/test-portcullis';

/**
 * The guard's status caches (clients, users; the revocation list works the same way) expire on
 * the product's clock, the `now` the runtime is given, and only there.
 */
describe('guard: status caches expire on the product clock', () => {
  /** A cache over a real map, counting how often the store is asked. */
  function cacheOver(ttlMs: number, clock: { ms: number }) {
    const store = new Map<string, string>([['a', 'active']]);
    let reads = 0;
    const cache = new StatusCache<string>(async (id) => {
      reads += 1;
      return store.get(id) ?? null;
    }, ttlMs, () => clock.ms);
    return { store, cache, reads: () => reads };
  }

  it('an answer is trusted for ttlMs on the product clock, then read again', async () => {
    const clock = { ms: 1_000_000 };
    const { store, cache, reads } = cacheOver(500, clock);
    expect(await cache.get('a')).to.equal('active');
    store.set('a', 'disabled');
    clock.ms += 500;
    expect(cache.peek('a')?.value, 'still trusted at ttlMs').to.equal('active');
    clock.ms += 1;
    expect(cache.peek('a'), 'gone past ttlMs').to.equal(undefined);
    expect(await cache.get('a')).to.equal('disabled');
    expect(reads()).to.equal(2);
  });

  it('a clock stepped back past the read does not extend the answer (lru-cache alone would trust it for the size of the step)', async () => {
    const clock = { ms: 1_000_000 };
    const { store, cache } = cacheOver(500, clock);
    await cache.get('a');
    store.set('a', 'disabled');
    clock.ms -= 3_600_000; // NTP steps the wall clock back an hour
    expect(cache.peek('a')).to.equal(undefined);
    expect(await cache.get('a')).to.equal('disabled');
  });

  it('ttlMs 0 remembers nothing: every check reads the store', async () => {
    const clock = { ms: 1_000_000 };
    const { cache, reads } = cacheOver(0, clock);
    await cache.get('a');
    await cache.get('a');
    expect(cache.peek('a')).to.equal(undefined);
    expect(reads()).to.equal(2);
  });

  it('cacheMs: 0 on the wire: a disabled client is refused by the next request, the clock unmoved', async () => {
    const server = await startTestServer({ settings: testSettings({ cacheMs: 0 }) });
    try {
      const { clientId, clientSecret } = await createServiceClient(server);
      const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
      expect((await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      await server.portcullis.clients.setStatus(clientId, 'disabled');
      const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`);
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_token", error_description="the client of this access token is disabled"$/);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body.error).to.equal('invalid_token');
    } finally {
      await server.close();
    }
  });
});
