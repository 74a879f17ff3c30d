import { expect } from 'chai';
import { decodeJwt } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 on the wire: the client credentials grant (§4.4), the token response (§5.1), the error
 * response (§5.2), client authentication (§2.3.1) and the token endpoint itself (§3.2).
 */

const TOKEN_PATH = '/oauth2/token';
const CC = 'grant_type=client_credentials';

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded, then joined with ':' and base64-encoded. */
function basicHeader(id: string, secret: string, encode: (s: string) => string = formEncode): string {
  return 'Basic ' + Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64');
}

/** application/x-www-form-urlencoded encoding of one value (space as '+'). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** Percent-encodes every character, a legal (if unusual) spelling of the same value. */
function percentEncodeAll(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Asserts nothing internal leaks into a response body. */
function expectNoLeak(text: string): void {
  expect(text).to.not.match(/Error:|\n\s+at |\.ts:\d+/);
}

/** RFC 6749 §5.1: token responses and errors are not cached. */
function expectNoStore(res: request.Response): void {
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers.pragma).to.equal('no-cache');
  expect(res.headers['content-type']).to.match(/^application\/json(;|$)/);
}

/** RFC 6749 §5.2: status, `error` code, a human-readable description, never cached or leaking. */
function expectOAuthError(res: request.Response, status: number, error: string, description?: RegExp): void {
  expect(res.status, res.text).to.equal(status);
  expectNoStore(res);
  expect(res.body).to.have.all.keys('error', 'error_description', 'request_id');
  expect(res.body.error).to.equal(error);
  expect(res.body.error_description).to.be.a('string').and.not.be.empty;
  if (description) expect(res.body.error_description).to.match(description);
  expect(res.headers['x-request-id']).to.equal(res.body.request_id);
  expectNoLeak(res.text);
}

/** RFC 6749 §5.1: a successful response; `scope` only when one was requested. */
function expectTokenResponse(res: request.Response, scope?: string): void {
  expect(res.status, res.text).to.equal(200);
  expectNoStore(res);
  const keys = ['access_token', 'token_type', 'expires_in', ...(scope ? ['scope'] : [])];
  expect(res.body).to.have.all.keys(...keys);
  expect(res.body.access_token).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(res.body.token_type).to.equal('Bearer');
  expect(res.body.expires_in).to.equal(3600);
  expect(res.body).to.not.have.property('refresh_token');
  if (scope) expect(res.body.scope).to.equal(scope);
  expectNoLeak(res.text);
}

