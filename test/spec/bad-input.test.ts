import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  authorizeAndGetCode,
  authorizeParams,
  createApp,
  createUser,
  echoStatus,
  formFields,
  locationOf,
  obtainTokens,
  query,
  redeemCode,
  refresh,
  signIn,
  startAuthorization,
  startFlowServer,
  type FlowApp,
  type FlowUser,
  type Res,
} from '../helpers/browser-flow';
import { expectJsonError, expectNoInternals, expectPage } from '../helpers/wire-expect';
import type { TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * Hostile and broken input at every endpoint of the authorization code flow: missing, repeated,
 * wrongly typed (array/object syntax), very long (100 KB) and non-UTF-8 parameters, broken headers
 * and cookies. Never a 5xx, never internals; always the endpoint's own error format (RFC 6749 §5.2
 * JSON, RFC 6750 §3 challenges, HTML pages for the browser); and the stored data survives.
 */

const HUGE = 'x'.repeat(100 * 1024);
/** Bytes that are not UTF-8 (a lone continuation byte, an invalid lead byte, a truncated sequence). */
const NOT_UTF8 = Buffer.from([0x80, 0xff, 0xfe, 0xc3, 0x28, 0xe0, 0xa4]);
const NOT_UTF8_FORM = Buffer.concat([Buffer.from('grant_type='), NOT_UTF8, Buffer.from('&token='), NOT_UTF8, Buffer.from('&client_id='), NOT_UTF8]);
const PERCENT_GARBAGE = '%FF%FE%C3%28=%E0%A4%A&%%%&&==&a=%';

/** Bodies no form endpoint should choke on, by label. */
const BAD_BODIES: Record<string, { type?: string; body?: string | Buffer }> = {
  'no body': {},
  'a JSON body': { type: 'application/json', body: '{"grant_type":"client_credentials","token":"x"}' },
  'a text body': { type: 'text/plain', body: 'grant_type=client_credentials' },
  'a 100 KB form': { type: 'application/x-www-form-urlencoded', body: `grant_type=refresh_token&refresh_token=${HUGE}` },
  'a non-UTF-8 form': { type: 'application/x-www-form-urlencoded', body: NOT_UTF8_FORM },
  'percent-encoding garbage': { type: 'application/x-www-form-urlencoded', body: PERCENT_GARBAGE },
  'a repeated parameter': { type: 'application/x-www-form-urlencoded', body: 'grant_type=refresh_token&grant_type=client_credentials&token=a&token=b' },
  'array and object syntax': { type: 'application/x-www-form-urlencoded', body: 'grant_type[]=refresh_token&token[a]=b&client_id[]=x' },
};

