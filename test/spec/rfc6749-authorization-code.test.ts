import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import {
  APP_ORIGIN,
  authorizeAndGetCode,
  authorizeParams,
  clientRedirect,
  createApp,
  createUser,
  echoStatus,
  followFlow,
  postAs,
  query,
  redeemCode,
  REDIRECT_URI,
  refresh,
  refusedWithinASecond,
  startAuthorization,
  startFlowServer,
  type FlowApp,
  type FlowUser,
} from '../helpers/browser-flow';
import { expectErrorRedirect, expectJsonError, expectNoStore, expectPage } from '../helpers/wire-expect';
import { ISSUER, TEST_APPLICATIONS, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 §4.1 on the wire: the authorization request (§4.1.1), the code response (§4.1.2) with
 * RFC 9207's `iss`, error responses (§4.1.2.1: a page when the client or redirect URI cannot be
 * trusted, a redirect otherwise), the token request (§4.1.3) and response (§4.1.4), exact redirect
 * URI matching (RFC 9700 §4.1.3), and what the guard makes of the resulting user token.
 */

const CODE_TTL_MS = 600_000;

eachStore('RFC 6749 §4.1 authorization code grant', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let pub: FlowApp;
  let user: FlowUser;
  const browser = () => request.agent(server.app);

  before(async () => {
    ({ server, web, pub, user } = await startFlowServer({ store: backend }));
  });
  after(() => server.close());

  describe('§4.1.1 / §4.1.2 the authorization response', () => {
    it('an unauthenticated browser is sent (303) to the sign-in page of this request', async () => {
      const res = await startAuthorization(browser(), authorizeParams(web));
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/login\?interaction=[A-Za-z0-9_-]{32}$/);
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('lands on redirect_uri with exactly code, state and iss (RFC 9207: iss is the issuer)', async () => {
      const { url, state } = await authorizeAndGetCode(server, { app: web, user });
      expect(`${url.origin}${url.pathname}`).to.equal(REDIRECT_URI);
      expect([...url.searchParams.keys()]).to.deep.equal(['code', 'state', 'iss']);
      expect(url.searchParams.get('state')).to.equal(state);
      expect(url.searchParams.get('iss')).to.equal(ISSUER);
      expect(url.searchParams.get('code')).to.match(/^pca_[A-Za-z0-9_-]{43}$/);
      expect(url.hash).to.equal('');
    });

    it('returns state exactly as received, whatever characters it holds', async () => {
      const state = 'a b+c/=&?é%20"<>';
      const { url } = await authorizeAndGetCode(server, { app: web, user, params: { state } });
      expect(url.searchParams.get('state')).to.equal(state);
    });

    it('omits state when the request had none', async () => {
      const { url } = await authorizeAndGetCode(server, { app: web, user, params: { state: undefined } });
      expect([...url.searchParams.keys()]).to.deep.equal(['code', 'iss']);
    });

    it('§3.1.2: keeps the query component of a registered redirect URI', async () => {
      const app = await createApp(server, { redirectUris: [`${APP_ORIGIN}/cb?tenant=a`] });
      const { url } = await authorizeAndGetCode(server, { app, user });
      expect(url.searchParams.get('tenant')).to.equal('a');
      expect(url.searchParams.get('code')).to.be.a('string');
    });

    it('§4.1.1: redirect_uri may be left out when exactly one is registered; then the token request may omit it', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user, params: { redirect_uri: undefined } });
      expect(`${result.url.origin}${result.url.pathname}`).to.equal(REDIRECT_URI);
      const res = await redeemCode(server, web, result, { redirect_uri: undefined });
      expect(res.status, res.text).to.equal(200);
    });

    it('also accepts the request as a POST form (OIDC Core §3.1.2.1)', async () => {
      const agent = browser();
      const res = await agent.post('/oauth2/authorize').type('form').send(query(authorizeParams(pub, { code_challenge: 'x'.repeat(43) })));
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/login\?interaction=/);
    });
  });

  describe('§4.1.2.1 errors that must not redirect (client or redirect URI not trusted)', () => {
    /** The request is refused on a page: 400, no Location, the error code shown. */
    async function expectRefusedPage(params: Record<string, string | undefined>, errorCode = 'invalid_request') {
      const res = await startAuthorization(browser(), params);
      expectPage(res, 400, errorCode);
      expect(res.text).to.not.include(REDIRECT_URI);
      return res;
    }

    it('unknown client_id', async () => {
      await expectRefusedPage(authorizeParams(web, { client_id: 'no-such-client' }));
    });

    it('missing client_id', async () => {
      await expectRefusedPage(authorizeParams(web, { client_id: undefined }));
    });

    it('a deactivated client', async () => {
      const app = await createApp(server);
      await server.portcullis.access.deactivateClient(app.clientId);
      await expectRefusedPage(authorizeParams(app), 'unauthorized_client');
    });

    it('a service client (client credentials only)', async () => {
      const { client } = await server.portcullis.clients.create({ name: 'svc', application: 'echo' });
      await expectRefusedPage({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI }, 'unauthorized_client');
    });

    const mismatches: Record<string, string> = {
      'another path': `${APP_ORIGIN}/other`,
      'a prefix of the registered URI': `${APP_ORIGIN}/call`,
      'the registered URI plus a path suffix': `${REDIRECT_URI}/extra`,
      'the registered URI plus a query': `${REDIRECT_URI}?next=/admin`,
      'a trailing slash': `${REDIRECT_URI}/`,
      'different case in the path': `${APP_ORIGIN}/Callback`,
      'different case in scheme and host': 'HTTPS://APP.EXAMPLE/callback',
      'a sub-domain of the registered host': 'https://evil.app.example/callback',
      'a fragment': `${REDIRECT_URI}#x`,
      'another port': 'https://app.example:8443/callback',
    };
    for (const [label, redirectUri] of Object.entries(mismatches)) {
      it(`RFC 9700 §4.1.3 exact matching: redirect_uri with ${label}`, async () => {
        await expectRefusedPage(authorizeParams(web, { redirect_uri: redirectUri }));
      });
    }

    it('redirect_uri left out while several are registered', async () => {
      const app = await createApp(server, { redirectUris: [REDIRECT_URI, `${APP_ORIGIN}/second`] });
      await expectRefusedPage(authorizeParams(app, { redirect_uri: undefined }));
    });

    it('a repeated client_id or redirect_uri (§3.1: parameters must not be repeated)', async () => {
      const base = query(authorizeParams(web));
      for (const extra of [`client_id=${web.clientId}`, `redirect_uri=${encodeURIComponent(REDIRECT_URI)}`]) {
        const res = await browser().get(`/oauth2/authorize?${base}&${extra}`);
        expectPage(res, 400, 'invalid_request');
      }
    });
  });

  describe('§4.1.2.1 errors sent back to the client with state and iss', () => {
    it('missing response_type: invalid_request', async () => {
      const params = authorizeParams(web, { response_type: undefined });
      expectErrorRedirect(await startAuthorization(browser(), params), REDIRECT_URI, 'invalid_request', params.state);
    });

    for (const responseType of ['token', 'id_token', 'code token', 'CODE']) {
      it(`response_type=${responseType}: unsupported_response_type`, async () => {
        const params = authorizeParams(web, { response_type: responseType });
        expectErrorRedirect(await startAuthorization(browser(), params), REDIRECT_URI, 'unsupported_response_type', params.state);
      });
    }

    for (const scope of ['billing:read', 'admin', 'echo:read  openid', 'echo:read\u00e9']) {
      it(`invalid scope ${JSON.stringify(scope)}: invalid_scope`, async () => {
        const params = authorizeParams(web, { scope });
        expectErrorRedirect(await startAuthorization(browser(), params), REDIRECT_URI, 'invalid_scope', params.state);
      });
    }

    it('a repeated parameter other than client_id/redirect_uri: invalid_request, redirected', async () => {
      const params = authorizeParams(web);
      const base = query(params);
      expectErrorRedirect(await browser().get(`/oauth2/authorize?${base}&scope=openid`), REDIRECT_URI, 'invalid_request', params.state);
    });

    it('a repeated state: invalid_request, and neither value is echoed', async () => {
      const base = query(authorizeParams(web));
      expectErrorRedirect(await browser().get(`/oauth2/authorize?${base}&state=other`), REDIRECT_URI, 'invalid_request', undefined);
    });

    it('the error goes to the redirect_uri given, when several are registered', async () => {
      const second = `${APP_ORIGIN}/second`;
      const app = await createApp(server, { redirectUris: [REDIRECT_URI, second] });
      const params = authorizeParams(app, { redirect_uri: second, response_type: 'token' });
      expectErrorRedirect(await startAuthorization(browser(), params), second, 'unsupported_response_type', params.state);
    });
  });

  describe('§4.1.3 / §4.1.4 the token request and response', () => {
    /** §5.1: a user token response for scope echo:read. */
    function expectUserTokenResponse(res: request.Response, scope = 'echo:read') {
      expect(res.status, res.text).to.equal(200);
      expectNoStore(res);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body).to.have.all.keys('access_token', 'token_type', 'expires_in', 'refresh_token', 'scope');
      expect(res.body.token_type).to.equal('Bearer');
      expect(res.body.expires_in).to.equal(3600);
      expect(res.body.scope).to.equal(scope);
      expect(res.body.refresh_token).to.match(/^pcr_[A-Za-z0-9_-]{43}$/);
    }

    it('client_secret_basic', async () => {
      expectUserTokenResponse(await redeemCode(server, web, await authorizeAndGetCode(server, { app: web, user }), {}, 'basic'));
    });

    it('client_secret_post', async () => {
      expectUserTokenResponse(await redeemCode(server, web, await authorizeAndGetCode(server, { app: web, user }), {}, 'post'));
    });

    it('a confidential client without PKCE', async () => {
      expectUserTokenResponse(await redeemCode(server, web, await authorizeAndGetCode(server, { app: web, user, pkce: false })));
    });

    it('a public client: client_id only, with PKCE', async () => {
      expectUserTokenResponse(await redeemCode(server, pub, await authorizeAndGetCode(server, { app: pub, user }), {}, 'none'));
    });

    it('echoes the granted scope in request order', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user, params: { scope: 'echo:write echo:read' } });
      expectUserTokenResponse(await redeemCode(server, web, result), 'echo:write echo:read');
    });

    it('a confidential client may not authenticate with client_id only: 401 invalid_client', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      expectJsonError(await redeemCode(server, web, result, {}, 'none'), 401, 'invalid_client');
    });

    it('a wrong secret: 401 invalid_client with a Basic challenge', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      const res = await redeemCode(server, { ...web, clientSecret: 'wrong' }, result, {}, 'basic');
      expectJsonError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).to.equal('Basic realm="portcullis", charset="UTF-8"');
    });

    it('a public client cannot use a grant that needs a secret (client_credentials): unauthorized_client', async () => {
      const res = await postAs(server, '/oauth2/token', pub, { grant_type: 'client_credentials' }, 'none');
      expectJsonError(res, 400, 'unauthorized_client');
      expect(res.body).to.not.have.property('access_token');
    });

    it('missing code: invalid_request; unknown code: invalid_grant', async () => {
      expectJsonError(await redeemCode(server, web, { code: undefined as unknown as string }), 400, 'invalid_request');
      expectJsonError(await redeemCode(server, web, { code: 'pca_unknown' }), 400, 'invalid_grant');
    });

    it('a redirect_uri different from the authorization request: invalid_grant', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      expectJsonError(await redeemCode(server, web, result, { redirect_uri: `${APP_ORIGIN}/other` }), 400, 'invalid_grant', /redirect_uri/);
    });

    it('redirect_uri left out although the authorization request had it: invalid_grant', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      expectJsonError(await redeemCode(server, web, result, { redirect_uri: undefined }), 400, 'invalid_grant', /redirect_uri/);
    });

    it('the code of another client: invalid_grant', async () => {
      const other = await createApp(server);
      const result = await authorizeAndGetCode(server, { app: web, user });
      expectJsonError(await redeemCode(server, other, result), 400, 'invalid_grant', /another client/);
    });

    it('a code expires after 600 s: still good just before, invalid_grant just after', async () => {
      const fresh = await authorizeAndGetCode(server, { app: web, user });
      const stale = await authorizeAndGetCode(server, { app: web, user });
      server.now.ms += CODE_TTL_MS - 1000;
      expect((await redeemCode(server, web, fresh)).status).to.equal(200);
      server.now.ms += 2000;
      expectJsonError(await redeemCode(server, web, stale), 400, 'invalid_grant');
    });

    it('a code used twice: invalid_grant, and what the first use issued is revoked', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      const first = await redeemCode(server, web, result);
      expect(first.status).to.equal(200);
      expect(await echoStatus(server, first.body.access_token)).to.equal(200);

      expectJsonError(await redeemCode(server, web, result), 400, 'invalid_grant', /already used/);
      await refusedWithinASecond(server, first.body.access_token);
      expectJsonError(await refresh(server, web, first.body.refresh_token), 400, 'invalid_grant');
    });
  });

  describe('the user access token at the guard', () => {
    it('sub is the user id, roles are the user roles for the app, aud the app audience; GET allowed, POST 403', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      const { access_token: token } = (await redeemCode(server, web, result)).body;
      const claims = decodeJwt(token);
      expect(claims).to.include({ sub: user.userId, client_id: web.clientId, iss: ISSUER, aud: TEST_APPLICATIONS.echo.audience, scope: 'echo:read' });
      expect(claims.roles).to.deep.equal(['echo-reader']);
      expect(claims.auth_time).to.be.a('number');

      const get = await request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);
      expect(get.status).to.equal(200);
      expect(get.body.identity).to.include({ 'x-portcullis-subject': user.userId, 'x-portcullis-client-id': web.clientId, 'x-portcullis-roles': 'echo-reader' });

      const post = await request(server.app).post('/echo/hello').set('Authorization', `Bearer ${token}`);
      expect(post.status).to.equal(403);
      expect(post.body.error).to.equal('insufficient_scope');
      expect(post.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="insufficient_scope"/);
    });

    it('a user without roles in the app gets a token with no roles, refused at the guard', async () => {
      const nobody = await createUser(server, { roles: {} });
      const result = await authorizeAndGetCode(server, { app: web, user: nobody });
      const { access_token: token } = (await redeemCode(server, web, result)).body;
      expect(decodeJwt(token).roles).to.deep.equal([]);
      expect(await echoStatus(server, token)).to.equal(403);
    });

    it('the token is for its application only: another application refuses it', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      const { access_token: token } = (await redeemCode(server, web, result)).body;
      const res = await request(server.app).get('/billing/x').set('Authorization', `Bearer ${token}`);
      expect(res.status).to.equal(401);
    });
  });

  it('an interaction finishes once: continuing it after the code was issued shows the expired page', async () => {
    const agent = browser();
    const start = await startAuthorization(agent, authorizeParams(web));
    expect(clientRedirect(await followFlow(agent, start, user), REDIRECT_URI).searchParams.get('code')).to.be.a('string');
    const again = await agent.get(start.headers.location.replace('/login', '/oauth2/authorize/continue'));
    expectPage(again, 400, 'invalid_request');
  });
});
