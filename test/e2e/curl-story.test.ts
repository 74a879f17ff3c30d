import { expect } from 'chai';
import { decodeJwt, SignJWT, type KeyLike } from 'jose';
import { createPublicKey } from 'node:crypto';
import { KeyRing } from '../../src/keys/key-ring';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { eachStore, openGatewayStore } from '../helpers/each-store';

/**
 * The README's curl story, against the real product: `portcullis start --sample-upstream` with the
 * sample config (Express Gateway, the plugin, the echo upstream), and the real CLI.
 */
eachStore('e2e: the curl story through the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;

  before(async () => {
    gw = await startGateway(backend.env());
  });
  after(async () => {
    await gw?.stop();
  });

  async function createClient(application: string, role: string) {
    const res = await gw.cli(['clients', 'create', '--name', 'Acme sync', '--application', application, '--role', role, '--json']);
    expect(res.code, res.stderr).to.equal(0);
    return JSON.parse(res.stdout) as { client_id: string; client_secret: string; roles: string[] };
  }

  async function tokenFor(client: { client_id: string; client_secret: string }): Promise<string> {
    const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        Authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const body = await res.json();
    expect(body).to.include({ token_type: 'Bearer', expires_in: 3600 });
    return body.access_token;
  }

  const call = (path: string, token?: string, method = 'GET') =>
    fetch(`${gw.baseUrl}${path}`, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });

  /** Signs a token with the issuer's real active key, as an attacker with a key leak could not. */
  async function signWithIssuerKey(claims: Record<string, unknown>, typ: string, expiresIn = 3600) {
    const store = await openGatewayStore(gw.env);
    try {
      const ring = new KeyRing(store, { algorithm: 'RS256', maxTokenLifetime: 3600 });
      await ring.init();
      const key = ring.active();
      const now = Math.floor(Date.now() / 1000);
      return await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ })
        .setIssuer(gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`)
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 7200 + expiresIn)
        .setJti(`crafted-${Math.random()}`)
        .sign(key.privateKey as KeyLike);
    } finally {
      await store.close();
    }
  }

  async function expectInvalidToken(res: Response, description: RegExp) {
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="portcullis", error="invalid_token", error_description="[^"]+"$/);
    const body = await res.json();
    expect(body.error).to.equal('invalid_token');
    expect(body.error_description).to.match(description);
  }

  it('answers a call without a token with a structured 401 and a bare Bearer challenge', async () => {
    const res = await call('/echo/hello');
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="portcullis"');
    const body = await res.json();
    expect(body).to.have.keys('error', 'error_description', 'request_id');
    expect(body.request_id).to.equal(res.headers.get('x-request-id'));
  });

  it('issues a token that reaches the echo API, which sees the verified identity', async () => {
    const client = await createClient('echo', 'echo-reader');
    const token = await tokenFor(client);
    const claims = decodeJwt(token);
    expect(claims).to.include({ sub: client.client_id, client_id: client.client_id, aud: 'urn:portcullis:application:echo' });
    const res = await fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${token}`, 'X-Portcullis-Roles': 'admin' } });
    expect(res.status).to.equal(200);
    const echo = await res.json();
    expect(echo).to.include({ upstream: 'echo', method: 'GET', path: '/echo/hello' });
    expect(echo.identity).to.deep.equal({
      'x-portcullis-application': 'echo',
      'x-portcullis-client-id': client.client_id,
      'x-portcullis-subject': client.client_id,
      'x-portcullis-roles': 'echo-reader',
      'x-portcullis-permissions': 'echo:read',
    });
  });

  it('refuses a write with 403 insufficient_scope naming the permission', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const res = await call('/echo/hello', token, 'POST');
    expect(res.status).to.equal(403);
    expect(res.headers.get('www-authenticate')).to.contain('error="insufficient_scope"').and.contain('scope="echo:write"');
    expect((await res.json()).scope).to.equal('echo:write');
  });

  it('lets a writer POST, and carries new roles in new tokens after `clients roles`', async () => {
    const client = await createClient('echo', 'echo-reader');
    const changed = await gw.cli(['clients', 'roles', client.client_id, '--role', 'echo-reader', '--role', 'echo-writer', '--json']);
    expect(changed.code, changed.stderr).to.equal(0);
    const token = await tokenFor(client);
    expect(decodeJwt(token).roles).to.deep.equal(['echo-reader', 'echo-writer']);
    expect((await call('/echo/hello', token, 'POST')).status).to.equal(200);
  });

  it('refuses a token for another application (one credential, one application)', async () => {
    const token = await tokenFor(await createClient('reports', 'reports-reader'));
    expect((await call('/reports/q1', token)).status).to.equal(200);
    await expectInvalidToken(await call('/echo/hello', token), /another application/);
  });

  it('stops honouring a disabled client\'s token within one second', async () => {
    const client = await createClient('echo', 'echo-reader');
    const token = await tokenFor(client);
    expect((await call('/echo/hello', token)).status).to.equal(200);
    const disabled = await gw.cli(['clients', 'disable', client.client_id, '--json']);
    expect(disabled.code, disabled.stderr).to.equal(0);
    const since = Date.now();
    let res = await call('/echo/hello', token);
    while (res.status === 200 && Date.now() - since < 1000) res = await call('/echo/hello', token);
    expect(Date.now() - since).to.be.below(1000);
    await expectInvalidToken(res, /disabled/);
    const refused = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
    });
    expect(refused.status).to.equal(401);
    expect((await refused.json()).error).to.equal('invalid_client');
  });

  it('refuses a tampered token', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.roles = ['echo-writer'];
    const tampered = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    await expectInvalidToken(await call('/echo/hello', tampered, 'POST'), /signature/);
  });

  it('refuses alg none', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const [h, p] = token.split('.');
    const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'none' };
    const unsigned = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.`;
    await expectInvalidToken(await call('/echo/hello', unsigned), /./);
  });

  it('refuses an HS256 token keyed with the issuer\'s public key (algorithm confusion)', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const jwks = await (await fetch(`${gw.baseUrl}/.well-known/jwks.json`)).json();
    const jwk = jwks.keys[0];
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(pem as string));
    await expectInvalidToken(await call('/echo/hello', forged), /algorithm/);
  });

  it('refuses an expired token', async () => {
    const client = await createClient('echo', 'echo-reader');
    const expired = await signWithIssuerKey({ client_id: client.client_id, sub: client.client_id, aud: 'urn:portcullis:application:echo', roles: ['echo-reader'] }, 'at+jwt', 3600);
    await expectInvalidToken(await call('/echo/hello', expired), /expired/);
  });

  it('refuses an ID token used as an access token', async () => {
    const client = await createClient('echo', 'echo-reader');
    const idToken = await signWithIssuerKey({ client_id: client.client_id, sub: client.client_id, aud: 'urn:portcullis:application:echo', roles: ['echo-reader'] }, 'JWT', 4 * 3600);
    await expectInvalidToken(await call('/echo/hello', idToken), /not an access token/);
  });

  it('treats a token only in the query string as no credentials: 401 with the bare challenge (RFC 6750 §3.1)', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const res = await call(`/echo/hello?access_token=${token}`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="portcullis"');
    expect((await res.json()).error).to.equal('unauthorized');
  });

  it('refuses a token in the query string and the header with 400 and the invalid_request challenge (RFC 6750 §3)', async () => {
    const token = await tokenFor(await createClient('echo', 'echo-reader'));
    const res = await call(`/echo/hello?access_token=${token}`, token);
    expect(res.status).to.equal(400);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="portcullis", error="invalid_request", error_description="the access token was sent in more than one way"');
    expect((await res.json()).error).to.equal('invalid_request');
  });
});
