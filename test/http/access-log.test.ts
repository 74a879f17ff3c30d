import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { loggedPath, type AccessLogLine } from '../../src/http/access-log';
import { obtainTokens, startFlowServer } from '../helpers/browser-flow';
import { createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';

/**
 * The access log of a plain Express app with `portcullis.requestContext()` first: one JSON line
 * per request with the guard's or the endpoint's decision, and nothing secret in it.
 */
describe('access log (request context in a plain Express app)', () => {
  let server: TestServer;
  let lines: string[];
  let client: { clientId: string; clientSecret: string };
  const parsed = () => lines.map((l) => JSON.parse(l) as AccessLogLine);
  const lineOf = (res: request.Response) => {
    const found = parsed().filter((l) => l.request_id === res.headers['x-request-id']);
    expect(found, `one line for ${res.headers['x-request-id']}`).to.have.length(1);
    return found[0];
  };

  beforeEach(async () => {
    lines = [];
    server = await startTestServer({ settings: testSettings({ accessLog: { enabled: true } }), accessLog: (line) => lines.push(line) });
    client = await createServiceClient(server);
  });
  afterEach(() => server.close());

  const token = async () => (await request(server.app).post('/oauth2/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token as string;

  it('an allowed guard call: the fields, the application, the client, "allowed"; the path without its query', async () => {
    const t = await token();
    const res = await request(server.app).get('/echo/hello?page=2&code=leak2&secret=leak').set('Authorization', `Bearer ${t}`).set('Cookie', 'portcullis_session=cookie-leak');
    expect(res.status).to.equal(200);
    const line = lineOf(res);
    expect(Object.keys(line)).to.deep.equal(['time', 'request_id', 'method', 'path', 'status', 'duration_ms', 'client_address', 'proto', 'application', 'client_id', 'decision', 'reason']);
    expect(line).to.deep.include({ method: 'GET', path: '/echo/hello', status: 200, client_address: '127.0.0.1', proto: 'http', application: 'echo', client_id: client.clientId, decision: 'allowed', reason: null });
    expect(new Date(line.time).toISOString()).to.equal(line.time);
    expect(line.duration_ms).to.be.a('number').and.at.least(0);
    for (const text of lines) for (const secret of [t, client.clientSecret, 'leak', 'cookie-leak', 'portcullis_session', 'access_token']) expect(text).to.not.contain(secret);
  });

  it('refused guard calls: the reason code, and the client once its token was verified', async () => {
    const missing = await request(server.app).get('/echo/hello');
    expect(lineOf(missing)).to.deep.include({ status: 401, application: 'echo', client_id: null, decision: 'refused', reason: 'missing_token' });
    const bad = await request(server.app).get('/echo/hello').set('Authorization', 'Bearer not-a-jwt');
    expect(lineOf(bad)).to.deep.include({ status: 401, decision: 'refused', reason: 'malformed_token', client_id: null });
    const t = await token();
    const write = await request(server.app).post('/echo/hello').set('Authorization', `Bearer ${t}`);
    expect(lineOf(write)).to.deep.include({ status: 403, application: 'echo', client_id: client.clientId, decision: 'refused', reason: 'insufficient_scope' });
    const inQuery = await request(server.app).get(`/echo/hello?access_token=${t}`);
    expect(lineOf(inQuery)).to.deep.include({ path: '/echo/hello', decision: 'refused' });
    for (const text of lines) expect(text).to.not.contain(t);
    const other = await request(server.app).get('/billing/x').set('Authorization', `Bearer ${t}`);
    expect(lineOf(other)).to.deep.include({ status: 401, application: 'billing', client_id: client.clientId, reason: 'wrong_audience' });
  });

  it('token, revocation and introspection requests: the authenticated client, never the claimed one or the secret', async () => {
    const ok = await request(server.app).post('/oauth2/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    expect(lineOf(ok)).to.deep.include({ method: 'POST', path: '/oauth2/token', status: 200, application: 'echo', client_id: client.clientId, decision: 'allowed', reason: null });
    const wrong = await request(server.app).post('/oauth2/token').auth(client.clientId, 'wrong-secret-value').type('form').send({ grant_type: 'client_credentials' });
    expect(lineOf(wrong)).to.deep.include({ status: 401, client_id: null, application: null, decision: 'refused', reason: 'invalid_client' });
    const grant = await request(server.app).post('/oauth2/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'password', password: 'pw-leak' });
    expect(lineOf(grant)).to.deep.include({ status: 400, client_id: client.clientId, decision: 'refused', reason: 'unsupported_grant_type' });
    const revoked = await request(server.app).post('/oauth2/revoke').auth(client.clientId, client.clientSecret).type('form').send({ token: ok.body.access_token });
    expect(lineOf(revoked)).to.deep.include({ path: '/oauth2/revoke', status: 200, client_id: client.clientId, decision: 'allowed' });
    const introspected = await request(server.app).post('/oauth2/introspect').auth(client.clientId, client.clientSecret).type('form').send({ token: ok.body.access_token });
    expect(lineOf(introspected)).to.deep.include({ path: '/oauth2/introspect', status: 200, client_id: client.clientId, decision: 'allowed' });
    for (const text of lines) for (const secret of [client.clientSecret, 'wrong-secret-value', 'pw-leak', ok.body.access_token]) expect(text).to.not.contain(secret);
  });

  it('userinfo: the token\'s client and application when allowed; refused without openid; no token or cookie in any line', async () => {
    const flowLines: string[] = [];
    const flow = await startFlowServer({ settings: testSettings({ accessLog: { enabled: true } }), accessLog: (line) => flowLines.push(line) });
    try {
      const tokens = await obtainTokens(flow.server, { app: flow.web, user: flow.user, params: { scope: 'openid echo:read' } });
      const res = await request(flow.server.app).get('/oauth2/userinfo').set('Authorization', `Bearer ${tokens.access_token}`);
      expect(res.status, res.text).to.equal(200);
      const line = flowLines.map((l) => JSON.parse(l) as AccessLogLine).find((l) => l.request_id === res.headers['x-request-id']);
      expect(line).to.deep.include({ path: '/oauth2/userinfo', status: 200, application: 'echo', client_id: flow.web.clientId, decision: 'allowed' });
      const t = await token();
      const noOpenid = await request(server.app).get('/oauth2/userinfo').set('Authorization', `Bearer ${t}`);
      expect(lineOf(noOpenid)).to.deep.include({ status: 403, client_id: client.clientId, decision: 'refused', reason: 'insufficient_scope' });
      const all = flowLines.join('\n');
      for (const secret of [tokens.access_token, tokens.refresh_token, tokens.id_token, flow.user.password, flow.web.clientSecret!]) expect(all).to.not.contain(secret);
      expect(all).to.not.match(/code=|portcullis_session|portcullis_csrf/);
    } finally {
      await flow.server.close();
    }
  });

  it('requests nothing decides on (discovery, unknown paths) are "n/a"', async () => {
    const discovery = await request(server.app).get('/.well-known/openid-configuration');
    expect(lineOf(discovery)).to.deep.include({ status: 200, decision: 'n/a', reason: null, application: null, client_id: null });
  });

  it('a client that goes away before the answer gets a line marked aborted', async () => {
    let arrived!: () => void;
    const inHandler = new Promise<void>((resolve) => (arrived = resolve));
    server.app.get('/slow', () => arrived()); // never answers
    const listener = http.createServer(server.app);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const req = http.get({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port, path: '/slow?q=1' });
    req.on('error', () => undefined);
    await inHandler;
    req.destroy();
    await new Promise<void>((resolve) => {
      const poll = () => (lines.length > 0 ? resolve() : setImmediate(poll));
      poll();
    });
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    expect(parsed().at(-1)).to.deep.include({ path: '/slow', status: 0, aborted: true, decision: 'n/a' });
  });

  it('is off by default: no line at all', async () => {
    const quiet: string[] = [];
    const off = await startTestServer({ accessLog: (line) => quiet.push(line) });
    try {
      expect((await request(off.app).get('/echo/hello')).status).to.equal(401);
      expect(quiet).to.deep.equal([]);
    } finally {
      await off.close();
    }
  });
});

describe('loggedPath', () => {
  it('drops query and fragment, reduces an absolute-form target to its path (no userinfo), cuts long paths', () => {
    expect(loggedPath('/a/b?token=x#f')).to.equal('/a/b');
    expect(loggedPath('http://user:pass@host.example/p?q')).to.equal('/p');
    expect(loggedPath('*')).to.equal('-');
    expect(loggedPath('/' + 'a'.repeat(600))).to.have.length(515);
  });
});
