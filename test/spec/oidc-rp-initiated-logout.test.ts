import { expect } from 'chai';
import request from 'supertest';
import { authorizeParams, formFields, obtainTokens, REDIRECT_URI, startAuthorization, startFlowServer, type Agent, type FlowApp, type FlowUser } from '../helpers/browser-flow';
import type { TestServer } from '../helpers/test-portcullis';
import { expectPage, expectPageHeaders } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/** OpenID Connect RP-Initiated Logout 1.0: `end_session_endpoint` is `/logout`. */
eachStore('OpenID Connect RP-Initiated Logout 1.0', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;
  let agent: Agent;
  let idToken: string;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
    agent = request.agent(server.app);
    idToken = (await obtainTokens(server, { app: web, user, agent, params: { scope: 'openid' } })).id_token;
  });
  afterEach(() => server.close());

  const signedIn = async () => (await startAuthorization(agent, authorizeParams(web, { scope: 'openid', prompt: 'none' }))).headers.location?.includes('code=');

  it('discovery names the end_session_endpoint', async () => {
    const res = await request(server.app).get('/.well-known/openid-configuration');
    expect(res.body.end_session_endpoint).to.equal(`${res.body.issuer}/logout`);
  });

  it('§2-§3: asks to confirm, ends the session, and returns to the registered post_logout_redirect_uri with state', async () => {
    expect(await signedIn()).to.equal(true);
    const page = await agent.get('/logout').query({ id_token_hint: idToken, post_logout_redirect_uri: REDIRECT_URI, state: 'bye-1' });
    expectPage(page, 200);
    expectPageHeaders(page);
    expect(page.headers['content-security-policy']).to.contain(new URL(REDIRECT_URI).origin);
    const fields = formFields(page.text);
    expect(fields).to.include({ post_logout_redirect_uri: REDIRECT_URI, client_id: web.clientId, state: 'bye-1' });
    const done = await agent.post('/logout').type('form').send(fields);
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal(`${REDIRECT_URI}?state=bye-1`);
    expect(await signedIn()).to.equal(false);
  });

  it('accepts client_id instead of id_token_hint, and without a redirect just signs out', async () => {
    const page = await agent.get('/logout');
    const done = await agent.post('/logout').type('form').send(formFields(page.text));
    expectPage(done, 200);
    expect(done.text).to.contain('You are signed out.');
    expect(await signedIn()).to.equal(false);
    const withClient = await agent.get('/logout').query({ client_id: web.clientId, post_logout_redirect_uri: REDIRECT_URI });
    expect(formFields(withClient.text)).to.include({ client_id: web.clientId });
  });

  for (const [what, query] of [
    ['an unregistered post_logout_redirect_uri', () => ({ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/bye' })],
    ['a post_logout_redirect_uri without a client', () => ({ post_logout_redirect_uri: REDIRECT_URI })],
    ['a forged id_token_hint', () => ({ id_token_hint: `${idToken.split('.').slice(0, 2).join('.')}.AAAA`, post_logout_redirect_uri: REDIRECT_URI })],
    ['a client_id that contradicts the hint', () => ({ id_token_hint: idToken, client_id: 'pcc_other', post_logout_redirect_uri: REDIRECT_URI })],
  ] as const) {
    it(`refuses ${what} with an error page, never a redirect, and keeps the session`, async () => {
      const res = await agent.get('/logout').query(query());
      expectPage(res, 400, 'invalid_request');
      expect(res.headers.location).to.equal(undefined);
      expect(await signedIn()).to.equal(true);
    });
  }

  describe('§2: id_token_hint is an ID token this OP issued, not any JWT it signed', () => {
    let accessToken: string;
    beforeEach(async () => {
      accessToken = (await obtainTokens(server, { app: web, user, agent, params: { scope: 'openid' } })).access_token;
    });

    const refusedAsHint = async (query: Record<string, string>) => {
      const res = await agent.get('/logout').query(query);
      expectPage(res, 400, 'invalid_request');
      expect(res.text).to.contain('id_token_hint is not an ID token of this issuer');
      expect(formFields(res.text), 'no sign-out form').to.not.have.property('csrf_token');
      expect(await signedIn(), 'the session is kept').to.equal(true);
    };

    it('an access token of this OP (typ at+jwt, RFC 9068 §2.1) is refused like any invalid hint', async () => {
      await refusedAsHint({ id_token_hint: accessToken });
    });

    it('also with the client_id and a registered post_logout_redirect_uri', async () => {
      await refusedAsHint({ id_token_hint: accessToken, client_id: web.clientId, post_logout_redirect_uri: REDIRECT_URI });
    });

    it('also at the sign-out POST (the form is re-checked there)', async () => {
      const form = formFields((await agent.get('/logout')).text);
      const res = await agent.post('/logout').type('form').send({ ...form, id_token_hint: accessToken });
      expectPage(res, 400, 'invalid_request');
      expect(res.text).to.contain('id_token_hint is not an ID token of this issuer');
      expect(await signedIn()).to.equal(true);
    });
  });

  it('a sign-out POST without the CSRF token changes nothing', async () => {
    const res = await agent.post('/logout').type('form').send({ post_logout_redirect_uri: REDIRECT_URI, client_id: web.clientId });
    expect(res.status).to.equal(403);
    expect(await signedIn()).to.equal(true);
  });
});
