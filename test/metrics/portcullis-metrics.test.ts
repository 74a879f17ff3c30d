import { expect } from 'chai';
import { register } from 'prom-client';
import { PortcullisMetrics, processMetrics } from '../../src/metrics/portcullis-metrics';
import { parseExposition, valueOf } from '../helpers/prometheus-text';
import { startTestServer } from '../helpers/test-portcullis';

const scrape = async (metrics: PortcullisMetrics) => parseExposition((await metrics.scrape()).body);

describe('Portcullis metrics', () => {
  it('live on a registry of their own, one per process; another set never collides with it', async () => {
    expect(processMetrics()).to.equal(processMetrics());
    expect(() => new PortcullisMetrics()).not.to.throw();
    expect(register.getSingleMetric('portcullis_guard_decisions_total'), "prom-client's global registry").to.equal(undefined);
    expect(processMetrics().registry.getSingleMetric('portcullis_guard_decisions_total')).to.not.equal(undefined);
  });

  it('declare the rate-limit and push-channel metrics with a typed API', async () => {
    const metrics = new PortcullisMetrics();
    expect(valueOf(await scrape(metrics), 'portcullis_invalidation_push_up')).to.equal(0);
    metrics.countRateLimited('token', 'client');
    metrics.countRateLimited('token', 'client');
    metrics.countRateLimited('introspection', 'address');
    metrics.setInvalidationPushUp(true);
    const exposition = await scrape(metrics);
    expect(valueOf(exposition, 'portcullis_rate_limited_total', { endpoint: 'token', by: 'client' })).to.equal(2);
    expect(valueOf(exposition, 'portcullis_rate_limited_total', { endpoint: 'introspection', by: 'address' })).to.equal(1);
    expect(valueOf(exposition, 'portcullis_invalidation_push_up')).to.equal(1);
  });

  it('tallied counters are published as they are at each scrape, never counted twice', async () => {
    const metrics = new PortcullisMetrics();
    const hits = metrics.tokenCacheHits.tally();
    hits.inc();
    hits.inc();
    expect(valueOf(await scrape(metrics), 'portcullis_token_cache_hits_total')).to.equal(2);
    hits.inc();
    expect(valueOf(await scrape(metrics), 'portcullis_token_cache_hits_total')).to.equal(3);
    expect(metrics.tokenCacheHits.tally()).to.equal(hits);
  });

  it('the signing key age is measured on the runtime clock and restarts at a rotation', async () => {
    const server = await startTestServer();
    try {
      const age = async () => valueOf(await scrape(server.portcullis.metrics), 'portcullis_signing_key_age_seconds');
      expect(await age()).to.be.within(0, 5);
      server.now.ms += 86_400_000;
      expect(await age()).to.be.within(86_400, 86_405);
      await server.portcullis.keys.rotate();
      expect(await age()).to.be.within(0, 5);
    } finally {
      await server.close();
    }
    // A closed runtime no longer feeds the gauge: no stale value is exported.
    expect((await scrape(processMetrics())).samples.some((s) => s.name === 'portcullis_signing_key_age_seconds')).to.equal(false);
  });
});
