import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { REFUSAL_REASONS } from '../../src/guard/refusal-reason';
import { formFields, query } from '../helpers/browser-flow';
import { freePort, startExpectingFailure, startGateway, gatewayEnv, type GatewayProcess } from '../helpers/gateway-process';
import { familyOf, parseExposition, valueOf, type Exposition } from '../helpers/prometheus-text';
import { hasRedisServer, startRedisServer } from '../helpers/redis-server';
import { eachStore, enabledStores } from '../helpers/each-store';

const OPS_GUIDE = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'ops-guide.md'), 'utf8');

/** The rows of the ops guide's metrics table (first header cell `Metric`): name, type, labels. */
function documentedMetrics(): Array<{ name: string; type: string; labels: string[] }> {
  const lines = OPS_GUIDE.split('\n');
  const start = lines.findIndex((l) => /^\| Metric \| Type \| Labels \| Meaning \|$/.test(l));
  expect(start, 'the ops guide has a "| Metric | Type | Labels | Meaning |" table').to.be.greaterThan(0);
  const rows = [];
  for (let i = start + 2; lines[i]?.startsWith('|'); i++) {
    const [name, type, labels] = lines[i].split('|').slice(1, 4).map((c) => c.trim());
    rows.push({ name: name.replace(/`/g, ''), type, labels: labels === 'none' ? [] : [...labels.matchAll(/`([^`]+)`/g)].map((m) => m[1]) });
  }
  return rows;
}

/** The reason codes the ops guide's "Guard reason codes" table lists. */
function documentedReasons(): string[] {
  const lines = OPS_GUIDE.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| Reason | Answer | When |'));
  expect(start, 'the ops guide has a reason code table').to.be.greaterThan(0);
  const codes = [];
  for (let i = start + 2; lines[i]?.startsWith('|'); i++) codes.push(/`([^`]+)`/.exec(lines[i])![1]);
  return codes;
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

/** Connects to host:port; resolves true if something accepts, false if refused. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The metrics of a real gateway process, scraped from their own listener: the values move with the
 * traffic, every name the ops guide lists is exported (and nothing else named portcullis_), the
 * listener answers only /metrics, binds loopback by default, and is absent when turned off.
 */
// The tests marked `enabledStores()[0]` run once: they start gateways of their own (on a Redis of
// their own, with metrics off, on a taken port) whose store is not the loop's.
eachStore('e2e: Prometheus metrics on their own listener', function (backend) {
  this.timeout(90_000);
  let gw: GatewayProcess;
  let metricsUrl: string;

  const scrape = async (): Promise<Exposition> => {
    const res = await fetch(metricsUrl);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    return parseExposition(await res.text());
  };

  before(async () => {
    gw = await startGateway(backend.env());
    metricsUrl = `http://127.0.0.1:${gw.env.PORTCULLIS_METRICS_PORT}/metrics`;
  });
  after(async () => {
    await gw?.stop();
  });

  async function client(role = 'echo-reader'): Promise<{ client_id: string; client_secret: string }> {
    const created = await gw.cli(['clients', 'create', '--name', `metrics ${role}`, '--application', 'echo', '--role', role, '--json']);
    expect(created.code, created.stderr).to.equal(0);
    return JSON.parse(created.stdout);
  }

  const token = (authorization: string, body = 'grant_type=client_credentials') =>
    fetch(`${gw.baseUrl}/oauth2/token`, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  const guarded = (method: string, p: string, authorization?: string) => fetch(`${gw.baseUrl}${p}`, { method, headers: authorization ? { Authorization: authorization } : {} });

  it('counts token requests, guard decisions with their reason codes, token cache hits and misses, sign-ins, client authentications and store operations', async () => {
    const app = await client();
    const before = await scrape();

    const issued = await token(basic(app.client_id, app.client_secret));
    expect(issued.status).to.equal(200);
    const accessToken = (await issued.json()).access_token as string;
    expect((await token(basic(app.client_id, 'wrong secret'))).status).to.equal(401);
    expect((await token(basic(app.client_id, app.client_secret), 'grant_type=urn:example:made-up')).status).to.equal(400);

    const bearer = `Bearer ${accessToken}`;
    expect((await guarded('GET', '/echo/a', bearer)).status).to.equal(200);
    expect((await guarded('GET', '/echo/b', bearer)).status).to.equal(200);
    expect((await guarded('GET', '/echo/c')).status).to.equal(401);
    expect((await guarded('POST', '/echo/d', bearer)).status).to.equal(403);
    expect((await guarded('GET', '/echo/e', 'Bearer')).status).to.equal(400);
    // One changed character of the signature: still canonical base64url, no longer the issuer's signature.
    const [h, p, s] = accessToken.split('.');
    const forged = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    expect((await guarded('GET', '/echo/f', `Bearer ${forged}`)).status).to.equal(401);

    const browser = request.agent(gw.baseUrl);
    const form = await browser.get('/login');
    expect(form.status).to.equal(200);
    const signIn = await browser.post('/login').type('form').send(query({ ...formFields(form.text), username: 'nobody-here', password: 'not the password' }));
    expect(signIn.status).to.equal(401);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('portcullis_token_requests_total', { grant: 'client_credentials', result: 'issued' }), 'issued').to.equal(1);
    expect(delta('portcullis_token_requests_total', { grant: 'client_credentials', result: 'invalid_client' }), 'invalid_client').to.equal(1);
    expect(delta('portcullis_token_requests_total', { grant: 'unsupported', result: 'unsupported_grant_type' }), 'made-up grant').to.equal(1);
    expect(delta('portcullis_token_request_duration_seconds_count', { grant: 'client_credentials' })).to.equal(2);
    expect(after.samples.some((x) => x.name === 'portcullis_token_requests_total' && x.labels.grant === 'urn:example:made-up'), 'an unknown grant type is not a label value').to.equal(false);

    const decisions = (result: string, reason: string) => delta('portcullis_guard_decisions_total', { application: 'echo', result, reason });
    expect(decisions('allowed', 'none'), 'allowed').to.equal(2);
    expect(decisions('refused', 'missing_token'), 'missing_token').to.equal(1);
    expect(decisions('refused', 'insufficient_scope'), 'insufficient_scope').to.equal(1);
    expect(decisions('refused', 'invalid_request'), 'invalid_request').to.equal(1);
    expect(decisions('refused', 'bad_signature'), 'bad_signature').to.equal(1);
    expect(delta('portcullis_guard_decisions_total', { application: 'echo' }), 'one decision per guarded request').to.equal(6);
    expect(delta('portcullis_guard_duration_seconds_count', { application: 'echo', result: 'allowed' })).to.equal(2);
    expect(delta('portcullis_guard_duration_seconds_count', { application: 'echo', result: 'refused' })).to.equal(4);
    // Every reason code of every application is a series from the start (at 0 if unused).
    const reasons = new Set(after.samples.filter((x) => x.name === 'portcullis_guard_decisions_total' && x.labels.application === 'reports').map((x) => x.labels.reason));
    expect([...reasons].sort()).to.deep.equal(['none', ...REFUSAL_REASONS].sort());

    // The first guarded call verified the token (a miss); the second (and the POST) found it in the cache.
    expect(delta('portcullis_token_cache_misses_total'), 'misses: the new token and the forged one').to.equal(2);
    expect(delta('portcullis_token_cache_hits_total'), 'hits: the second GET and the POST').to.equal(2);

    expect(delta('portcullis_sign_ins_total', { result: 'failure' })).to.equal(1);
    expect(delta('portcullis_sign_ins_total', { result: 'success' })).to.equal(0);
    expect(delta('portcullis_client_authentications_total', { result: 'success' })).to.equal(2);
    expect(delta('portcullis_client_authentications_total', { result: 'failure' })).to.equal(1);

    expect(delta('portcullis_store_operation_duration_seconds_count', { operation: 'get' })).to.be.greaterThan(0);
    expect(valueOf(after, 'portcullis_store_errors_total')).to.equal(0);
    const keyAge = after.samples.find((x) => x.name === 'portcullis_signing_key_age_seconds');
    expect(keyAge?.value).to.be.a('number').within(0, 3600);
    // A SQLite file is watched (PRAGMA data_version): answers are kept until it changes.
    expect(valueOf(after, 'portcullis_invalidation_push_up')).to.equal(1);
    expect(valueOf(after, 'portcullis_build_info', { version: JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version })).to.equal(1);
    expect(valueOf(after, 'process_cpu_seconds_total')).to.be.greaterThan(0);
    expect(valueOf(after, 'nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });

  it('exports every metric the ops guide lists, with its type and labels, and no undocumented portcullis_ metric', async () => {
    const exposition = await scrape();
    const documented = documentedMetrics();
    expect(documented.length).to.be.greaterThan(10);
    for (const { name, type, labels } of documented) {
      expect(exposition.types.get(name), `${name} is exported`).to.equal(type);
      expect(exposition.help.get(name), `${name} has HELP text`).to.match(/\w/);
      for (const sample of exposition.samples.filter((x) => familyOf(exposition, x.name) === name)) {
        expect(Object.keys(sample.labels).filter((l) => l !== 'le').sort(), `labels of ${sample.name}`).to.deep.equal([...labels].sort());
      }
    }
    const exported = [...exposition.types.keys()].filter((n) => n.startsWith('portcullis_'));
    expect(exported.filter((n) => !documented.some((d) => d.name === n)), 'undocumented metrics').to.deep.equal([]);
    expect(documentedReasons(), 'the reason code table lists REFUSAL_REASONS').to.deep.equal([...REFUSAL_REASONS]);
    // The Node process metrics the guide names (prom-client's default set) are exported too.
    const paragraph = OPS_GUIDE.slice(OPS_GUIDE.indexOf("Node's process metrics"), OPS_GUIDE.indexOf('### Guard reason codes'));
    const processNames = [...paragraph.matchAll(/`((?:process|nodejs)_[a-z_]+)`/g)].map((m) => m[1]);
    expect(processNames).to.include.members(['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']);
    for (const name of processNames) expect(exposition.types.has(name), name).to.equal(true);
  });

  it('serves /metrics only, and only there: other paths 404, POST 405, nothing at the gateway port', async () => {
    const base = metricsUrl.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).to.equal(404);
    expect((await fetch(`${base}/metrics/extra`)).status).to.equal(404);
    expect((await fetch(`${base}/echo/a`)).status).to.equal(404);
    const post = await fetch(metricsUrl, { method: 'POST' });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
    const head = await fetch(metricsUrl, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect((await fetch(`${metricsUrl}?name[]=x`)).status).to.equal(200);
    const onGateway = await fetch(`${gw.baseUrl}/metrics`);
    expect(onGateway.status).to.equal(404);
    expect(await onGateway.text()).not.to.contain('portcullis_');
  });

  it('binds 127.0.0.1 by default: the metrics port is not reachable on the machine\'s other addresses', async function () {
    const port = Number(gw.env.PORTCULLIS_METRICS_PORT);
    expect(gw.output()).to.contain(`Prometheus metrics at http://127.0.0.1:${port}/metrics\n`);
    expect(await accepts('127.0.0.1', port)).to.equal(true);
    const others = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    if (others.length === 0) this.skip();
    for (const address of others) expect(await accepts(address, port), address).to.equal(false);
  });

  if (backend.label === enabledStores()[0]) it('Redis mode: a store outage shows as store errors, 503 token requests and guard refusals with reason unavailable', async function () {
    if (!hasRedisServer()) this.skip();
    const redis = await startRedisServer();
    const inRedis = await startGateway({ PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: redis.url, PORTCULLIS_REDIS_PREFIX: `metrics-${process.pid}:` });
    try {
      const url = `http://127.0.0.1:${inRedis.env.PORTCULLIS_METRICS_PORT}/metrics`;
      const read = async () => parseExposition(await (await fetch(url)).text());
      const created = await inRedis.cli(['clients', 'create', '--name', 'metrics redis', '--application', 'echo', '--role', 'echo-reader', '--json']);
      expect(created.code, created.stderr).to.equal(0);
      const app = JSON.parse(created.stdout);
      const post = () => fetch(`${inRedis.baseUrl}/oauth2/token`, { method: 'POST', headers: { Authorization: basic(app.client_id, app.client_secret), 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      const issued = await post();
      expect(issued.status).to.equal(200);
      const accessToken = (await issued.json()).access_token;
      const before = await read();
      expect(valueOf(before, 'portcullis_store_operation_duration_seconds_count', { operation: 'get' }), 'Redis reads are timed').to.be.greaterThan(0);
      expect(valueOf(before, 'portcullis_store_errors_total')).to.equal(0);

      await redis.kill();
      // The token was never presented: its client and revocation state must be read, and cannot be.
      expect((await fetch(`${inRedis.baseUrl}/echo/a`, { headers: { Authorization: `Bearer ${accessToken}` } })).status).to.equal(503);
      expect((await post()).status).to.equal(503);

      const after = await read();
      expect(valueOf(after, 'portcullis_store_errors_total')).to.be.greaterThan(0);
      expect(valueOf(after, 'portcullis_guard_decisions_total', { application: 'echo', result: 'refused', reason: 'unavailable' })).to.equal(1);
      expect(valueOf(after, 'portcullis_token_requests_total', { grant: 'client_credentials', result: 'temporarily_unavailable' })).to.equal(1);
    } finally {
      await inRedis.stop();
      await redis.kill();
    }
  });

  if (backend.label === enabledStores()[0]) it('opens no listener when metrics.enabled is false, and the gateway still serves', async () => {
    const off = await startGateway({ ...backend.env(), PORTCULLIS_METRICS_ENABLED: 'false' });
    try {
      expect((await fetch(`${off.baseUrl}/.well-known/openid-configuration`)).status).to.equal(200);
      expect(await accepts('127.0.0.1', Number(off.env.PORTCULLIS_METRICS_PORT))).to.equal(false);
      expect(off.output()).not.to.contain('Prometheus metrics at');
    } finally {
      await off.stop();
    }
  });

  if (backend.label === enabledStores()[0]) it('stops start-up, naming the address, when the metrics port is taken', async () => {
    const port = await freePort();
    const squatter = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const { code, output } = await startExpectingFailure(await gatewayEnv({ ...backend.env(), PORTCULLIS_METRICS_PORT: String(port) }));
      expect(code).to.not.equal(0);
      expect(output).to.contain(`the metrics listener could not listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      squatter.close();
    }
  });
});
