import { expect } from 'chai';
import express, { type Application } from 'express';
import request from 'supertest';
import { manifest } from '../../src/plugin/manifest';
import { closeRuntime, whenReady } from '../../src/plugin/runtime-holder';
import { ISSUER, TEST_APPLICATIONS } from '../helpers/test-portcullis';

/** What Express Gateway does with a plugin: call init(context), then apply the registrations. */
function loadPlugin(settings: Record<string, unknown>) {
  const policies: Array<{ name: string }> = [];
  const routes: Array<(app: Application) => void> = [];
  manifest.init({
    settings,
    registerPolicy: (p) => policies.push(p as { name: string }),
    registerGatewayRoute: (r) => routes.push(r),
  });
  return { policies, routes };
}

describe('plugin manifest', () => {
  const settings = { issuer: ISSUER, store: { sqlitePath: ':memory:' }, applications: TEST_APPLICATIONS };
  afterEach(() => closeRuntime());

  it('registers the portcullis-guard policy and the issuer routes', async () => {
    const { policies, routes } = loadPlugin(settings);
    expect(policies.map((p) => p.name)).to.deep.equal(['portcullis-guard']);
    const app = express();
    routes.forEach((r) => r(app));
    const res = await request(app).get('/.well-known/openid-configuration');
    expect(res.status).to.equal(200);
    expect(res.body.issuer).to.equal(ISSUER);
  });

  it('is safe to init twice (config reload): one runtime, routes mounted once', async () => {
    const first = loadPlugin(settings);
    const app = express();
    first.routes.forEach((r) => r(app));
    const layers = app._router.stack.length;
    const runtime = await whenReady();

    const second = loadPlugin(structuredClone(settings));
    second.routes.forEach((r) => r(app));
    expect(app._router.stack.length).to.equal(layers);
    expect(await whenReady()).to.equal(runtime);
    expect((await request(app).get('/.well-known/jwks.json')).status).to.equal(200);
  });

  it('opens a new runtime when the settings change on reload, and serves the new issuer', async () => {
    const app = express();
    loadPlugin(settings).routes.forEach((r) => r(app));
    const before = await whenReady();
    loadPlugin({ ...settings, issuer: 'http://other.test' }).routes.forEach((r) => r(app));
    const after = await whenReady();
    expect(after).to.not.equal(before);
    expect((await request(app).get('/.well-known/openid-configuration')).body.issuer).to.equal('http://other.test');
  });

  it('answers /healthz and /readyz before every other route, also while a refused gateway configuration makes everything else 503', async () => {
    const app = express();
    loadPlugin(settings).routes.forEach((r) => r(app));
    await whenReady();
    expect((await request(app).get('/readyz')).body).to.deep.equal({ status: 'ok', checks: { store: 'ok', signingKeys: 'ok' } });
    // A hot reload brings a pipeline that proxies without a guard: the plugin refuses it.
    const unsafe = { apiEndpoints: { open: { paths: '/open' } }, serviceEndpoints: { up: { url: 'http://127.0.0.1:1' } }, pipelines: { open: { apiEndpoints: ['open'], policies: [{ proxy: [{ action: { serviceEndpoint: 'up' } }] }] } } };
    manifest.init({ settings, registerPolicy: () => undefined, registerGatewayRoute: (r) => r(app), config: { gatewayConfig: unsafe } });
    expect((await request(app).get('/.well-known/jwks.json')).status).to.equal(503);
    const readyz = await request(app).get('/readyz');
    expect(readyz.status).to.equal(503);
    expect(readyz.body).to.deep.equal({ status: 'unavailable', checks: { gatewayConfig: 'failed' } });
    expect((await request(app).get('/healthz')).status).to.equal(200);
  });

  it('the request context comes first and follows the newest settings on reload (trustedProxies)', async () => {
    const app = express();
    loadPlugin(settings).routes.forEach((r) => r(app));
    const untrusted = await request(app).get('/.well-known/jwks.json').set('X-Request-Id', 'edge-1');
    expect(untrusted.headers['x-request-id'], 'no trusted proxy yet: replaced').to.match(/^[0-9a-f-]{36}$/);
    loadPlugin({ ...settings, trustedProxies: ['127.0.0.1', '::1'] }).routes.forEach((r) => r(app));
    await whenReady();
    const trusted = await request(app).get('/.well-known/jwks.json').set('X-Request-Id', 'edge-1');
    expect(trusted.headers['x-request-id'], 'the peer is trusted after the reload: kept').to.equal('edge-1');
    const unrouted = await request(app).get('/nothing').set('X-Request-Id', 'edge-2');
    expect(unrouted.status).to.equal(404);
    expect(unrouted.body.request_id, 'the last-resort answer has the same id').to.equal('edge-2');
  });

  it('refuses invalid settings at init, naming the field', () => {
    expect(() => loadPlugin({ ...settings, cacheMs: 5000 })).to.throw(/cacheMs/);
  });
});
