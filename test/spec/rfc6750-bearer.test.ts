import { expect } from 'chai';
import { decodeJwt, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { createPublicKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { RevocationList } from '../../src/tokens/revocation-list';
import { ISSUER, TEST_APPLICATIONS, createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * The guard on the wire: RFC 6750 §2.1 (Authorization header), §3 / §3.1 (challenges and error
 * codes), RFC 8725 (JWT best practices: algorithm pinning, no `none`, no key confusion) and
 * RFC 9068 §4 (validating JWT access tokens: typ, iss, aud, exp).
 */

/** What every response looks like to these assertions, whether from supertest or raw node:http. */
interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const REALM = 'portcullis';
const BARE_CHALLENGE = `Bearer realm="${REALM}"`;
const ECHO_AUDIENCE = TEST_APPLICATIONS.echo.audience;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The envelope every guard error shares: no-store, a request id mirrored in a header, no internals. */
function expectErrorEnvelope(res: WireResponse): Record<string, string> {
  expect(res.headers['content-type']).to.match(/^application\/json(;|$)/);
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.text).to.not.match(/Error:|\n\s+at |\.ts:\d+/);
  const body = JSON.parse(res.text) as Record<string, string>;
  expect(body.request_id).to.be.a('string').and.not.be.empty;
  expect(res.headers['x-request-id']).to.equal(body.request_id);
  expect(body.error_description).to.be.a('string').and.not.be.empty;
  return body;
}

/** Status + body `error`; returns the body for further checks. */
function expectError(res: WireResponse, status: number, error: string): Record<string, string> {
  expect(res.status, res.text).to.equal(status);
  const body = expectErrorEnvelope(res);
  expect(body.error).to.equal(error);
  return body;
}

/** RFC 6750 §3.1 `invalid_token`: 401 with the code and a description in the challenge and the body. */
function expectInvalidToken(res: WireResponse, description?: RegExp): void {
  const body = expectError(res, 401, 'invalid_token');
  const challenge = res.headers['www-authenticate'];
  expect(challenge).to.match(/^Bearer realm="portcullis", error="invalid_token", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$/);
  expect(challenge).to.include(`error_description="${body.error_description}"`);
  if (description) expect(body.error_description).to.match(description);
}

/**
 * RFC 6750 §3 / §3.1 `invalid_request`: 400 with the code and the description in the challenge too
 * (§3: the resource server includes the WWW-Authenticate header in every error response).
 */
function expectInvalidRequest(res: WireResponse, description?: RegExp): Record<string, string> {
  const body = expectError(res, 400, 'invalid_request');
  expect(res.headers['www-authenticate']).to.equal(`Bearer realm="${REALM}", error="invalid_request", error_description="${body.error_description}"`);
  if (description) expect(body.error_description).to.match(description);
  return body;
}

/** RFC 6750 §3.1: a request without credentials gets the bare challenge and no error code in it. */
function expectBareChallenge(res: WireResponse): void {
  expectError(res, 401, 'unauthorized');
  expect(res.headers['www-authenticate']).to.equal(BARE_CHALLENGE);
}

/** Sends a request straight through node:http: repeated header names go out as separate lines and the path is not normalised. */
function rawRequest(port: number, method: string, path: string, headers: Array<[string, string]> = []): Promise<WireResponse> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path });
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0] : values);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  return (server.address() as AddressInfo).port;
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

