import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { configWith } from '../helpers/config-copy';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { hasRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { eachStore } from '../helpers/each-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET (or another method) without keep-alive, so a gateway stopped by a test leaves no socket behind. */
async function probe(gw: GatewayProcess, path: string, method = 'GET') {
  const res = await fetch(gw.baseUrl + path, { method, headers: { connection: 'close' } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

/** Polls /readyz until it answers `status`; the test's own timeout bounds the wait. */
async function readyzUntil(gw: GatewayProcess, status: number) {
  for (;;) {
    const answer = await probe(gw, '/readyz');
    if (answer.status === status) return answer;
    await sleep(100);
  }
}

/** The sample config plus a guarded catch-all apiEndpoint: the probes must still answer without a token. */
const withCatchAll = (text: string) =>
  text
    .replace('apiEndpoints:\n', "apiEndpoints:\n  everything:\n    host: '*'\n    paths: ['/*']\n")
    .concat(
      '\n  everything:\n    apiEndpoints:\n      - everything\n    policies:\n      - portcullis-guard:\n          - action:\n              application: echo\n' +
        '      - proxy:\n          - action:\n              serviceEndpoint: echo\n              changeOrigin: true\n',
    );

eachStore('e2e: /healthz and /readyz on the gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;

  before(async () => {
    gw = await startGateway({ ...backend.env(), PORTCULLIS_CONFIG_DIR: configWith('gateway.config.yml', withCatchAll) });
  });
  after(() => gw?.stop());

  it('/healthz is 200 {"status":"ok"}, never cached', async () => {
    const answer = await probe(gw, '/healthz');
    expect(answer.status).to.equal(200);
    expect(answer.json).to.deep.equal({ status: 'ok' });
    expect(answer.headers.get('cache-control')).to.equal('no-store');
    expect(answer.headers.get('content-type')).to.equal('application/json; charset=utf-8');
  });

  it('/readyz is 200 with its checks while the store answers and the signing keys are loaded', async () => {
    const answer = await probe(gw, '/readyz');
    expect(answer.status).to.equal(200);
    expect(answer.json).to.deep.equal({ status: 'ok', checks: { store: 'ok', signingKeys: 'ok' } });
    expect(answer.headers.get('cache-control')).to.equal('no-store');
  });

  it('HEAD gets the same status and headers, without a body (RFC 9110 §9.3.2)', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const answer = await probe(gw, path, 'HEAD');
      expect(answer.status, path).to.equal(200);
      expect(answer.text, path).to.equal('');
      expect(answer.headers.get('cache-control'), path).to.equal('no-store');
      expect(Number(answer.headers.get('content-length')), path).to.be.above(0);
    }
  });

  it('another method is 405 with Allow: GET, HEAD and the JSON error (RFC 9110 §15.5.6)', async () => {
    for (const method of ['POST', 'DELETE']) {
      const answer = await probe(gw, '/readyz', method);
      expect(answer.status, method).to.equal(405);
      expect(answer.headers.get('allow')).to.equal('GET, HEAD');
      expect(answer.json).to.deep.include({ error: 'invalid_request', error_description: '/readyz accepts only GET and HEAD' });
    }
  });

  it('answers before any pipeline: a guarded catch-all apiEndpoint covers every other path, not the probes', async () => {
    expect((await probe(gw, '/anything-else')).status, 'the catch-all is live').to.equal(401);
    expect((await probe(gw, '/healthz?from=lb')).status).to.equal(200);
    expect((await probe(gw, '/readyz?verbose=1')).status).to.equal(200);
  });
});

// Redis by nature (it kills and pauses a redis-server of its own), so not under eachStore.
describe('e2e: /readyz in Redis mode follows a redis-server of its own', function () {
  this.timeout(90_000);
  let redis: RedisServer | undefined;
  let gw: GatewayProcess | undefined;

  before(async function () {
    if (!hasRedisServer()) this.skip();
    redis = await startRedisServer();
    gw = await startGateway({ PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: redis.url, PORTCULLIS_REDIS_PREFIX: `health-${randomBytes(4).toString('hex')}:` });
  });
  after(async () => {
    redis?.resume();
    await gw?.stop();
    await redis?.kill();
  });

  it('is 503 within a second of Redis being killed, /healthz stays 200, and /readyz is 200 again once Redis is back, without a restart', async () => {
    expect((await probe(gw!, '/readyz')).status).to.equal(200);
    await redis!.kill();
    // The bound under test: an answer at most health.cacheMs (250 ms) old, each check at most 500 ms.
    await sleep(1000);
    const down = await probe(gw!, '/readyz');
    expect(down.status).to.equal(503);
    expect(down.headers.get('retry-after')).to.equal('1');
    expect(down.headers.get('cache-control')).to.equal('no-store');
    expect(down.json.status).to.equal('unavailable');
    expect(down.json.checks.signingKeys).to.equal('ok');
    expect(down.json.checks.store).to.be.oneOf(['failed', 'timed_out']);
    expect(down.text, 'no internal detail').to.not.match(/ECONNREFUSED|127\.0\.0\.1|redis:/i);
    expect((await probe(gw!, '/healthz')).status, 'liveness does not depend on the store').to.equal(200);

    await redis!.restart();
    const back = await readyzUntil(gw!, 200);
    expect(back.json).to.deep.equal({ status: 'ok', checks: { store: 'ok', signingKeys: 'ok' } });
    expect(gw!.output().match(/Portcullis issuer .* ready/g), 'the same process').to.have.length(1);
  });

  it('is 503 (timed_out) within a second of Redis hanging with its connections open, and 200 once it answers again', async () => {
    await readyzUntil(gw!, 200);
    redis!.pause();
    await sleep(1000);
    const hung = await probe(gw!, '/readyz');
    expect(hung.status).to.equal(503);
    // The store check times out. (The signing keys are not asserted here: the previous test restarted
    // a Redis that keeps nothing, so the key set this instance re-reads after the outage is gone.)
    expect(hung.json.checks.store).to.equal('timed_out');
    redis!.resume();
    expect((await readyzUntil(gw!, 200)).json.status).to.equal('ok');
  });
});
