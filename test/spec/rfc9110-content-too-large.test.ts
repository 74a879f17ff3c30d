import { expect } from 'chai';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { API, ADMIN_PASSWORD, makeUser, signInAt } from '../helpers/admin-session';
import { startFlowServer, type FlowApp } from '../helpers/browser-flow';
import { bigForm, rawBodyRequest, type RawAnswer } from '../helpers/raw-body-request';
import type { TestServer } from '../helpers/test-portcullis';
import { expectNoInternals } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 9110 §15.5.14 (413 Content Too Large): every body reader of the product refuses a body over
 * its limit with 413, in the endpoint's own format: the protocol endpoints with an RFC 6749 §5.2
 * `invalid_request` JSON body, the browser pages with an HTML page, the admin API with its JSON
 * error. Both framings: a declared Content-Length over the limit (refused before reading) and a
 * chunked body that grows too large. The answer always arrives: the socket is never left hanging.
 */

const TEN_MB = 10 * 1024 * 1024;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

function expect413Json(answer: RawAnswer): Record<string, string> {
  expect(answer.status, answer.body).to.equal(413);
  expect(answer.headers['content-type']).to.match(/^application\/json/);
  expect(answer.headers['cache-control']).to.equal('no-store');
  expect(answer.headers.connection).to.equal('close');
  // RFC 9112 §9.6: the server closes in stages, so the client could send its whole body.
  expect(answer.writeError, 'no reset while the client was still sending').to.equal(undefined);
  expectNoInternals(answer.body);
  return JSON.parse(answer.body) as Record<string, string>;
}

function expect413Page(answer: RawAnswer): void {
  expect(answer.status, answer.body).to.equal(413);
  expect(answer.headers['content-type']).to.match(/^text\/html; charset=utf-8/);
  expect(answer.headers['cache-control']).to.equal('no-store');
  expect(answer.headers['x-frame-options']).to.equal('DENY');
  expect(answer.headers.connection).to.equal('close');
  expect(answer.writeError, 'no reset while the client was still sending').to.equal(undefined);
  expect(answer.body).to.include('<code id="error-code">invalid_request</code>');
  expect(answer.body).to.include('request body too large');
  expectNoInternals(answer.body);
}

