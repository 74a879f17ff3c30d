import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteChangeFeed } from '../../src/store/sqlite-data-version';
import { SqliteStore } from '../../src/store/sqlite-store';
import { HeldRevocations, type RevocationHolder } from '../../src/tokens/held-revocations';

const KIND = 'revoked-access-tokens';
const TTL_MS = 500;
const SAFETY_MS = 60_000;

/**
 * The guard's revocation answers kept in the tokens' own cache entries: the semantics of a
 * StatusCache (test/store/status-cache.test.ts) without a cache keyed by `jti`.
 */
describe('revocation answers held in token entries (src/tokens/held-revocations.ts)', () => {
  const clock = { ms: 1_000_000 };
  const now = () => clock.ms;
  const revoked = new Set<string>();
  let reads = 0;
  const holder = (): RevocationHolder => ({ revocation: 0, revocationAt: 0 });
  /** The answer from memory, else read (counted) and kept. */
  const check = (held: HeldRevocations, jti: string, h: RevocationHolder) =>
    held.peek(jti, h) ?? held.load(h, async () => (reads++, revoked.has(jti)));

  beforeEach(() => {
    clock.ms = 1_000_000;
    revoked.clear();
    reads = 0;
  });

  describe('without a feed', () => {
    it('an answer is trusted for ttlMs on the product clock, then read again', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const h = holder();
      expect(held.peek('a', h), 'nothing held yet').to.equal(undefined);
      expect(await check(held, 'a', h)).to.equal(false);
      revoked.add('a');
      clock.ms += TTL_MS;
      expect(held.peek('a', h), 'still trusted at ttlMs').to.equal(false);
      clock.ms += 1;
      expect(held.peek('a', h), 'gone past ttlMs').to.equal(undefined);
      expect(await check(held, 'a', h)).to.equal(true);
      expect(held.peek('a', h), 'a revoked answer is held too').to.equal(true);
      expect(reads).to.equal(2);
    });

    it('a change (revoke here) is seen at once; answers about other tokens stay', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const [a, b] = [holder(), holder()];
      await check(held, 'a', a);
      await check(held, 'b', b);
      revoked.add('a');
      held.changed('a');
      expect(held.peek('a', a), 'the clock unmoved').to.equal(undefined);
      expect(await check(held, 'a', a)).to.equal(true);
      expect(held.peek('a', a), 'the answer read after the change is trusted').to.equal(true);
      expect(held.peek('b', b), 'another token keeps its answer').to.equal(false);
      expect(reads).to.equal(3);
    });

    it('every entry of one token (verifiers with other settings) has its answer dropped by the change', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const [first, second] = [holder(), holder()];
      await check(held, 'a', first);
      await check(held, 'a', second);
      held.changed('a');
      expect(held.peek('a', first)).to.equal(undefined);
      expect(held.peek('a', second)).to.equal(undefined);
    });

    it('an answer whose load overlapped a change of its token is not trusted', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const h = holder();
      await held.load(h, async () => {
        held.changed('a'); // revoked while the old answer was read
        return false;
      });
      expect(held.peek('a', h)).to.equal(undefined);
    });

    it('a clock stepped back past the read does not extend the answer', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const h = holder();
      await check(held, 'a', h);
      revoked.add('a');
      clock.ms -= 3_600_000;
      expect(held.peek('a', h)).to.equal(undefined);
      expect(await check(held, 'a', h)).to.equal(true);
      expect(held.peek('a', h), 'read again at the new time, and trusted from there').to.equal(true);
    });

    it('a change is remembered until the answers it overrides have ended, whatever the clock does next', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const h = holder();
      await check(held, 'a', h);
      held.changed('a');
      clock.ms += TTL_MS + 1;
      held.changed('b'); // forgets the change of 'a': the answer it overrode has ended
      expect((held as unknown as { changes: Map<string, unknown> }).changes.size).to.equal(1);
      expect(held.peek('a', h), 'ended').to.equal(undefined);
      clock.ms -= TTL_MS; // back within the answer's ttlMs: the old answer must not come back
      expect(held.peek('a', h)).to.equal(undefined);
    });

    it('answers are small integers, also long after start (the read times are re-based)', async () => {
      const held = new HeldRevocations(TTL_MS, now);
      const h = holder();
      clock.ms += 2 ** 31;
      await check(held, 'a', h);
      expect(Number.isInteger(h.revocationAt) && Math.abs(h.revocationAt) < 2 ** 30, `${h.revocationAt}`).to.equal(true);
      expect(held.peek('a', h)).to.equal(false);
    });
  });

  describe('with a pushing feed (SQLite data_version)', () => {
    let dir: string;
    let file: string;
    let feed: SqliteChangeFeed;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-held-'));
      file = path.join(dir, 'portcullis.db');
      new SqliteStore({ path: file }).close();
      feed = new SqliteChangeFeed(file, TTL_MS, now);
    });
    afterEach(async () => {
      await feed.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const heldWithFeed = () => new HeldRevocations(TTL_MS, now, { feed, kind: KIND, safetyTtlMs: SAFETY_MS });

    it('an answer is kept past ttlMs until a change names its token, at most safetyTtlMs', async () => {
      const held = heldWithFeed();
      const [a, b] = [holder(), holder()];
      await check(held, 'a', a);
      await check(held, 'b', b);
      clock.ms += SAFETY_MS;
      expect(held.peek('a', a), 'kept until told').to.equal(false);
      await feed.publish(KIND, 'a');
      expect(held.peek('a', a), 'told').to.equal(undefined);
      expect(held.peek('b', b), 'the other token is not named').to.equal(false);
      clock.ms += 1;
      expect(held.peek('b', b), 'past safetyTtlMs').to.equal(undefined);
    });

    it('a change of another kind does not drop the answer', async () => {
      const held = heldWithFeed();
      const h = holder();
      await check(held, 'a', h);
      await feed.publish('users', 'a');
      clock.ms += TTL_MS + 1;
      expect(held.peek('a', h)).to.equal(false);
    });

    it('an answer whose load overlapped a change of its kind is trusted for ttlMs only', async () => {
      const held = heldWithFeed();
      const h = holder();
      await held.load(h, async () => {
        await feed.publish(KIND, 'other');
        return false;
      });
      expect(held.peek('a', h)).to.equal(false);
      clock.ms += TTL_MS + 1;
      expect(held.peek('a', h)).to.equal(undefined);
    });

    it('a move of the epoch (another process wrote to the file) drops every answer', async () => {
      const held = heldWithFeed();
      const h = holder();
      await check(held, 'a', h);
      const store = new SqliteStore({ path: file });
      await store.put(KIND, 'a', { exp: 0 }, {});
      store.close();
      clock.ms += TTL_MS; // data_version is read at most every cacheMs
      expect(held.peek('a', h)).to.equal(undefined);
      revoked.add('a');
      expect(await check(held, 'a', h)).to.equal(true);
    });
  });
});
