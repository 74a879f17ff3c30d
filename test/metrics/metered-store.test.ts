import { expect } from 'chai';
import { meteredStore } from '../../src/metrics/metered-store';
import { PortcullisMetrics } from '../../src/metrics/portcullis-metrics';
import { failClosed } from '../../src/store/fail-closed';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { parseExposition, valueOf } from '../helpers/prometheus-text';

describe('metered store', () => {
  it('times every operation by name and counts the failures of the backend, not the caller\'s mistakes', async () => {
    const metrics = new PortcullisMetrics();
    const raw = new SqliteStore({ path: ':memory:' });
    const store = meteredStore(failClosed(raw), metrics);
    await store.put('things', 'a', { n: 1 });
    expect((await store.get<{ n: number }>('things', 'a'))?.value).to.deep.equal({ n: 1 });
    await store.get('things', 'b');
    await store.list('things');

    // A caller's mistake (TypeError) passes through the fail-closed wrapper and is not a store error.
    const typeErrorStore = meteredStore({ ...failClosed(raw), get: async () => { throw new TypeError('bad argument'); } } as Store, metrics);
    await typeErrorStore.get('things', 'a').then(() => expect.fail('should throw'), (e) => expect(e).to.be.instanceOf(TypeError));

    await raw.close();
    await store.get('things', 'a').then(() => expect.fail('should throw'), (e) => expect(e.name).to.equal('StoreUnavailableError'));
    await store.put('things', 'a', {}).catch(() => undefined);

    const exposition = parseExposition((await metrics.scrape()).body);
    expect(valueOf(exposition, 'portcullis_store_operation_duration_seconds_count', { operation: 'get' })).to.equal(4);
    expect(valueOf(exposition, 'portcullis_store_operation_duration_seconds_count', { operation: 'put' })).to.equal(2);
    expect(valueOf(exposition, 'portcullis_store_operation_duration_seconds_count', { operation: 'list' })).to.equal(1);
    expect(valueOf(exposition, 'portcullis_store_errors_total', { operation: 'get' })).to.equal(1);
    expect(valueOf(exposition, 'portcullis_store_errors_total', { operation: 'put' })).to.equal(1);
    expect(valueOf(exposition, 'portcullis_store_errors_total')).to.equal(2);
  });
});