eachStore('Bad input never breaks the issuer', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;
  let kept: { access_token: string; refresh_token: string };

  before(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
    kept = (await obtainTokens(server, { app: web, user })) as typeof kept;
  });
  after(() => server.close());

  /** A client-side error (4xx), with nothing internal in the body. */
  function expectClientError(res: Res): void {
    expect(res.status, res.text).to.be.within(400, 499);
    expectNoInternals(res.text);
  }

  /** POSTs `body` with `type` (both optional) to `path`, as the web client when `auth`. */
  function postRaw(path: string, { type, body }: { type?: string; body?: string | Buffer }, auth = true) {
    const test = request(server.app).post(path);
    if (auth) test.auth(web.clientId, web.clientSecret!);
    if (type) test.set('Content-Type', type);
    return body === undefined ? test : test.send(body);
  }

  describe('token, revocation and introspection endpoints: RFC 6749 §5.2 JSON errors', () => {
    for (const path of ['/oauth2/token', '/oauth2/revoke', '/oauth2/introspect']) {
      for (const [label, input] of Object.entries(BAD_BODIES)) {
        it(`${path} with ${label}`, async () => {
          const res = await postRaw(path, input);
          // RFC 9110 §15.5.14: the 100 KB form is over the 16 KiB limit.
          expectJsonError(res, label === 'a 100 KB form' ? 413 : res.status === 401 ? 401 : 400, res.body.error);
          expect(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_grant']).to.include(res.body.error);
        });
      }

      it(`${path} with broken Authorization headers: invalid_client or invalid_request`, async () => {
        const headers = [
          'Basic',
          'Basic !!!!',
          `Basic ${Buffer.from('no-colon').toString('base64')}`,
          `Basic ${Buffer.from('%ZZ:%ZZ').toString('base64')}`,
          `Basic ${Buffer.from(NOT_UTF8).toString('base64')}`,
          `Basic ${Buffer.from(`${web.clientId}:${'y'.repeat(8000)}`).toString('base64')}`,
          'Bearer abc',
          'Digest username="x"',
        ];
        for (const header of headers) {
          const res = await request(server.app).post(path).set('Authorization', header).type('form').send('grant_type=client_credentials&token=x');
          expectJsonError(res, res.status, res.body.error);
          expect([[401, 'invalid_client'], [400, 'invalid_request']]).to.deep.include([res.status, res.body.error]);
        }
      });
    }

    it('the token endpoint with hostile parameter values: invalid_grant / invalid_scope / unsupported_grant_type', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ grant_type: 'authorization_code', code: 'c'.repeat(15000), redirect_uri: web.redirectUri }, 'invalid_grant'],
        [{ grant_type: 'authorization_code', code: '\u0000\u202e', code_verifier: '\u00e9'.repeat(50) }, 'invalid_grant'],
        [{ grant_type: 'refresh_token', refresh_token: kept.refresh_token, scope: 'echo:read\u0007' }, 'invalid_scope'],
        [{ grant_type: 'refresh_token', refresh_token: `${kept.refresh_token}\u0000` }, 'invalid_grant'],
        [{ grant_type: '\u00ff'.repeat(1000) }, 'unsupported_grant_type'],
        [{ grant_type: 'password', username: user.username, password: user.password }, 'unsupported_grant_type'],
      ];
      for (const [form, error] of cases) expectJsonError(await request(server.app).post('/oauth2/token').auth(web.clientId, web.clientSecret!).type('form').send(query(form)), 400, error);
    });

    it('a 100 KB body sent in chunks without Content-Length', async () => {
      // Raw node:http: supertest would add a Content-Length next to Transfer-Encoding, which
      // Node's parser itself refuses before the issuer sees the request.
      const listener = http.createServer(server.app).listen(0);
      try {
        const { port } = listener.address() as AddressInfo;
        const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
          const req = http.request({ port, method: 'POST', path: '/oauth2/token', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' } }, (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
          });
          req.on('error', reject);
          for (let i = 0; i < 25; i++) req.write('x'.repeat(4096));
          req.end();
        });
        expect(answer.status).to.equal(413);
        expect(answer.type).to.match(/^application\/json/);
        expect(JSON.parse(answer.body)).to.include({ error: 'invalid_request', error_description: 'request body too large' });
      } finally {
        listener.close();
      }
    });
  });

  describe('userinfo: RFC 6750 errors', () => {
    const cases: Record<string, Record<string, string>> = {
      'an empty Bearer': { Authorization: 'Bearer' },
      'a token with spaces': { Authorization: 'Bearer a b c' },
      'an 8 KB garbage token': { Authorization: `Bearer ${'z'.repeat(8000)}` },
      'a JWT-shaped garbage token': { Authorization: 'Bearer eyJ.eyJ.sig' },
      'an alg none token': { Authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"at+jwt","kid":"../../etc"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.` },
      'a header that is not JSON': { Authorization: `Bearer ${Buffer.from('\u00ff\u00fe').toString('base64url')}.e30.e30` },
      'a non-ASCII header value': { Authorization: 'Bearer \u00e9\u00e9' },
    };
    for (const [label, headers] of Object.entries(cases)) {
      it(label, async () => {
        const res = await request(server.app).get('/oauth2/userinfo').set(headers);
        expectJsonError(res, res.status, res.body.error);
        expect([[401, 'invalid_token'], [400, 'invalid_request']]).to.deep.include([res.status, res.body.error]);
        if (res.status === 401) expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_token"/);
        if (res.status === 400) expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_request", error_description="[^"]+"$/);
      });
    }

    it('the token only in the query: 401 with the bare challenge (RFC 6750 §3.1: no credentials)', async () => {
      const res = await request(server.app).get(`/oauth2/userinfo?access_token=${kept.access_token}`);
      expectJsonError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
    });

    it('the token in the query and the header, or two Authorization headers: 400 invalid_request with the Bearer challenge (RFC 6750 §3)', async () => {
      const both = await request(server.app).get(`/oauth2/userinfo?access_token=${kept.access_token}`).set('Authorization', `Bearer ${kept.access_token}`);
      expectJsonError(both, 400, 'invalid_request');
      expect(both.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_request", error_description="the access token was sent in more than one way"$/);
      const twice = await request(server.app).get('/oauth2/userinfo').set('Authorization', [`Bearer ${kept.access_token}`, `Bearer ${kept.access_token}`] as unknown as string);
      expectJsonError(twice, 400, 'invalid_request');
      expect(twice.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_request", error_description="more than one Authorization header"$/);
    });

    it('a POST with a broken body is answered from the header alone', async () => {
      const res = await request(server.app).post('/oauth2/userinfo').set('Authorization', `Bearer ${kept.access_token}`).type('form').send(NOT_UTF8);
      expectJsonError(res, 403, 'insufficient_scope');
    });
  });

  describe('authorization endpoint: a page before the client is trusted, a redirect after', () => {
    const pages: Record<string, string> = {
      'no parameters': '',
      'percent-encoding garbage': PERCENT_GARBAGE,
      'a non-UTF-8 client_id': 'client_id=%FF%FE&response_type=code',
      'array syntax for client_id': 'client_id[]=a&client_id[]=b&response_type=code',
      'a 12 KB client_id': `client_id=${'c'.repeat(12000)}`,
    };
    for (const [label, search] of Object.entries(pages)) {
      it(`${label}: 400 page`, async () => {
        expectPage(await request(server.app).get(`/oauth2/authorize?${search}`), 400, 'invalid_request');
      });
    }

    it('a 100 KB query: refused by the HTTP server (431), not a 5xx', async () => {
      // Node's HTTP server answers 431 and closes the connection at once; from Node 24 on, the
      // client may see the close (ECONNRESET) before it reads the 431. Either way: no 5xx, nothing served.
      const answer = await request(server.app).get(`/oauth2/authorize?client_id=${web.clientId}&state=${HUGE}`).then(
        (res) => res.status,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(answer).to.be.oneOf([431, 'ECONNRESET', 'EPIPE']);
    });

    it('a 100 KB POST form: 413 page (RFC 9110 §15.5.14)', async () => {
      const res = await request(server.app).post('/oauth2/authorize').type('form').send(`client_id=${web.clientId}&state=${HUGE}`);
      expectPage(res, 413, 'invalid_request');
    });

    it('a JSON or non-UTF-8 POST: 400 page', async () => {
      expectPage(await request(server.app).post('/oauth2/authorize').set('Content-Type', 'application/json').send('{"client_id":"x"}'), 400, 'invalid_request');
      expectPage(await request(server.app).post('/oauth2/authorize').type('form').send(NOT_UTF8), 400, 'invalid_request');
    });

    it('hostile values once the client is trusted: redirected errors, with the state as sent', async () => {
      for (const [overrides, error] of [
        [{ scope: '\u00e9\u0000' }, 'invalid_scope'],
        [{ response_type: 'code\u0000' }, 'unsupported_response_type'],
        [{ code_challenge: '\u00ff'.repeat(50) }, 'invalid_request'],
        [{ max_age: '1e9999' }, 'invalid_request'],
        [{ nonce: 'n'.repeat(2000) }, 'invalid_request'],
        [{ request: 'eyJ.eyJ.' }, 'request_not_supported'],
        [{ request_uri: 'https://evil.example/r' }, 'request_uri_not_supported'],
        [{ response_mode: 'fragment' }, 'invalid_request'],
      ] as Array<[Record<string, string>, string]>) {
        const params = authorizeParams(web, { state: '\u00e9\u0001<>"', ...overrides });
        const res = await startAuthorization(request.agent(server.app), params);
        expect(res.status, `${JSON.stringify(overrides)}: ${res.text}`).to.equal(303);
        const url = new URL(locationOf(res));
        expect(url.searchParams.get('error'), JSON.stringify(overrides)).to.equal(error);
        expect(url.searchParams.get('state')).to.equal(params.state);
      }
    });

    it('continue, consent and sign-in pages with wrongly typed or unknown interaction ids: 400 page or the plain form', async () => {
      for (const path of ['/oauth2/authorize/continue', '/oauth2/consent']) {
        for (const search of ['', '?interaction[]=a', '?interaction[a]=b', `?interaction=${'A'.repeat(32)}`, '?interaction=%FF%00', `?interaction=${'x'.repeat(10000)}`]) {
          expectPage(await request(server.app).get(`${path}${search}`), 400);
        }
      }
      for (const search of ['?interaction[]=a&return_to[x]=y', '?return_to=%FF%00', `?interaction=${'x'.repeat(10000)}`]) {
        expectPage(await request(server.app).get(`/login${search}`), 200);
      }
    });
  });

  describe('sign-in, consent and sign-out forms: pages, never 5xx', () => {
    for (const path of ['/login', '/oauth2/consent', '/logout']) {
      for (const [label, input] of Object.entries(BAD_BODIES)) {
        it(`POST ${path} with ${label}`, async () => {
          const res = await postRaw(path, input, false);
          expectClientError(res);
          expectPage(res, res.status);
        });
      }
    }

    it('POST /login with a valid CSRF token but hostile credentials: the generic 401 (or the lockout 429)', async () => {
      const agent = request.agent(server.app);
      const csrf = formFields((await agent.get('/login')).text).csrf_token;
      for (const [username, password] of [['u'.repeat(10000), 'p'], [user.username, 'p'.repeat(15000)], ['\u0000', '\u0000'], ['\u00e9\u00ff', NOT_UTF8.toString('latin1')]]) {
        const res = await agent.post('/login').type('form').send(query({ csrf_token: csrf, username, password }));
        expect(res.status).to.be.oneOf([401, 429]);
        expectPage(res, res.status);
      }
    });

    it('broken cookies are ignored, not fatal', async () => {
      for (const cookie of ['portcullis_session=%E0%A4%A; portcullis_csrf="', `portcullis_session=${'s'.repeat(5000)}`, ';;;=;=', 'portcullis_csrf=\u00ff']) {
        const res = await request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web))}`).set('Cookie', cookie);
        expect(locationOf(res)).to.match(/^\/login\?interaction=/);
        expectPage(await request(server.app).get('/login').set('Cookie', cookie), 200);
      }
    });
  });

  it('afterwards the stored data is intact: the earlier refresh token works, sign-in and a new code work', async () => {
    server.now.ms += 301_000; // past any sign-in lockout the hostile sign-ins above may have caused
    const res = await refresh(server, web, kept.refresh_token);
    expect(res.status, res.text).to.equal(200);
    expect(await echoStatus(server, res.body.access_token)).to.equal(200);
    const result = await authorizeAndGetCode(server, { app: web, user });
    expect((await redeemCode(server, web, result)).status).to.equal(200);
    const agent = request.agent(server.app);
    expect((await signIn(agent, '/login', user)).status).to.equal(200);
    expect((await server.portcullis.users.get(user.userId)).status).to.equal('active');
    expect((await server.portcullis.clients.get(web.clientId)).status).to.equal('active');
  });

  it('a second, unrelated user and app created afterwards work too (nothing global was poisoned)', async () => {
    const [app, someone] = await Promise.all([createApp(server, { type: 'public' }), createUser(server)]);
    const result = await authorizeAndGetCode(server, { app, user: someone });
    expect((await redeemCode(server, app, result)).status).to.equal(200);
  });
});