eachStore('RFC 6750 bearer tokens at the guard', (backend) => {
  let server: TestServer;
  let listener: http.Server;
  let port: number;

  before(async () => {
    server = await startTestServer({ store: backend });
    listener = http.createServer(server.app);
    port = await listen(listener);
  });
  after(async () => {
    await stop(listener);
    await server.close();
  });
  afterEach(() => {
    server.now.ms = Date.now();
  });

  /** A new client of `application` with `roles`, and a token for it from the token endpoint. */
  async function tokenFor(roles = ['echo-reader'], application = 'echo', scope?: string) {
    const { clientId, clientSecret } = await createServiceClient(server, application, roles);
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send(form.toString());
    expect(res.status, res.text).to.equal(200);
    return { clientId, token: res.body.access_token as string };
  }

  /** A request to the protected app with an optional Authorization header value. */
  function call(path: string, authorization?: string, method: 'get' | 'post' | 'options' = 'get') {
    const req = request(server.app)[method](path);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  }

  const bearer = (path: string, token: string, method?: 'get' | 'post' | 'options') => call(path, `Bearer ${token}`, method);

  /**
   * Signs a token with `key` (the issuer's real active key unless given): the claims of a valid
   * access token for `clientId`, with `claims` and `header` overriding them.
   */
  async function craft(clientId: string, options: { claims?: JWTPayload; header?: Record<string, unknown>; key?: { kid: string; alg: string; privateKey: KeyLike } } = {}) {
    const key = options.key ?? server.portcullis.keys.active();
    const iat = Math.floor(server.now.ms / 1000);
    const payload = { iss: ISSUER, sub: clientId, aud: ECHO_AUDIENCE, client_id: clientId, roles: ['echo-reader'], jti: randomUUID(), iat, exp: iat + 3600, ...options.claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header })
      .sign(key.privateKey);
  }

  describe('§2.1 the Authorization request header', () => {
    it('no Authorization header -> 401 with exactly the bare challenge and error "unauthorized" (§3.1)', async () => {
      const res = await call('/echo/hello');
      expectBareChallenge(res);
      expect(res.body).to.have.all.keys('error', 'error_description', 'request_id');
    });

    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'BeArEr']) {
      it(`accepts the scheme spelled "${scheme}" (RFC 7235 §2.1: case-insensitive)`, async () => {
        const { token } = await tokenFor();
        const res = await call('/echo/hello', `${scheme} ${token}`);
        expect(res.status, res.text).to.equal(200);
      });
    }

    it('a token only in the query string (?access_token=, a method this guard does not support) -> 401 with the bare challenge (§3.1: no credentials)', async () => {
      const { token } = await tokenFor();
      const res = await call(`/echo/hello?access_token=${token}`);
      expectBareChallenge(res);
      expect(res.body.error_description).to.equal('access tokens are accepted only in the Authorization header');
    });

    it('a token in both the header and the query -> 400 invalid_request with the Bearer challenge (§3.1: more than one method)', async () => {
      const { token } = await tokenFor();
      expectInvalidRequest(await bearer(`/echo/hello?access_token=${token}`, token), /more than one/);
    });

    it('the raw helper really sends two Authorization header lines', async () => {
      let seen: string[] = [];
      const probe = http.createServer((req, res) => {
        seen = req.rawHeaders.filter((_, i) => i % 2 === 0 && /^authorization$/i.test(req.rawHeaders[i]));
        res.end();
      });
      const probePort = await listen(probe);
      try {
        await rawRequest(probePort, 'GET', '/', [['Authorization', 'Bearer a'], ['Authorization', 'Bearer b']]);
      } finally {
        await stop(probe);
      }
      expect(seen).to.have.length(2);
    });

    it('two Authorization headers -> 400 invalid_request, even if the first is valid', async () => {
      const { token } = await tokenFor();
      const res = await rawRequest(port, 'GET', '/echo/hello', [['Authorization', `Bearer ${token}`], ['Authorization', 'Bearer other']]);
      expectInvalidRequest(res, /more than one Authorization/);
    });

    for (const value of ['Bearer', 'Bearer    ', 'Bearer a b', 'Bearer a,b', 'Bearer ä']) {
      it(`malformed Bearer credentials ${JSON.stringify(value)} -> 400 invalid_request with the Bearer challenge`, async () => {
        const res = await rawRequest(port, 'GET', '/echo/hello', [['Authorization', value]]);
        expectInvalidRequest(res, /malformed Bearer credentials/);
      });
    }

    it('another scheme (Basic) -> 401 with the bare Bearer challenge', async () => {
      const { token } = await tokenFor();
      expectBareChallenge(await call('/echo/hello', `Basic ${Buffer.from(`x:${token}`).toString('base64')}`));
    });
  });

  describe('§3.1 invalid_token: RFC 8725 / RFC 9068 §4 validation', () => {
    it('a token crafted with the real key and valid claims is accepted (control for the cases below)', async () => {
      const { clientId } = await tokenFor();
      const res = await bearer('/echo/hello', await craft(clientId));
      expect(res.status, res.text).to.equal(200);
    });

    it('a garbage token -> 401 invalid_token with error and error_description in the challenge', async () => {
      expectInvalidToken(await bearer('/echo/hello', 'garbage'), /malformed/);
    });

    it('a token with its payload changed (signature kept) -> 401', async () => {
      const { token } = await tokenFor(['echo-reader']);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const tampered = [header, b64url({ ...claims, roles: ['echo-reader', 'echo-writer'] }), signature].join('.');
      expectInvalidToken(await bearer('/echo/hello', tampered, 'post'), /signature/);
    });

    it('an unsigned token (alg "none") -> 401', async () => {
      const { token } = await tokenFor();
      const [header, payload] = token.split('.');
      const unsigned = [b64url({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' }), payload, ''].join('.');
      expectInvalidToken(await bearer('/echo/hello', unsigned));
    });

    for (const type of ['spki', 'pkcs1'] as const) {
      it(`HS256 signed with the issuer's public key (${type} PEM) as the HMAC secret -> 401 (key confusion)`, async () => {
        const { clientId } = await tokenFor();
        const jwks = (await request(server.app).get('/.well-known/jwks.json')).body as { keys: Array<Record<string, string>> };
        const jwk = jwks.keys[0];
        const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type, format: 'pem' });
        const secret = new Uint8Array(Buffer.from(pem));
        const forged = await craft(clientId, { key: { kid: jwk.kid, alg: 'HS256', privateKey: secret as unknown as KeyLike } });
        expect(JSON.parse(Buffer.from(forged.split('.')[0], 'base64url').toString())).to.include({ alg: 'HS256', kid: jwk.kid });
        expectInvalidToken(await bearer('/echo/hello', forged), /algorithm/);
      });
    }

    it('an expired token -> 401 "expired" once exp + leeway has passed (token seen before, so cached)', async () => {
      const { token } = await tokenFor();
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      server.now.ms += (3600 + 10) * 1000;
      expect((await bearer('/echo/hello', token)).status, 'within the 30 s leeway').to.equal(200);
      server.now.ms += 30 * 1000;
      expectInvalidToken(await bearer('/echo/hello', token), /expired/);
    });

    it('an expired token never seen before -> 401 "expired"', async () => {
      const { token } = await tokenFor();
      server.now.ms += (3600 + 31) * 1000;
      expectInvalidToken(await bearer('/echo/hello', token), /expired/);
    });

    it('nbf in the future -> 401', async () => {
      const { clientId } = await tokenFor();
      const nbf = Math.floor(server.now.ms / 1000) + 600;
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { claims: { nbf } })), /not valid yet/);
    });

    it('iat in the future (beyond the leeway) -> 401', async () => {
      const { clientId } = await tokenFor();
      const iat = Math.floor(server.now.ms / 1000) + 600;
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { claims: { iat, exp: iat + 3600 } })), /future/);
    });

    it('signed by another key whose kid is not in the JWKS -> 401', async () => {
      const { clientId } = await tokenFor();
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await craft(clientId, { key: { kid: 'attacker-key', alg: 'RS256', privateKey } });
      expectInvalidToken(await bearer('/echo/hello', forged), /not signed by a key of this issuer/);
    });

    it('signed by another key but naming the real kid -> 401 (bad signature)', async () => {
      const { clientId } = await tokenFor();
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await craft(clientId, { key: { kid: server.portcullis.keys.active().kid, alg: 'RS256', privateKey } });
      expectInvalidToken(await bearer('/echo/hello', forged), /signature/);
    });

    it('no kid in the header -> 401', async () => {
      const { clientId } = await tokenFor();
      const key = server.portcullis.keys.active();
      const forged = await new SignJWT(decodeJwt(await craft(clientId))).setProtectedHeader({ alg: key.alg, typ: 'at+jwt' }).sign(key.privateKey);
      expectInvalidToken(await bearer('/echo/hello', forged));
    });

    it('an ID-token-like JWT (typ "JWT", real key, same claims) -> 401 "not an access token" (RFC 9068 §4)', async () => {
      const { clientId } = await tokenFor();
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { header: { typ: 'JWT' } })), /not an access token/);
    });

    it('a JWT without typ -> 401 "not an access token"', async () => {
      const { clientId } = await tokenFor();
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { header: { typ: undefined } })), /not an access token/);
    });

    it('another issuer -> 401', async () => {
      const { clientId } = await tokenFor();
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { claims: { iss: `${ISSUER}/` } })), /iss/);
    });

    for (const claim of ['jti', 'client_id', 'sub', 'exp']) {
      it(`a token without ${claim} -> 401 (RFC 9068 §2.2 requires it)`, async () => {
        const { clientId } = await tokenFor();
        expectInvalidToken(await bearer('/echo/hello', await craft(clientId, { claims: { [claim]: undefined } })));
      });
    }
  });

  describe('one credential, one application', () => {
    it('a token for another application (billing client on /echo) -> 401 invalid_token', async () => {
      const { token } = await tokenFor(['billing-reader'], 'billing');
      expect((await bearer('/billing/x', token)).status, 'valid where it belongs').to.equal(200);
      expectInvalidToken(await bearer('/echo/hello', token), /another application/);
    });

    it('aud of echo but the client is linked to billing -> 401 invalid_token', async () => {
      const { clientId } = await tokenFor(['billing-reader'], 'billing');
      expectInvalidToken(await bearer('/echo/hello', await craft(clientId)), /linked to another application/);
    });

    /**
     * The guard trusts a client's or user's status and a token's revocation state for `cacheMs`
     * (docs/ops-guide.md), measured on the product's clock: the test clock decides, no sleep.
     */
    const cacheMs = () => server.portcullis.settings.cacheMs;
    const cacheWindowPasses = () => {
      server.now.ms += cacheMs() + 1;
    };

    it('a disabled client -> 401 once cacheMs has passed on the product clock (trusted until then, by design)', async () => {
      const { token, clientId } = await tokenFor();
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      await server.portcullis.clients.setStatus(clientId, 'disabled');
      server.now.ms += cacheMs();
      expect((await bearer('/echo/hello', token)).status, 'the cached status is trusted for cacheMs').to.equal(200);
      server.now.ms += 1;
      expectInvalidToken(await bearer('/echo/hello', token), /client of this access token is disabled/);
    });

    it('a deleted client -> 401 once cacheMs has passed on the product clock', async () => {
      const { token, clientId } = await tokenFor();
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      await server.portcullis.store.delete('clients', clientId);
      cacheWindowPasses();
      expectInvalidToken(await bearer('/echo/hello', token), /unknown/);
    });

    it('a disabled user -> 401 once cacheMs has passed on the product clock', async () => {
      const { clientId } = await tokenFor();
      const user = await server.portcullis.users.create({ username: `user-${randomUUID()}`, password: 'correct horse battery staple', email: 'u@example.com', name: 'U', roles: { echo: ['echo-reader'] } });
      const token = await craft(clientId, { claims: { sub: user.userId } });
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      // The registry alone (not the admin service, which also revokes the user's grants), so
      // only the user's status tells the guard.
      await server.portcullis.users.update(user.userId, { status: 'disabled' });
      cacheWindowPasses();
      expectInvalidToken(await bearer('/echo/hello', token), /user of this access token is disabled/);
    });

    it('a client that never existed -> 401', async () => {
      expectInvalidToken(await bearer('/echo/hello', await craft('pcc_never_existed')), /unknown/);
    });

    it('a revoked jti -> 401 at once on the node that revoked it', async () => {
      const { token } = await tokenFor();
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      const { jti, exp } = decodeJwt(token);
      await server.portcullis.revocations.revoke(jti!, exp!);
      expectInvalidToken(await bearer('/echo/hello', token), /revoked/);
    });

    it('a jti revoked on another node -> 401 once cacheMs has passed on the product clock', async () => {
      const { token } = await tokenFor();
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      const { jti, exp } = decodeJwt(token);
      await new RevocationList(server.portcullis.store, cacheMs(), () => server.now.ms).revoke(jti!, exp!);
      cacheWindowPasses();
      expectInvalidToken(await bearer('/echo/hello', token), /revoked/);
    });
  });

  describe('§3.1 insufficient_scope: roles -> permissions -> route rules', () => {
    it('a valid token without the permission -> 403 with error and scope in the challenge and the body', async () => {
      const { token } = await tokenFor(['echo-reader']);
      const res = await bearer('/echo/hello', token, 'post');
      const body = expectError(res, 403, 'insufficient_scope');
      expect(body.scope).to.equal('echo:write');
      expect(res.headers['www-authenticate']).to.equal(
        `Bearer realm="${REALM}", error="insufficient_scope", error_description="${body.error_description}", scope="echo:write"`,
      );
    });

    it('a route no rule covers (OPTIONS /echo/x) -> 403 insufficient_scope (deny by default)', async () => {
      const { token } = await tokenFor(['echo-reader', 'echo-writer']);
      const res = await bearer('/echo/x', token, 'options');
      expect(expectError(res, 403, 'insufficient_scope')).to.not.have.property('scope');
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="insufficient_scope", error_description="[^"]+"$/);
    });

    it('a token narrowed by scope=echo:read may read but not write, although its roles could', async () => {
      const { token } = await tokenFor(['echo-reader', 'echo-writer'], 'echo', 'echo:read');
      expect((await bearer('/echo/hello', token)).status).to.equal(200);
      const body = expectError(await bearer('/echo/hello', token, 'post'), 403, 'insufficient_scope');
      expect(body.scope).to.equal('echo:write');
    });

    it('the same roles without a scope may write', async () => {
      const { token } = await tokenFor(['echo-reader', 'echo-writer']);
      expect((await bearer('/echo/hello', token, 'post')).status).to.equal(200);
    });
  });

  describe('identity headers sent upstream', () => {
    it('the upstream sees the verified identity, and spoofed identity headers are replaced', async () => {
      const { token, clientId } = await tokenFor(['echo-reader']);
      const res = await bearer('/echo/hello', token)
        .set('X-Portcullis-Roles', 'admin')
        .set('X-Portcullis-Client-Id', 'pcc_spoofed')
        .set('X-Portcullis-Scope', 'echo:write')
        .set('x-portcullis-extra', 'injected');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.identity).to.deep.equal({
        'x-portcullis-application': 'echo',
        'x-portcullis-client-id': clientId,
        'x-portcullis-subject': clientId,
        'x-portcullis-roles': 'echo-reader',
        'x-portcullis-permissions': 'echo:read',
      });
    });

    it('a scoped token adds x-portcullis-scope and narrows x-portcullis-permissions', async () => {
      const { token } = await tokenFor(['echo-reader', 'echo-writer'], 'echo', 'echo:read');
      const { body } = await bearer('/echo/hello', token);
      expect(body.identity).to.include({ 'x-portcullis-roles': 'echo-reader,echo-writer', 'x-portcullis-permissions': 'echo:read', 'x-portcullis-scope': 'echo:read' });
    });
  });

  describe('request ids on error responses', () => {
    it('replaces a caller X-Request-Id when no trusted proxy sent it (kept only from one: rfc7239-trusted-proxies)', async () => {
      const res = await call('/echo/hello').set('X-Request-Id', 'trace-42.a_b');
      expect(expectError(res, 401, 'unauthorized').request_id).to.match(/^[0-9a-f-]{36}$/);
    });

    it('replaces an unsafe caller X-Request-Id with a fresh one', async () => {
      const res = await call('/echo/hello').set('X-Request-Id', 'x'.repeat(65));
      expect(expectError(res, 401, 'unauthorized').request_id).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('§3.1 invalid_request: a request that means more than the guard checked', () => {
    for (const header of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
      it(`a reader's GET with ${header}: DELETE -> 400 invalid_request, the upstream never called`, async () => {
        const { token } = await tokenFor(['echo-reader']);
        const res = await bearer('/echo/x', token).set(header, 'DELETE');
        expectInvalidRequest(res, /names another method than GET/);
        expect(res.body).to.not.have.property('method');
      });

      it(`${header} naming the request's own method passes, and the upstream does not see the header`, async () => {
        const { token } = await tokenFor(['echo-reader']);
        const res = await bearer('/echo/x', token).set(header, 'Get');
        expect(res.status, res.text).to.equal(200);
        expect(res.body.method).to.equal('GET');
        expect(res.body.headers).to.not.have.property(header.toLowerCase());
      });
    }

    it('an override with several values, one of them another method -> 400', async () => {
      const { token } = await tokenFor(['echo-reader']);
      expectInvalidRequest(await bearer('/echo/x', token).set('X-HTTP-Method-Override', 'GET, DELETE'), /another method/);
    });

    it('a writer\'s POST with X-HTTP-Method-Override: DELETE is refused too (the rule for DELETE was not checked)', async () => {
      const { token } = await tokenFor(['echo-reader', 'echo-writer']);
      expectInvalidRequest(await bearer('/echo/x', token, 'post').set('X-HTTP-Method-Override', 'DELETE'), /another method than POST/);
    });

    for (const query of ['_method=DELETE', 'x=1&_method=put', '%5Fmethod=DELETE', '_method=GET&_method=DELETE']) {
      it(`?${query} -> 400 invalid_request`, async () => {
        const { token } = await tokenFor(['echo-reader']);
        expectInvalidRequest(await bearer(`/echo/x?${query}`, token), /_method query parameter names another method/);
      });
    }

    it('?_method=GET on a GET passes', async () => {
      const { token } = await tokenFor(['echo-reader']);
      expect((await bearer('/echo/x?_method=GET', token)).status).to.equal(200);
    });

    for (const header of ['X-Original-URL', 'X-Rewrite-URL']) {
      it(`${header} -> 400 invalid_request, whatever it names`, async () => {
        const { token } = await tokenFor(['echo-reader']);
        expectInvalidRequest(await bearer('/echo/x', token).set(header, '/billing/x'), new RegExp(`${header.toLowerCase()} header is not accepted`));
      });
    }

    it('an underscore spelling (X_HTTP_Method_Override, read as the same header by CGI, PHP, WSGI, Rack) is refused the same way', async () => {
      const { token } = await tokenFor(['echo-reader']);
      const res = await rawRequest(port, 'GET', '/echo/x', [['Authorization', `Bearer ${token}`], ['X_HTTP_Method_Override', 'DELETE']]);
      expectInvalidRequest(res, /x-http-method-override header names another method/);
      const path = await rawRequest(port, 'GET', '/echo/x', [['Authorization', `Bearer ${token}`], ['X_Original_URL', '/billing/x']]);
      expectInvalidRequest(path, /x-original-url header is not accepted/);
    });

    it('an override without any token is refused the same way (checked before the token)', async () => {
      expectInvalidRequest(await call('/echo/x').set('X-HTTP-Method-Override', 'DELETE'), /another method/);
    });
  });

  describe('path tricks are refused, never passed through', () => {
    const TRICKS = ['/echo/../billing/x', '/echo/%2e%2e/x', '/echo/%2E%2E/billing/x', '/echo/.%2e/x', '/echo//x', '/echo/x/%2F..%2Fbilling', '/echo/x/./y', '/echo/..;/billing/x', '/echo/x\\..\\y', '/echo/%zz'];
    /** RFC 3986 §2.4: decoded a second time (by an upstream that should not), or NFKC-normalised, these are `..`, `/`, `\\`, NUL. */
    const DOUBLE_ENCODED = ['/echo/%252e%252e/billing/x', '/echo/%252E%252E/billing/x', '/echo/.%252e/x', '/echo/x%252fbilling', '/echo/x%252F..%252Fbilling', '/echo/x%255c..%255cy', '/echo/x%2500', '/echo/%25252e%25252e/x', '/echo/%25c0%25ae%25c0%25ae/x', '/echo/x%2509y', '/echo/%EF%BC%8E%EF%BC%8E/billing/x', '/echo/x%EF%BC%8Fbilling'];
    for (const path of [...TRICKS, ...DOUBLE_ENCODED]) {
      it(`${path} -> 400 invalid_request with the Bearer challenge`, async () => {
        const { token } = await tokenFor(['echo-reader', 'echo-writer']);
        const res = await rawRequest(port, 'GET', path, [['Authorization', `Bearer ${token}`]]);
        expectInvalidRequest(res, /ambiguous request path|malformed request path/);
      });
    }

    for (const path of ['/echo/%252e%252e/billing/x', '/echo/%zz', '/echo/../billing/x']) {
      it(`${path} without a token -> the same 400 (the request is malformed whoever sends it)`, async () => {
        expectInvalidRequest(await rawRequest(port, 'GET', path), /ambiguous request path|malformed request path/);
      });
    }

    it('a double-encoded name that decodes to no separator or dot segment passes (file%252etxt)', async () => {
      const { token } = await tokenFor();
      const res = await rawRequest(port, 'GET', '/echo/file%252etxt', [['Authorization', `Bearer ${token}`]]);
      expect(res.status, res.text).to.equal(200);
    });
  });
});
