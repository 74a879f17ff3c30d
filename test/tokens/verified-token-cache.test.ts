import { expect } from 'chai';
import { tokenDigest } from '../../src/tokens/token-digest';
import { VerifiedTokenCache, type CachedAnswer } from '../../src/tokens/verified-token-cache';

interface Until extends CachedAnswer {
  until: number;
}

/** Issue 12: the one memory of verified tokens; lru-cache keeps no TTL in it, the answers' own ends decide. */
describe('VerifiedTokenCache (src/tokens/verified-token-cache.ts)', () => {
  const clock = { ms: 1_000_000 };
  const now = () => clock.ms;
  beforeEach(() => (clock.ms = 1_000_000));

  it('entries whose answers have all ended are swept out of memory (within 10 s, by the next lookup)', () => {
    const cache = new VerifiedTokenCache(1024 * 1024, now);
    const slot = cache.newSlot<Until>((answer, nowMs) => answer.until <= nowMs);
    for (let i = 0; i < 10; i++) cache.set(tokenDigest(`t${i}`), { slot, until: clock.ms + (i < 5 ? 1000 : 60_000) } as Until, 100);
    expect(cache.size).to.equal(10);
    clock.ms += 1000;
    cache.purgeIfDue();
    expect(cache.size, 'not due yet').to.equal(10);
    clock.ms += 10_000;
    cache.purgeIfDue();
    expect(cache.size, 'the ended ones are gone').to.equal(5);
    expect(cache.bytes).to.equal(500);
    expect(cache.get(tokenDigest('t7'), slot)).to.not.equal(undefined);
  });

  it('an entry stays while another user still has a live answer about the token', () => {
    const cache = new VerifiedTokenCache(1024 * 1024, now);
    const short = cache.newSlot<Until>((answer, nowMs) => answer.until <= nowMs);
    const long = cache.newSlot<Until>((answer, nowMs) => answer.until <= nowMs);
    const digest = tokenDigest('shared');
    cache.set(digest, { slot: short, until: clock.ms + 1000 } as Until, 100);
    cache.set(digest, { slot: long, until: clock.ms + 60_000 } as Until, 100);
    clock.ms += 20_000;
    cache.purgeIfDue();
    expect(cache.size).to.equal(1);
    expect(cache.get(digest, long)).to.not.equal(undefined);
    clock.ms += 60_000;
    cache.purgeIfDue();
    expect(cache.size).to.equal(0);
  });

  it('an answer that has ended already is not kept', () => {
    const cache = new VerifiedTokenCache(1024 * 1024, now);
    const slot = cache.newSlot<Until>((answer, nowMs) => answer.until <= nowMs);
    cache.set(tokenDigest('late'), { slot, until: clock.ms } as Until, 100);
    expect(cache.size).to.equal(0);
  });
});
