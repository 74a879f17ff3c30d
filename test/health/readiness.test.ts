import { expect } from 'chai';
import { Readiness, type ReadinessCheck } from '../../src/health/readiness';
import { readinessChecks } from '../../src/health/readiness-checks';
import { createLogger } from '../../src/logging/logger';
import { startTestServer } from '../helpers/test-portcullis';

/** A check whose outcome the test sets, counting its runs. */
function switchable(name: string) {
  const state = { healthy: true, hang: false, runs: 0 };
  const check: ReadinessCheck = {
    name,
    run: () => {
      state.runs++;
      if (state.hang) return new Promise(() => undefined);
      if (!state.healthy) throw new Error('connect ECONNREFUSED 10.0.0.7:6379');
    },
  };
  return { state, check };
}

describe('readiness (src/health/readiness.ts)', () => {
  const clock = { ms: 1_000_000 };
  const now = () => clock.ms;

  it('is ready when every check passes, and names each check', async () => {
    const store = switchable('store');
    const keys = switchable('signingKeys');
    const readiness = new Readiness([store.check, keys.check], { cacheMs: 250, timeoutMs: 500, now });
    expect(await readiness.report()).to.deep.equal({ ready: true, checks: { store: 'ok', signingKeys: 'ok' } });
  });

  it('reuses an answer for cacheMs on the injected clock, then checks again', async () => {
    const store = switchable('store');
    const readiness = new Readiness([store.check], { cacheMs: 250, timeoutMs: 500, now });
    await readiness.report();
    store.state.healthy = false;
    clock.ms += 249;
    expect((await readiness.report()).ready, 'still the cached answer').to.equal(true);
    expect(store.state.runs).to.equal(1);
    clock.ms += 1;
    expect(await readiness.report()).to.deep.equal({ ready: false, checks: { store: 'failed' } });
    expect(store.state.runs).to.equal(2);
    store.state.healthy = true;
    clock.ms += 250;
    expect((await readiness.report()).ready, 'ready again once the store is back').to.equal(true);
  });

  it('a clock stepped back does not extend a cached answer', async () => {
    const store = switchable('store');
    const readiness = new Readiness([store.check], { cacheMs: 250, timeoutMs: 500, now });
    await readiness.report();
    store.state.healthy = false;
    clock.ms -= 10_000;
    expect((await readiness.report()).ready).to.equal(false);
  });

  it('cacheMs 0 checks on every probe', async () => {
    const store = switchable('store');
    const readiness = new Readiness([store.check], { cacheMs: 0, timeoutMs: 500, now });
    await readiness.report();
    await readiness.report();
    expect(store.state.runs).to.equal(2);
  });

  it('concurrent probes share one run of the checks', async () => {
    const store = switchable('store');
    const readiness = new Readiness([store.check], { cacheMs: 0, timeoutMs: 500, now });
    const answers = await Promise.all([readiness.report(), readiness.report(), readiness.report()]);
    expect(answers.map((a) => a.ready)).to.deep.equal([true, true, true]);
    expect(store.state.runs).to.equal(1);
  });

  it('a check that never answers is timed_out, not a hung probe', async () => {
    const store = switchable('store');
    const keys = switchable('signingKeys');
    store.state.hang = true;
    const readiness = new Readiness([store.check, keys.check], { cacheMs: 0, timeoutMs: 20, now });
    expect(await readiness.report()).to.deep.equal({ ready: false, checks: { store: 'timed_out', signingKeys: 'ok' } });
  });

  it('logs a change of the answer once, with the cause in the log only', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', (line) => lines.push(JSON.parse(line)));
    const store = switchable('store');
    const readiness = new Readiness([store.check], { cacheMs: 0, timeoutMs: 500, now, logger });
    await readiness.report();
    store.state.healthy = false;
    await readiness.report();
    await readiness.report();
    store.state.healthy = true;
    await readiness.report();
    expect(lines.map((l) => l.message)).to.deep.equal(['not ready', 'ready']);
    expect(lines[0]).to.deep.include({ level: 'warn', checks: { store: 'failed' }, causes: { store: 'connect ECONNREFUSED 10.0.0.7:6379' } });
  });

  it("the runtime's checks: store ping and signing keys, failing when the store is closed", async () => {
    const server = await startTestServer();
    try {
      const { portcullis } = server;
      expect(readinessChecks({ store: portcullis.store, keys: portcullis.keys }).map((c) => c.name)).to.deep.equal(['store', 'signingKeys']);
      expect(await portcullis.readiness.report()).to.deep.equal({ ready: true, checks: { store: 'ok', signingKeys: 'ok' } });
      await portcullis.store.close();
      server.now.ms += portcullis.settings.health.cacheMs;
      expect(await portcullis.readiness.report()).to.deep.equal({ ready: false, checks: { store: 'failed', signingKeys: 'ok' } });
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
