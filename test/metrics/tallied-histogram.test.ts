import { expect } from 'chai';
import { Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from '../../src/metrics/tallied-histogram';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('TalliedHistogram: tallied on the hot path, the same exposition as a prom-client histogram', () => {
  it('buckets, _sum, _count and labels match a Histogram that observed the same values; unobserved series stay out', async () => {
    const plainRegistry = new Registry();
    const talliedRegistry = new Registry();
    const config = { name: 'h_seconds', help: 'h', labelNames: ['application', 'result'] as const, buckets: BUCKETS };
    const plain = new Histogram({ ...config, registers: [plainRegistry] });
    const tallied = new TalliedHistogram({ ...config, registers: [talliedRegistry] });
    const values = [0.0005, 0.001, 0.002, 0.05, 0.5, 1, 3, 0];
    const allowed = tallied.tally({ application: 'echo', result: 'allowed' });
    tallied.tally({ application: 'echo', result: 'refused' }); // asked for, never observed
    for (const v of values) {
      plain.labels('echo', 'allowed').observe(v);
      allowed.observe(v);
    }
    expect(await talliedRegistry.metrics()).to.equal(await plainRegistry.metrics());
    // Scraped again after more observations: counted once each, not added up twice.
    plain.labels('echo', 'refused').observe(0.02);
    tallied.tally({ application: 'echo', result: 'refused' }).observe(0.02);
    await talliedRegistry.metrics();
    expect(await talliedRegistry.metrics()).to.equal(await plainRegistry.metrics());
  });

  it('refuses a value that is not a number, as prom-client does', () => {
    const tallied = new TalliedHistogram({ name: 'x_seconds', help: 'x', labelNames: ['a'] as const, buckets: BUCKETS, registers: [] });
    expect(() => tallied.tally({ a: '1' }).observe(Number.NaN)).to.throw(TypeError);
  });
});
