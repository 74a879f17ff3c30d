import { expect } from 'chai';
import http from 'node:http';
import request from 'supertest';
import type { ReadinessReport } from '../../src/health/readiness';
import { answerHealthProbe } from '../../src/health/health-endpoints';

/** A bare server with the probes; other paths get 418, so "not a probe" is visible. */
function serverWith(readiness: () => Promise<ReadinessReport>) {
  return http.createServer((req, res) => {
    if (!answerHealthProbe(req, res, readiness, { kind: 'endpoint', realm: 'test' })) res.writeHead(418).end();
  });
}

describe('health endpoints (src/health/health-endpoints.ts)', () => {
  it('answers only the two exact probe paths', async () => {
    const server = serverWith(async () => ({ ready: true, checks: { store: 'ok' } }));
    expect((await request(server).get('/healthz')).status).to.equal(200);
    expect((await request(server).get('/readyz')).status).to.equal(200);
    for (const path of ['/healthz/', '/readyz/x', '/health', '/ready', '/HEALTHZ']) expect((await request(server).get(path)).status, path).to.equal(418);
  });

  it('not ready is 503 with Retry-After and the checks, never cached', async () => {
    const server = serverWith(async () => ({ ready: false, checks: { store: 'timed_out', signingKeys: 'ok' } }));
    const res = await request(server).get('/readyz');
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.equal('1');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body).to.deep.equal({ status: 'unavailable', checks: { store: 'timed_out', signingKeys: 'ok' } });
  });

  it('readiness that itself fails is 503, with no detail', async () => {
    const server = serverWith(() => Promise.reject(new Error('secret internals')));
    const res = await request(server).get('/readyz');
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 'unavailable', checks: { readiness: 'failed' } });
    expect(res.text).to.not.contain('secret');
  });

  it('HEAD of a 503 has the headers and no body', async () => {
    const server = serverWith(async () => ({ ready: false, checks: { store: 'failed' } }));
    const res = await request(server).head('/readyz');
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.equal('1');
    expect(res.text ?? '').to.equal('');
  });

  it('a POST is 405 with Allow and the JSON error, and readiness is not asked', async () => {
    let asked = 0;
    const server = serverWith(async () => (asked++, { ready: true, checks: {} }));
    const res = await request(server).post('/readyz').send('x=1');
    expect(res.status).to.equal(405);
    expect(res.headers.allow).to.equal('GET, HEAD');
    expect(res.body).to.deep.include({ error: 'invalid_request', error_description: '/readyz accepts only GET and HEAD' });
    expect(asked).to.equal(0);
  });
});