eachStore('RFC 9110 §15.5.14: a body over the limit is 413 Content Too Large (and §15.5.16: a compressed one 415)', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let basic: Record<string, string>;

  before(async () => {
    ({ server, web } = await startFlowServer({ store: backend }));
    basic = { Authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` };
  });
  after(() => server.close());

  for (const path of ['/oauth2/token', '/oauth2/revoke', '/oauth2/introspect']) {
    for (const declare of [true, false]) {
      it(`${path}: a 10 MB form ${declare ? 'with Content-Length' : 'sent chunked'} -> 413 invalid_request (RFC 6749 §5.2 body)`, async () => {
        const answer = await rawBodyRequest(server.app, { path, headers: { ...FORM, ...basic }, chunks: bigForm('grant_type=client_credentials&token=x', TEN_MB), declare });
        const body = expect413Json(answer);
        expect(body).to.include({ error: 'invalid_request', error_description: 'request body too large' });
        expect(answer.headers.pragma).to.equal('no-cache');
        expect(body.request_id).to.equal(answer.headers['x-request-id']);
      });
    }
  }

  it('/oauth2/token: a chunked body that never ends -> 413, then the server closes the connection (RFC 9112 §9.6)', async () => {
    const answer = await rawBodyRequest(server.app, { path: '/oauth2/token', headers: { ...FORM, ...basic }, chunks: bigForm('grant_type=client_credentials', 1024 * 1024), declare: false, endless: true });
    expect(answer.status).to.equal(413);
    expect(answer.headers.connection).to.equal('close');
    expect(JSON.parse(answer.body)).to.include({ error: 'invalid_request' });
    // rawBodyRequest resolves on the socket's close: reaching here means the connection ended.
  });

  it('/oauth2/token: a raw client that ignores the answer and never stops sending is cut off by the server', async () => {
    const listener = server.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      const received = await new Promise<string>((resolve) => {
        let text = '';
        // allowHalfOpen: the server's FIN does not end our side; we go on sending.
        const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
          socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
          const chunk = `10000\r\n${'a'.repeat(0x10000)}\r\n`;
          const pump = () => {
            while (!socket.destroyed && socket.write(chunk));
          };
          socket.on('drain', pump);
          pump();
        });
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('error', () => undefined);
        // Only the server can end this: the client neither stops nor half-closes.
        socket.on('close', () => resolve(text));
      });
      expect(received).to.match(/^HTTP\/1\.1 413 /);
      expect(received).to.match(/\r\nConnection: close\r\n/i);
    } finally {
      listener.close();
    }
  });

  it('/oauth2/token: a body of exactly 16 KiB is still read', async () => {
    const prefix = 'grant_type=bogus';
    const res = await request(server.app).post('/oauth2/token').set(basic).type('form').send(`${prefix}&p=${'a'.repeat(16 * 1024 - prefix.length - 3)}`);
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error).to.equal('unsupported_grant_type');
  });

  for (const path of ['/oauth2/authorize', '/login', '/logout', '/oauth2/consent']) {
    for (const declare of [true, false]) {
      it(`POST ${path}: a 10 MB form ${declare ? 'with Content-Length' : 'sent chunked'} -> 413 HTML page`, async () => {
        expect413Page(await rawBodyRequest(server.app, { path, headers: FORM, chunks: bigForm(`client_id=${web.clientId}`, TEN_MB), declare }));
      });
    }
  }

  describe('RFC 9110 §15.5.16: a compressed body is 415, never parsed as text', () => {
    const gzipped = () => gzipSync('grant_type=client_credentials&token=x');
    for (const path of ['/oauth2/token', '/oauth2/revoke', '/oauth2/introspect']) {
      it(`${path}: Content-Encoding: gzip -> 415 invalid_request with Accept-Encoding: identity`, async () => {
        const res = await request(server.app).post(path).set(basic).set({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' }).send(gzipped());
        expect(res.status, res.text).to.equal(415);
        expect(res.headers['accept-encoding']).to.equal('identity');
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body).to.include({ error: 'invalid_request', error_description: 'the request body must not be compressed (Content-Encoding)' });
      });
    }
    it('POST /login: Content-Encoding: deflate -> 415 page', async () => {
      const res = await request(server.app).post('/login').set({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'deflate' }).send(gzipped());
      expect(res.status, res.text).to.equal(415);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.text).to.include('<code id="error-code">invalid_request</code>');
    });
    it('Content-Encoding: identity is read as usual', async () => {
      const res = await request(server.app).post('/oauth2/token').set(basic).set({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'identity' }).send('grant_type=bogus');
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('unsupported_grant_type');
    });
  });

  describe('admin area', () => {
    let cookie: string;
    before(async () => {
      const admin = await makeUser(server, { adminRole: 'super-admin', password: ADMIN_PASSWORD });
      const { res } = await signInAt(server, admin);
      cookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    });

    for (const declare of [true, false]) {
      it(`admin API: a 10 MB JSON body ${declare ? 'with Content-Length' : 'sent chunked'} -> 413 invalid_request in the admin API's shape`, async () => {
        const chunks = [Buffer.from('{"name":"'), ...bigForm('', TEN_MB).slice(1), Buffer.from('"}')];
        const answer = await rawBodyRequest(server.app, { path: `${API}/apps`, headers: { 'Content-Type': 'application/json', Cookie: cookie }, chunks, declare });
        const body = expect413Json(answer);
        expect(body.error).to.equal('invalid_request');
        expect(body.error_description).to.equal('request body too large (at most 64 KiB)');
        expect(body.request_id).to.be.a('string');
      });

      it(`admin pages: a 10 MB form ${declare ? 'with Content-Length' : 'sent chunked'} -> 413 HTML page`, async () => {
        expect413Page(await rawBodyRequest(server.app, { path: '/admin/apps/new', headers: { ...FORM, Cookie: cookie }, chunks: bigForm('name=x', TEN_MB), declare }));
      });
    }

    it('admin API: a gzip JSON body -> 415 invalid_request with Accept-Encoding: identity', async () => {
      const res = await request(server.app).post(`${API}/apps`).set('Cookie', cookie).set({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).send(gzipSync('{"name":"x"}'));
      expect(res.status, res.text).to.equal(415);
      expect(res.headers['accept-encoding']).to.equal('identity');
      expect(res.body.error).to.equal('invalid_request');
    });

    it('admin API: a small malformed JSON body is still 400 invalid_json', async () => {
      const res = await request(server.app).post(`${API}/apps`).set('Cookie', cookie).set('Content-Type', 'application/json').send('{"name":');
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('invalid_json');
    });
  });
});
