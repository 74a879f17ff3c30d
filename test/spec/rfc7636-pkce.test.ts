import { expect } from 'chai';
import request from 'supertest';
import {
  authorizeAndGetCode,
  authorizeParams,
  createApp,
  createUser,
  pkcePair,
  redeemCode,
  REDIRECT_URI,
  startAuthorization,
  startFlowServer,
  type FlowApp,
  type FlowUser,
} from '../helpers/browser-flow';
import { expectErrorRedirect, expectJsonError } from '../helpers/wire-expect';
import { startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7636 (PKCE) on the wire: the challenge in the authorization request (§4.3), its checks
 * (§4.4.1), the verifier at the token endpoint (§4.5, §4.6), discovery (RFC 8414
 * `code_challenge_methods_supported`), public clients (RFC 9700 §2.1.1) and the downgrade
 * defence of RFC 9700 §4.8.2 (a verifier without a challenge).
 */

/** RFC 7636 Appendix B's example pair. */
const APPENDIX_B = { verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' };

async function discoveredMethods(server: TestServer): Promise<string[]> {
  return (await request(server.app).get('/.well-known/oauth-authorization-server')).body.code_challenge_methods_supported;
}

eachStore('RFC 7636 PKCE', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let pub: FlowApp;
  let user: FlowUser;

  before(async () => {
    ({ server, web, pub, user } = await startFlowServer({ store: backend }));
  });
  after(() => server.close());

  /** The code of an authorization request with these PKCE parameters (and no helper-made pair). */
  function codeWith(app: FlowApp, params: Record<string, string | undefined>) {
    return authorizeAndGetCode(server, { app, user, pkce: false, params });
  }

  describe('§4.3 / §4.5 / §4.6 successful exchanges', () => {
    it('S256, public client', async () => {
      const result = await authorizeAndGetCode(server, { app: pub, user });
      expect((await redeemCode(server, pub, result)).status).to.equal(200);
    });

    it('S256 with the Appendix B example verifier', async () => {
      const { code } = await codeWith(pub, { code_challenge: APPENDIX_B.challenge, code_challenge_method: 'S256' });
      expect((await redeemCode(server, pub, { code, verifier: APPENDIX_B.verifier })).status).to.equal(200);
    });

    it('plain, with the method given', async () => {
      const { verifier } = pkcePair();
      const { code } = await codeWith(pub, { code_challenge: verifier, code_challenge_method: 'plain' });
      expect((await redeemCode(server, pub, { code, verifier })).status).to.equal(200);
    });

    it('plain by default when code_challenge_method is absent (§4.3)', async () => {
      const { verifier } = pkcePair();
      const { code } = await codeWith(pub, { code_challenge: verifier });
      expect((await redeemCode(server, pub, { code, verifier })).status).to.equal(200);
    });

    it('a 128-character verifier of every unreserved character class', async () => {
      const verifier = 'A-z.0_9~'.repeat(16);
      const { code } = await codeWith(web, { code_challenge: verifier, code_challenge_method: 'plain' });
      expect((await redeemCode(server, web, { code, verifier })).status).to.equal(200);
    });
  });

  describe('§4.4.1 errors in the authorization request: redirected invalid_request', () => {
    const cases: Record<string, Record<string, string | undefined>> = {
      'a public client without code_challenge': { client: 'public' },
      'a challenge that is too short (42 characters)': { code_challenge: 'a'.repeat(42), code_challenge_method: 'plain' },
      'a challenge that is too long (129 characters)': { code_challenge: 'a'.repeat(129), code_challenge_method: 'plain' },
      'a challenge with a character outside [A-Za-z0-9-._~]': { code_challenge: `${'a'.repeat(42)}+`, code_challenge_method: 'plain' },
      'an unknown method': { code_challenge: APPENDIX_B.challenge, code_challenge_method: 'S512' },
      'the method in lower case': { code_challenge: APPENDIX_B.challenge, code_challenge_method: 's256' },
      'a method without a challenge': { code_challenge_method: 'S256' },
    };
    for (const [label, { client, ...params }] of Object.entries(cases)) {
      it(label, async () => {
        const app = client === 'public' ? pub : web;
        const all = authorizeParams(app, params);
        expectErrorRedirect(await startAuthorization(request.agent(server.app), all), REDIRECT_URI, 'invalid_request', all.state);
      });
    }
  });

  describe('§4.6 errors at the token endpoint: invalid_grant', () => {
    it('a wrong verifier', async () => {
      const result = await authorizeAndGetCode(server, { app: pub, user });
      expectJsonError(await redeemCode(server, pub, { code: result.code, verifier: pkcePair().verifier }), 400, 'invalid_grant', /code_verifier/);
    });

    it('the challenge itself as the verifier of an S256 request', async () => {
      const { code } = await codeWith(pub, { code_challenge: APPENDIX_B.challenge, code_challenge_method: 'S256' });
      expectJsonError(await redeemCode(server, pub, { code, verifier: APPENDIX_B.challenge }), 400, 'invalid_grant');
    });

    it('a challenge in the request but no verifier at the token endpoint', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      expectJsonError(await redeemCode(server, web, { code: result.code }), 400, 'invalid_grant', /code_verifier is required/);
    });

    it('a verifier without a challenge (RFC 9700 §4.8.2 downgrade)', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user, pkce: false });
      expectJsonError(await redeemCode(server, web, { code: result.code, verifier: pkcePair().verifier }), 400, 'invalid_grant', /no code_challenge/);
    });

    it('a malformed verifier (too short)', async () => {
      const result = await authorizeAndGetCode(server, { app: pub, user });
      expectJsonError(await redeemCode(server, pub, { code: result.code, verifier: result.verifier!.slice(0, 42) }), 400, 'invalid_grant');
    });

    it('a failed verifier burns the code: the right verifier afterwards is refused too', async () => {
      const result = await authorizeAndGetCode(server, { app: pub, user });
      expect((await redeemCode(server, pub, { code: result.code, verifier: pkcePair().verifier })).status).to.equal(400);
      expectJsonError(await redeemCode(server, pub, result), 400, 'invalid_grant');
    });
  });

  it('discovery lists S256 and plain while plain is allowed', async () => {
    expect(await discoveredMethods(server)).to.deep.equal(['S256', 'plain']);
  });

  describe('with pkce.allowPlain = false', () => {
    let strict: TestServer;
    let app: FlowApp;
    before(async () => {
      strict = await startTestServer({ store: backend, settings: testSettings({ pkce: { allowPlain: false } }) });
      app = await createApp(strict, { type: 'public' });
    });
    after(() => strict.close());

    for (const method of ['plain', undefined]) {
      it(`code_challenge_method=${method ?? '(absent, meaning plain)'} is redirected invalid_request`, async () => {
        const params = authorizeParams(app, { code_challenge: pkcePair().verifier, code_challenge_method: method });
        const res = await startAuthorization(request.agent(strict.app), params);
        const url = expectErrorRedirect(res, REDIRECT_URI, 'invalid_request', params.state);
        expect(url.searchParams.get('error_description')).to.match(/plain/);
      });
    }

    it('S256 still works', async () => {
      const strictUser = await createUser(strict);
      const result = await authorizeAndGetCode(strict, { app, user: strictUser });
      expect((await redeemCode(strict, app, result)).status).to.equal(200);
    });

    it('discovery lists only S256', async () => {
      expect(await discoveredMethods(strict)).to.deep.equal(['S256']);
    });
  });
});
