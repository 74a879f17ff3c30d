import { expect } from 'chai';
import { SettingsError } from '../../src/config/settings';
import { SlowDown } from '../../src/errors/oauth-errors';
import { createLogger } from '../../src/logging/logger';
import { createClient } from 'redis';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import { hasRedisServer, startRedisServer } from '../helpers/redis-server';
import { RateLimiter, type RateLimitSettings } from '../../src/throttle/rate-limit';
import { testSettings } from '../helpers/test-portcullis';

describe('RateLimiter', () => {
  describe('settings', () => {
    it('is on by default for all three endpoints, with per-minute windows', () => {
      expect(testSettings().rateLimits).to.deep.equal({
        token: { perClient: { limit: 1200, windowSeconds: 60 }, perAddress: { limit: 3000, windowSeconds: 60 } },
        revocation: { perClient: { limit: 1200, windowSeconds: 60 }, perAddress: { limit: 3000, windowSeconds: 60 } },
        introspection: { perClient: { limit: 6000, windowSeconds: 60 }, perAddress: { limit: 12000, windowSeconds: 60 } },
      });
    });

    it('fills the defaults around what is set, and takes false at every level', () => {
      expect(testSettings({ rateLimits: false }).rateLimits).to.equal(false);
      const settings = testSettings({ rateLimits: { token: { perClient: { limit: 10 } }, revocation: false, introspection: { perAddress: false } } }).rateLimits as Exclude<RateLimitSettings, false>;
      expect(settings.token).to.deep.equal({ perClient: { limit: 10, windowSeconds: 60 }, perAddress: { limit: 3000, windowSeconds: 60 } });
      expect(settings.revocation).to.equal(false);
      expect(settings.introspection).to.deep.equal({ perClient: { limit: 6000, windowSeconds: 60 }, perAddress: false });
    });

    it('refuses true, unknown fields and bad numbers with the field named', () => {
      const problem = (rateLimits: unknown) => {
        try {
          testSettings({ rateLimits });
        } catch (err) {
          expect(err).to.be.instanceOf(SettingsError);
          return (err as Error).message;
        }
        throw new Error('accepted');
      };
      expect(problem(true)).to.contain('plugins.portcullis.rateLimits: must be an object of settings, or false to turn it off').and.not.contain('then');
      expect(problem({ token: { perClient: true } })).to.contain('plugins.portcullis.rateLimits.token.perClient: must be an object of settings, or false');
      expect(problem({ tokens: {} })).to.contain('rateLimits.tokens: unknown field (did you mean token?)');
      expect(problem({ token: { perClient: { limit: -1 } } })).to.contain('rateLimits.token.perClient.limit: must be >= 0');
      expect(problem({ token: { perAddress: { windowSeconds: 0 } } })).to.contain('rateLimits.token.perAddress.windowSeconds: must be >= 1');
    });
  });

  describe('counting', () => {
    const rule = (limit: number, windowSeconds = 60) => ({ limit, windowSeconds });
    let now: { ms: number };
    let store: SqliteStore;
    let logs: Record<string, unknown>[];
    const limiter = (settings: RateLimitSettings) => new RateLimiter(store, settings, createLogger('info', (line) => logs.push(JSON.parse(line))), () => now.ms);
    const refusal = (promise: Promise<void>) => promise.then(() => undefined, (err: unknown) => err);

    beforeEach(() => {
      now = { ms: 1_800_000_000_000 };
      store = new SqliteStore({ path: ':memory:', now: () => now.ms });
      logs = [];
    });
    afterEach(() => store.close());

    it('an IPv6 address counts with its /64, as the client-authentication throttle counts it', async () => {
      const rl = limiter({ token: { perClient: false, perAddress: rule(2) }, revocation: false, introspection: false });
      await rl.check('token', undefined, '2001:db8:1:2::1');
      await rl.check('token', undefined, '2001:db8:1:2:ffff::9');
      expect(await refusal(rl.check('token', undefined, '2001:db8:1:2::abcd'))).to.be.instanceOf(SlowDown);
      expect(await refusal(rl.check('token', undefined, '2001:db8:1:3::1'))).to.equal(undefined);
    });

    it('Retry-After is the wait of the limit that refused for longest; onLimited hears that one once', async () => {
      const rl = limiter({ token: { perClient: rule(1, 3600), perAddress: rule(1, 60) }, revocation: false, introspection: false });
      const heard: string[] = [];
      rl.onLimited = (endpoint, by) => heard.push(`${endpoint}/${by}`);
      await rl.check('token', 'c1', '192.0.2.1');
      const err = await refusal(rl.check('token', 'c1', '192.0.2.1'));
      expect(err).to.be.instanceOf(SlowDown);
      expect((err as SlowDown).headers['Retry-After']).to.equal('3600');
      expect(heard).to.deep.equal(['token/client']);
    });

    it('logs a limit once per window, not once per refused request, and never more than 64 characters of a client id', async () => {
      const rl = limiter({ token: { perClient: rule(1), perAddress: false }, revocation: false, introspection: false });
      const long = 'x'.repeat(5000);
      for (let i = 0; i < 5; i++) await refusal(rl.check('token', long, '192.0.2.1'));
      const reached = logs.filter((l) => l.message === 'rate limit reached');
      expect(reached).to.have.length(1);
      expect(reached[0]).to.include({ endpoint: 'token', by: 'client', client_id: 'x'.repeat(64), limit: 1, window_seconds: 60 });
    });

    it('a changed window length starts new counters', async () => {
      await limiter({ token: { perClient: rule(1, 60), perAddress: false }, revocation: false, introspection: false }).check('token', 'c1', '192.0.2.1');
      await limiter({ token: { perClient: rule(1, 30), perAddress: false }, revocation: false, introspection: false }).check('token', 'c1', '192.0.2.1');
    });
  });

  (hasRedisServer() ? describe : describe.skip)('on Redis', () => {
    it('costs one round trip per limit: a check of both limits is two EVALSHA (INCR, and PEXPIRE when a window starts)', async () => {
      const server = await startRedisServer();
      const store = await RedisStore.open({ url: server.url, keyPrefix: 'rl:' });
      const raw = createClient({ url: server.url });
      raw.on('error', () => undefined);
      await raw.connect();
      try {
        const rl = new RateLimiter(store, { token: { perClient: { limit: 100, windowSeconds: 60 }, perAddress: { limit: 100, windowSeconds: 60 } }, revocation: false, introspection: false }, createLogger('error', () => undefined));
        await rl.check('token', 'warm-up', '192.0.2.9'); // loads the script (NOSCRIPT, then EVAL) once
        const calls = async () => {
          const stats = await raw.info('commandstats');
          return Object.fromEntries([...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
        };
        const before = await calls();
        for (let i = 0; i < 10; i++) await rl.check('token', 'c1', '192.0.2.1');
        const after = await calls();
        const delta = Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - (before[name] ?? 0)]).filter(([name, n]) => n !== 0 && name !== 'info'));
        expect(delta).to.deep.equal({ evalsha: 20, incr: 20, pexpire: 2 });
      } finally {
        await raw.close();
        await store.close();
        await server.kill();
      }
    });
  });
});
