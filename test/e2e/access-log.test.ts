import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessLogLine } from '../../src/http/access-log';
import { configWith } from '../helpers/config-copy';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { eachStore } from '../helpers/each-store';

/** The access log lines (JSON objects with a request_id and a decision) a gateway printed so far. */
function accessLines(gw: GatewayProcess): AccessLogLine[] {
  return gw
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"decision"'))
    .map((line) => JSON.parse(line) as AccessLogLine);
}

/** Resolves with the line of request `id` once the gateway printed it (lines follow the response). */
async function lineFor(gw: GatewayProcess, id: string): Promise<AccessLogLine> {
  for (let i = 0; i < 400; i++) {
    const found = accessLines(gw).filter((l) => l.request_id === id);
    if (found.length) {
      expect(found, `one line for ${id}`).to.have.length(1);
      return found[0];
    }
    // Polling another process's output: real time is all there is.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no access log line for ${id} in:\n${gw.output()}`);
}

async function newClient(gw: GatewayProcess) {
  const created = await gw.cli(['clients', 'create', '--name', 'logged', '--application', 'echo', '--role', 'echo-reader', '--json']);
  expect(created.code, created.stderr).to.equal(0);
  return JSON.parse(created.stdout) as { client_id: string; client_secret: string };
}

function tokenRequest(gw: GatewayProcess, id: string, secret: string, extra = '') {
  return fetch(`${gw.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { Authorization: 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials${extra}`,
  });
}

/**
 * Issue 10 part 3 through the real product: `portcullis start` with `accessLog.enabled` and
 * `trustedProxies` in system.config.yml, the echo pipeline pointed at a recording upstream.
 */
eachStore('e2e: the access log of the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let upstream: http.Server;
  const upstreamIds: string[] = [];

  before(async () => {
    upstream = http.createServer((req, res) => {
      upstreamIds.push(String(req.headers['x-request-id']));
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"upstream":"recorder"}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const dir = configWith('system.config.yml', (t) => t.replace('    cacheMs: 500\n', '    cacheMs: 500\n    accessLog:\n      enabled: true\n    trustedProxies: ["127.0.0.1", "::1"]\n'));
    gw = await startGateway({ ...backend.env(), PORTCULLIS_CONFIG_DIR: dir, PORTCULLIS_ECHO_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  after(async () => {
    await gw?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('a token request, an allowed call and a refused call each write one line; nothing secret in any', async () => {
    const client = await newClient(gw);
    const tokenRes = await tokenRequest(gw, client.client_id, client.client_secret);
    expect(tokenRes.status).to.equal(200);
    const token = (await tokenRes.json()).access_token as string;
    const tokenLine = await lineFor(gw, tokenRes.headers.get('x-request-id')!);
    expect(tokenLine).to.deep.include({ method: 'POST', path: '/oauth2/token', status: 200, application: 'echo', client_id: client.client_id, decision: 'allowed', reason: null });

    const allowed = await fetch(`${gw.baseUrl}/echo/hello?code=query-secret&page=2`, {
      headers: { Authorization: `Bearer ${token}`, Cookie: 'portcullis_session=cookie-secret', 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https', 'X-Request-Id': 'edge-trace-1' },
    });
    expect(allowed.status).to.equal(200);
    expect(allowed.headers.get('x-request-id'), 'kept: it came from a trusted proxy').to.equal('edge-trace-1');
    expect(upstreamIds.at(-1), 'sent upstream').to.equal('edge-trace-1');
    const allowedLine = await lineFor(gw, 'edge-trace-1');
    expect(allowedLine).to.deep.include({ method: 'GET', path: '/echo/hello', status: 200, client_address: '203.0.113.7', proto: 'https', application: 'echo', client_id: client.client_id, decision: 'allowed', reason: null });
    expect(allowedLine.duration_ms).to.be.a('number').and.at.least(0);

    const refused = await fetch(`${gw.baseUrl}/echo/hello`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status).to.equal(403);
    const refusedLine = await lineFor(gw, refused.headers.get('x-request-id')!);
    expect(refusedLine).to.deep.include({ method: 'POST', path: '/echo/hello', status: 403, client_address: '127.0.0.1', client_id: client.client_id, decision: 'refused', reason: 'insufficient_scope' });

    const badSecret = await tokenRequest(gw, client.client_id, 'a-wrong-secret-value');
    expect(badSecret.status).to.equal(401);
    expect(await lineFor(gw, badSecret.headers.get('x-request-id')!)).to.deep.include({ status: 401, client_id: null, decision: 'refused', reason: 'invalid_client' });

    const lines = gw.output().split('\n').filter((l) => l.includes('"decision"'));
    expect(lines.length).to.be.at.least(4);
    for (const line of lines) {
      for (const secret of [token, client.client_secret, 'a-wrong-secret-value', 'query-secret', 'cookie-secret', 'Bearer', 'Basic ']) expect(line).to.not.contain(secret);
    }
  });

  it('an unrouted request is logged too (the gateway refused it: not_found), with a new id when the caller\'s is not safe', async () => {
    const res = await fetch(`${gw.baseUrl}/nothing-here?x=1`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(res.status).to.equal(404);
    const id = res.headers.get('x-request-id')!;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(await lineFor(gw, id)).to.deep.include({ path: '/nothing-here', status: 404, decision: 'refused', reason: 'not_found' });
    const discovery = await fetch(`${gw.baseUrl}/.well-known/openid-configuration`);
    expect(await lineFor(gw, discovery.headers.get('x-request-id')!)).to.deep.include({ status: 200, decision: 'n/a', reason: null });
  });
});

eachStore('e2e: the access log is off by default', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;
  before(async () => {
    gw = await startGateway(backend.env());
  });
  after(() => gw?.stop());

  it('requests write no access log line, and a caller\'s X-Request-Id is replaced (no trusted proxy)', async () => {
    const res = await fetch(`${gw.baseUrl}/echo/hello`, { headers: { 'X-Request-Id': 'edge-trace-2' } });
    expect(res.status).to.equal(401);
    expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    // A CLI run (a process start) takes far longer than a line on the gateway's stdout pipe would.
    const cli = await gw.cli(['keys', 'list']);
    expect(cli.code).to.equal(0);
    expect(gw.output()).to.not.contain('"decision"');
    expect(gw.output()).to.not.contain(res.headers.get('x-request-id')!);
  });
});