eachStore('RFC 6749 client credentials grant at the token endpoint', (backend) => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string };

  beforeEach(async () => {
    server = await startTestServer({ store: backend });
    client = await createServiceClient(server, 'echo', ['echo-reader']);
  });
  afterEach(() => server.close());

  /** POSTs a raw form body to the token endpoint with the given headers. */
  function postForm(body: string, headers: Record<string, string> = {}) {
    return request(server.app).post(TOKEN_PATH).set(headers).type('form').send(body);
  }

  /** POSTs with client_secret_basic. */
  function postBasic(body: string, id = client.clientId, secret = client.clientSecret) {
    return postForm(body, { Authorization: basicHeader(id, secret) });
  }

  /** POSTs with client_secret_post. */
  function postWithBodyCredentials(extra = '', id = client.clientId, secret = client.clientSecret) {
    return postForm(`${CC}&client_id=${formEncode(id)}&client_secret=${formEncode(secret)}${extra}`);
  }

  describe('§4.4.3 / §5.1 successful response', () => {
    it('issues a Bearer token with client_secret_basic', async () => {
      expectTokenResponse(await postBasic(CC));
    });

    it('issues a Bearer token with client_secret_post', async () => {
      expectTokenResponse(await postWithBodyCredentials());
    });

    it('accepts a client_id in the body that matches the Basic credentials', async () => {
      expectTokenResponse(await postBasic(`${CC}&client_id=${client.clientId}`));
    });

    it('echoes `scope` when a granted permission was requested', async () => {
      expectTokenResponse(await postBasic(`${CC}&scope=echo%3Aread`), 'echo:read');
    });

    it('treats an empty scope parameter as omitted (§3.1)', async () => {
      expectTokenResponse(await postBasic(`${CC}&scope=`));
    });
  });

  describe('§2.3.1 Basic credentials are form-urlencoded before base64', () => {
    it('decodes a fully percent-encoded id and secret to the same credentials', async () => {
      const header = basicHeader(client.clientId, client.clientSecret, percentEncodeAll);
      expectTokenResponse(await postForm(CC, { Authorization: header }));
    });

    it('refuses a secret whose percent-encoding decodes to a different character', async () => {
      const last = client.clientSecret.at(-1)!;
      const other = last === 'A' ? 'B' : 'A';
      const tampered = formEncode(client.clientSecret.slice(0, -1)) + percentEncodeAll(other);
      const header = basicHeader(client.clientId, tampered, (s) => s);
      const res = await postForm(CC, { Authorization: header });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.match(/^Basic realm="portcullis"/);
    });

    it('reads a raw "+" in the secret as a space, so an unencoded "+" does not match', async () => {
      const res = await postForm(CC, { Authorization: basicHeader(client.clientId, client.clientSecret + '+', (s) => s) });
      expectOAuthError(res, 401, 'invalid_client');
    });

    it('answers malformed percent-encoding with 401 invalid_client, not 500', async () => {
      const res = await postForm(CC, { Authorization: basicHeader(client.clientId, '%zz' + client.clientSecret, (s) => s) });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.match(/^Basic realm="portcullis"/);
    });

    it('answers Basic credentials without a colon with 401 and a Basic challenge', async () => {
      const res = await postForm(CC, { Authorization: 'Basic ' + Buffer.from(client.clientId).toString('base64') });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.match(/^Basic realm="portcullis"/);
    });
  });

  describe('§5.2 error responses', () => {
    it('missing grant_type -> 400 invalid_request', async () => {
      expectOAuthError(await postBasic('scope=echo%3Aread'), 400, 'invalid_request', /grant_type/);
    });

    it('unknown grant_type -> 400 unsupported_grant_type', async () => {
      expectOAuthError(await postBasic('grant_type=urn%3Aexample%3Amagic'), 400, 'unsupported_grant_type');
    });

    it('a grant this server does not implement (password) -> 400 unsupported_grant_type', async () => {
      expectOAuthError(await postBasic('grant_type=password&username=a&password=b'), 400, 'unsupported_grant_type');
    });

    it('wrong secret via Basic -> 401 invalid_client with a Basic challenge', async () => {
      const res = await postBasic(CC, client.clientId, 'pcs_wrong');
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.equal('Basic realm="portcullis", charset="UTF-8"');
    });

    it('wrong secret via client_secret_post -> 401 invalid_client, still with a challenge (RFC 9110 §15.5.2)', async () => {
      const res = await postWithBodyCredentials('', client.clientId, 'pcs_wrong');
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.equal('Basic realm="portcullis", charset="UTF-8"');
    });

    it('unknown client -> 401 invalid_client (Basic and post alike)', async () => {
      expectOAuthError(await postBasic(CC, 'pcc_nobody', client.clientSecret), 401, 'invalid_client');
      expectOAuthError(await postWithBodyCredentials('', 'pcc_nobody', client.clientSecret), 401, 'invalid_client');
    });

    it('credentials in the query string are ignored (§2.3.1: request body only) -> 401 invalid_client', async () => {
      const query = new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret });
      const res = await request(server.app).post(`${TOKEN_PATH}?${query}`).type('form').send(CC);
      expectOAuthError(res, 401, 'invalid_client');
    });

    it('a store failure -> 503 temporarily_unavailable with Retry-After and a detail-free description (fails closed)', async () => {
      await server.portcullis.store.close();
      const res = await postBasic(CC);
      expectOAuthError(res, 503, 'temporarily_unavailable');
      expect(res.headers['retry-after']).to.equal('5');
      expect(res.text).to.not.match(/sqlite|closed/i);
    });

    it('no client authentication at all -> 401 invalid_client', async () => {
      expectOAuthError(await postForm(CC), 401, 'invalid_client');
    });

    it('a confidential client presenting only its client_id -> 401 invalid_client', async () => {
      expectOAuthError(await postForm(`${CC}&client_id=${client.clientId}`), 401, 'invalid_client');
    });

    it('disabled client -> 401 invalid_client, with the same description as a wrong secret', async () => {
      const wrong = await postBasic(CC, client.clientId, 'pcs_wrong');
      await server.portcullis.clients.setStatus(client.clientId, 'disabled');
      const res = await postBasic(CC);
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.body.error_description).to.equal(wrong.body.error_description);
    });

    it('Basic credentials and client_secret in the body together -> 400 invalid_request (§2.3)', async () => {
      const res = await postForm(`${CC}&client_id=${client.clientId}&client_secret=${client.clientSecret}`, {
        Authorization: basicHeader(client.clientId, client.clientSecret),
      });
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('two Authorization headers (the same Basic twice, or another one second) -> 400 invalid_request at the token, revocation and introspection endpoints (§2.3)', async () => {
      const other = await createServiceClient(server, 'echo', ['echo-reader']);
      const mine = basicHeader(client.clientId, client.clientSecret);
      for (const path of [TOKEN_PATH, '/oauth2/revoke', '/oauth2/introspect']) {
        for (const second of [mine, basicHeader(other.clientId, other.clientSecret), 'Basic !!!']) {
          const body = path === TOKEN_PATH ? CC : 'token=abc';
          const res = await request(server.app).post(path).set('Authorization', [mine, second] as unknown as string).type('form').send(body);
          expectOAuthError(res, 400, 'invalid_request', /more than one Authorization header/);
          expect(res.body.access_token, path).to.equal(undefined);
        }
      }
    });

    it('a body client_id different from the Basic one -> 400 invalid_request', async () => {
      expectOAuthError(await postBasic(`${CC}&client_id=pcc_someone_else`), 400, 'invalid_request');
    });

    it('repeated grant_type -> 400 invalid_request (§3.2: parameters must not be repeated)', async () => {
      expectOAuthError(await postBasic(`${CC}&${CC}`), 400, 'invalid_request', /grant_type/);
    });

    it('repeated scope -> 400 invalid_request', async () => {
      expectOAuthError(await postBasic(`${CC}&scope=echo%3Aread&scope=echo%3Aread`), 400, 'invalid_request', /scope/);
    });

    it('a JSON body -> 400 invalid_request (§3.2: application/x-www-form-urlencoded only)', async () => {
      const res = await request(server.app)
        .post(TOKEN_PATH)
        .set('Authorization', basicHeader(client.clientId, client.clientSecret))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ grant_type: 'client_credentials' }));
      expectOAuthError(res, 400, 'invalid_request', /x-www-form-urlencoded/);
    });

    it('no Content-Type -> 400 invalid_request', async () => {
      const res = await request(server.app)
        .post(TOKEN_PATH)
        .set('Authorization', basicHeader(client.clientId, client.clientSecret))
        .send(Buffer.from(CC));
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('GET -> 405 with Allow: POST (§3.2)', async () => {
      const res = await request(server.app).get(`${TOKEN_PATH}?${CC}`).set('Authorization', basicHeader(client.clientId, client.clientSecret));
      expectOAuthError(res, 405, 'invalid_request');
      expect(res.headers.allow).to.equal('POST');
    });

    it('PUT -> 405 with Allow: POST', async () => {
      const res = await request(server.app).put(TOKEN_PATH).type('form').send(CC);
      expectOAuthError(res, 405, 'invalid_request');
      expect(res.headers.allow).to.equal('POST');
    });

    it('a body over 16 KiB with Content-Length -> 413 invalid_request (RFC 9110 §15.5.14), not 500', async () => {
      const res = await postBasic(`${CC}&padding=${'a'.repeat(17 * 1024)}`);
      expectOAuthError(res, 413, 'invalid_request', /too large/);
    });

    it('a chunked body over 16 KiB (no Content-Length) -> 413 invalid_request (RFC 9110 §15.5.14), not 500', async () => {
      const res = await postChunked(server, [CC + '&padding=', ...Array<string>(20).fill('a'.repeat(1024))], {
        Authorization: basicHeader(client.clientId, client.clientSecret),
      });
      expect(res.status).to.equal(413);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(JSON.parse(res.body)).to.include({ error: 'invalid_request' });
      expectNoLeak(res.body);
    });

    it('scope not granted by the client\'s roles -> 400 invalid_scope', async () => {
      expectOAuthError(await postBasic(`${CC}&scope=echo%3Awrite`), 400, 'invalid_scope', /echo:write/);
    });

    it('scope of another application -> 400 invalid_scope', async () => {
      expectOAuthError(await postBasic(`${CC}&scope=billing%3Aread`), 400, 'invalid_scope');
    });

    for (const [label, scope] of [
      ['a double space', 'echo%3Aread++echo%3Aread'],
      ['a leading space', '+echo%3Aread'],
      ['a double quote', 'echo%22read'],
      ['a backslash', 'echo%5Cread'],
      ['a non-ASCII character', 'echo%C3%A9'],
    ]) {
      it(`malformed scope (${label}) -> 400 invalid_scope (§3.3)`, async () => {
        expectOAuthError(await postBasic(`${CC}&scope=${scope}`), 400, 'invalid_scope');
      });
    }

    /** A client of an interactive type, which must not use this grant. */
    const createInteractive = (type: 'web' | 'public') =>
      server.portcullis.clients.create({ name: `${type} app`, application: 'echo', type, roles: ['echo-reader'], redirectUris: ['https://app.example/cb'] });

    it('a web (non-service) client -> 400 unauthorized_client', async () => {
      const { client: web, clientSecret } = await createInteractive('web');
      expectOAuthError(await postBasic(CC, web.clientId, clientSecret!), 400, 'unauthorized_client');
    });

    it('a public client (no secret) -> 400 unauthorized_client (§4.4: confidential clients only)', async () => {
      const { client: spa } = await createInteractive('public');
      expectOAuthError(await postForm(`${CC}&client_id=${spa.clientId}`), 400, 'unauthorized_client');
    });
  });

  describe('credential lifecycle', () => {
    it('after a secret rotation the old secret is refused and the new one accepted', async () => {
      const { clientSecret: rotated } = await server.portcullis.clients.rotateSecret(client.clientId);
      expectOAuthError(await postBasic(CC), 401, 'invalid_client');
      expectOAuthError(await postWithBodyCredentials(), 401, 'invalid_client');
      expectTokenResponse(await postBasic(CC, client.clientId, rotated!));
      expectTokenResponse(await postWithBodyCredentials('', client.clientId, rotated!));
    });

    it('the next token carries the client\'s new roles', async () => {
      const before = decodeJwt((await postBasic(CC)).body.access_token);
      expect(before.roles).to.deep.equal(['echo-reader']);
      await server.portcullis.clients.setRoles(client.clientId, ['echo-reader', 'echo-writer']);
      const after = decodeJwt((await postBasic(CC)).body.access_token);
      expect(after.roles).to.deep.equal(['echo-reader', 'echo-writer']);
      expectTokenResponse(await postBasic(`${CC}&scope=echo%3Awrite`), 'echo:write');
    });
  });
});

/** Sends a chunked POST (no Content-Length) straight through node:http, returning status, headers and text. */
async function postChunked(server: TestServer, chunks: string[], headers: Record<string, string>) {
  const listener = server.app.listen(0);
  await new Promise((resolve) => listener.once('listening', resolve));
  try {
    const { port } = listener.address() as AddressInfo;
    return await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ port, method: 'POST', path: TOKEN_PATH, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' } });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  } finally {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  }
}
