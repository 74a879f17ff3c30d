import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  authorizeAndGetCode,
  authorizeParams,
  clientRedirect,
  createApp,
  createUser,
  decide,
  followFlow,
  locationOf,
  obtainTokens,
  redeemCode,
  refresh,
  signIn,
  startAuthorization,
  startFlowServer,
  type Agent,
  type FlowApp,
  type FlowUser,
} from '../helpers/browser-flow';
import { expectErrorRedirect, expectJsonError, expectNoStore } from '../helpers/wire-expect';
import { ISSUER, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * OpenID Connect Core 1.0 on the wire: the ID token (§2, §3.1.3.6 at_hash, §3.1.3.7 validation),
 * offline_access (§11), UserInfo (§5.3, errors per RFC 6750 §3), consent and the prompt / max_age
 * parameters (§3.1.2.1, §3.1.2.3-§3.1.2.6), refreshed ID tokens (§12.2), and discovery.
 */

const OIDC = 'openid profile email';

eachStore('OpenID Connect Core', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;

  before(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
  });
  after(() => server.close());

  /** §3.1.3.7: verifies an ID token against the published JWK Set (iss, aud, typ, signature). */
  async function verifyIdToken(idToken: string, app = web): Promise<JWTPayload> {
    const jwks = createLocalJWKSet(JSON.parse((await request(server.app).get('/.well-known/jwks.json')).text));
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: ISSUER, audience: app.clientId, typ: 'JWT', currentDate: new Date(server.now.ms) });
    expect(protectedHeader.alg).to.equal('RS256');
    return payload;
  }

  /** §3.1.3.6: base64url of the left half of SHA-256 of the access token's ASCII octets. */
  const atHash = (accessToken: string) => createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');

  /** A fresh browser signed in (and consented) through one full flow with `scope`; returns it. */
  async function signedInBrowser(scope = 'echo:read', who = user): Promise<Agent> {
    return (await authorizeAndGetCode(server, { app: web, user: who, params: { scope } })).agent;
  }

  describe('§2 / §3.1.3.3 the ID token', () => {
    it('scope openid: an id_token, verified against the JWKS, and no refresh_token without offline_access', async () => {
      const signInAt = Math.floor(server.now.ms / 1000);
      const body = await obtainTokens(server, { app: web, user, params: { scope: OIDC, nonce: 'n-0S6_WzA2Mj' } });
      expect(body).to.have.all.keys('access_token', 'token_type', 'expires_in', 'id_token', 'scope');
      expect(body.scope).to.equal(OIDC);
      expect(decodeProtectedHeader(body.id_token).typ).to.equal('JWT');

      const claims = await verifyIdToken(body.id_token);
      expect(claims).to.include({ iss: ISSUER, aud: web.clientId, sub: user.userId, nonce: 'n-0S6_WzA2Mj', auth_time: signInAt });
      expect(claims.at_hash).to.equal(atHash(body.access_token));
      expect(claims.exp! - claims.iat!).to.equal(3600);
      expect(claims).to.include({ preferred_username: user.username, name: user.name, email: user.email, email_verified: false });
    });

    it('openid alone releases no profile or email claims; no nonce when none was sent', async () => {
      const body = await obtainTokens(server, { app: web, user, params: { scope: 'openid' } });
      const claims = await verifyIdToken(body.id_token);
      expect(Object.keys(claims).sort()).to.deep.equal(['at_hash', 'aud', 'auth_time', 'exp', 'iat', 'iss', 'sub']);
    });

    it('no id_token without openid', async () => {
      const body = await obtainTokens(server, { app: web, user, params: { scope: 'echo:read profile' } });
      expect(body).to.not.have.property('id_token');
      expect(body.refresh_token).to.be.a('string');
    });

    it('§11 offline_access: a refresh_token; §12.2 the refreshed ID token keeps iss, sub, aud, auth_time and has no nonce', async () => {
      const body = await obtainTokens(server, { app: web, user, params: { scope: 'openid offline_access', nonce: 'abc' } });
      expect(body.refresh_token).to.match(/^pcr_/);
      const original = await verifyIdToken(body.id_token);
      server.now.ms += 30_000;
      const res = await refresh(server, web, body.refresh_token);
      expect(res.status, res.text).to.equal(200);
      const renewed = await verifyIdToken(res.body.id_token);
      expect(renewed).to.include({ iss: original.iss, sub: original.sub, aud: original.aud, auth_time: original.auth_time });
      expect(renewed.iat).to.equal(original.iat! + 30);
      expect(renewed).to.not.have.property('nonce');
      expect(renewed.at_hash).to.equal(atHash(res.body.access_token));
    });
  });

  describe('§5.3 UserInfo', () => {
    const userinfo = (token?: string, method: 'get' | 'post' = 'get') => {
      const test = request(server.app)[method]('/oauth2/userinfo');
      return token ? test.set('Authorization', `Bearer ${token}`) : test;
    };

    for (const method of ['get', 'post'] as const) {
      it(`${method.toUpperCase()} with the access token: sub plus the claims of profile and email`, async () => {
        const { access_token: token } = await obtainTokens(server, { app: web, user, params: { scope: OIDC } });
        const res = await userinfo(token, method);
        expect(res.status, res.text).to.equal(200);
        expectNoStore(res);
        expect(res.body).to.deep.equal({
          sub: user.userId,
          preferred_username: user.username,
          name: user.name,
          updated_at: res.body.updated_at,
          email: user.email,
          email_verified: false,
        });
        expect(res.body.updated_at).to.be.a('number');
      });
    }

    it('scope openid email: sub and email only', async () => {
      const { access_token: token } = await obtainTokens(server, { app: web, user, params: { scope: 'openid email' } });
      expect((await userinfo(token)).body).to.deep.equal({ sub: user.userId, email: user.email, email_verified: false });
    });

    it('a token without openid: 403 insufficient_scope with a Bearer challenge naming the scope', async () => {
      const { access_token: token } = await obtainTokens(server, { app: web, user, params: { scope: 'echo:read profile' } });
      const res = await userinfo(token);
      expectJsonError(res, 403, 'insufficient_scope');
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="insufficient_scope", error_description="[^"]+", scope="openid"$/);
    });

    it('no token: 401 with the bare challenge (RFC 6750 §3.1)', async () => {
      const res = await userinfo();
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
    });

    it('an ID token or garbage is not an access token: 401 invalid_token', async () => {
      const { id_token: idToken } = await obtainTokens(server, { app: web, user, params: { scope: 'openid' } });
      for (const token of [idToken, 'garbage', 'a.b.c']) {
        const res = await userinfo(token);
        expectJsonError(res, 401, 'invalid_token');
        expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_token"/);
      }
    });

    it('a disabled user: 401 invalid_token', async () => {
      const someone = await createUser(server);
      const { access_token: token } = await obtainTokens(server, { app: web, user: someone, params: { scope: 'openid' } });
      await server.portcullis.access.disableUser(someone.userId);
      expectJsonError(await userinfo(token), 401, 'invalid_token');
    });
  });

  describe('§3.1.2.4 consent', () => {
    it('is remembered: the next authorization of the signed-in user goes straight back with a code', async () => {
      const agent = await signedInBrowser();
      const params = authorizeParams(web);
      const url = clientRedirect(await startAuthorization(agent, params), web.redirectUri);
      expect(url.searchParams.get('code')).to.be.a('string');
      expect(url.searchParams.get('state')).to.equal(params.state);
    });

    it('is remembered across sign-ins: a new browser signs in and skips the consent page', async () => {
      const someone = await createUser(server);
      await signedInBrowser('echo:read', someone);
      const agent = request.agent(server.app);
      const afterSignIn = await signIn(agent, locationOf(await startAuthorization(agent, authorizeParams(web))), someone);
      const continued = await agent.get(locationOf(afterSignIn));
      expect(clientRedirect(continued, web.redirectUri).searchParams.get('code')).to.be.a('string');
    });

    it('is asked again for a scope not allowed before', async () => {
      const agent = await signedInBrowser('echo:read', await createUser(server));
      const res = await startAuthorization(agent, authorizeParams(web, { scope: 'echo:read openid' }));
      expect(locationOf(res)).to.match(/^\/oauth2\/consent\?interaction=/);
    });

    it('prompt=consent shows the consent page again', async () => {
      const agent = await signedInBrowser();
      const res = await startAuthorization(agent, authorizeParams(web, { prompt: 'consent' }));
      expect(locationOf(res)).to.match(/^\/oauth2\/consent\?interaction=/);
    });

    it('Deny: access_denied with state and iss, and nothing is remembered', async () => {
      const agent = request.agent(server.app);
      const params = authorizeParams(web, { scope: 'echo:read email' });
      const final = await followFlow(agent, await startAuthorization(agent, params), await createUser(server), 'deny');
      expectErrorRedirect(final, web.redirectUri, 'access_denied', params.state);
      expect(locationOf(await startAuthorization(agent, authorizeParams(web, { scope: 'echo:read email' })))).to.match(/^\/oauth2\/consent/);
    });
  });

  describe('§3.1.2.1 prompt and max_age', () => {
    it('prompt=login forces the sign-in page even with a session, and auth_time is the new sign-in', async () => {
      const agent = await signedInBrowser(OIDC);
      server.now.ms += 120_000;
      const res = await startAuthorization(agent, authorizeParams(web, { prompt: 'login', scope: OIDC }));
      expect(locationOf(res)).to.match(/^\/login\?interaction=/);
      const final = await followFlow(agent, res, user);
      const code = clientRedirect(final, web.redirectUri).searchParams.get('code')!;
      const body = (await redeemCode(server, web, { code })).body;
      expect((await verifyIdToken(body.id_token)).auth_time).to.equal(Math.floor(server.now.ms / 1000));
    });

    it('prompt=none without a session: login_required', async () => {
      const params = authorizeParams(web, { prompt: 'none' });
      expectErrorRedirect(await startAuthorization(request.agent(server.app), params), web.redirectUri, 'login_required', params.state);
    });

    it('prompt=none with a session but no consent for this app: consent_required', async () => {
      const agent = await signedInBrowser();
      const other = await createApp(server);
      const params = authorizeParams(other, { prompt: 'none' });
      expectErrorRedirect(await startAuthorization(agent, params), other.redirectUri, 'consent_required', params.state);
    });

    it('prompt=none with a session and consent: the code, without any page', async () => {
      const agent = await signedInBrowser();
      const url = clientRedirect(await startAuthorization(agent, authorizeParams(web, { prompt: 'none' })), web.redirectUri);
      expect((await redeemCode(server, web, { code: url.searchParams.get('code')! })).status).to.equal(200);
    });

    for (const prompt of ['none login', 'none consent', 'whatever']) {
      it(`prompt=${prompt}: invalid_request`, async () => {
        const params = authorizeParams(web, { prompt });
        expectErrorRedirect(await startAuthorization(request.agent(server.app), params), web.redirectUri, 'invalid_request', params.state);
      });
    }

    it('max_age=0 forces sign-in, even right after one (equivalent to prompt=login)', async () => {
      const agent = await signedInBrowser();
      expect(locationOf(await startAuthorization(agent, authorizeParams(web, { max_age: '0' })))).to.match(/^\/login\?interaction=/);
    });

    it('max_age: a sign-in older than it forces sign-in, a younger one does not', async () => {
      const agent = await signedInBrowser();
      server.now.ms += 120_000;
      expect(locationOf(await startAuthorization(agent, authorizeParams(web, { max_age: '60' })))).to.match(/^\/login\?interaction=/);
      expect(clientRedirect(await startAuthorization(agent, authorizeParams(web, { max_age: '3600' })), web.redirectUri).searchParams.has('code')).to.equal(true);
    });

    it('max_age that is not a non-negative integer: invalid_request', async () => {
      const params = authorizeParams(web, { max_age: '-1' });
      expectErrorRedirect(await startAuthorization(request.agent(server.app), params), web.redirectUri, 'invalid_request', params.state);
    });

    it('prompt=none with max_age exceeded: login_required', async () => {
      const agent = await signedInBrowser();
      server.now.ms += 120_000;
      const params = authorizeParams(web, { prompt: 'none', max_age: '60' });
      expectErrorRedirect(await startAuthorization(agent, params), web.redirectUri, 'login_required', params.state);
    });
  });

  it('a consent page reached after sign-in can be answered; a second answer finds the request gone', async () => {
    const agent = request.agent(server.app);
    const someone = await createUser(server);
    const afterSignIn = await signIn(agent, locationOf(await startAuthorization(agent, authorizeParams(web))), someone);
    const consentAt = locationOf(await agent.get(locationOf(afterSignIn)));
    expect(clientRedirect(await decide(agent, consentAt, 'allow'), web.redirectUri).searchParams.has('code')).to.equal(true);
    expect((await agent.get(consentAt)).status).to.equal(400);
  });

  it('discovery describes the authorization code flow', async () => {
    const metadata = JSON.parse((await request(server.app).get('/.well-known/openid-configuration')).text);
    expect(metadata).to.include({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth2/authorize`,
      userinfo_endpoint: `${ISSUER}/oauth2/userinfo`,
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.response_types_supported).to.deep.equal(['code']);
    expect(metadata.scopes_supported).to.include.members(['openid', 'profile', 'email', 'offline_access', 'echo:read', 'echo:write']);
    expect(metadata.grant_types_supported).to.include.members(['authorization_code', 'refresh_token']);
    expect(metadata.subject_types_supported).to.deep.equal(['public']);
    expect(metadata.id_token_signing_alg_values_supported).to.deep.equal(['RS256']);
  });
});
