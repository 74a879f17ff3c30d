import { expect } from 'chai';
import request from 'supertest';
import { authorizeParams, obtainTokens, query, startFlowServer, type FlowApp, type FlowUser, type Res } from '../helpers/browser-flow';
import { API, makeUser, signedIn } from '../helpers/admin-session';
import { ISSUER, type TestServer } from '../helpers/test-portcullis';
import { expectNoInternals } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 §5.2 and §4.1.2.1: `error_description` "MUST NOT include characters outside the set
 * %x20-21 / %x23-5B / %x5D-7E". Every error path, with every parameter set to a hostile value
 * (quote, backslash, tab, non-ASCII, markup, NUL) or to bytes that are not UTF-8: the description
 * keeps to that set, and the raw value is never echoed: not in the JSON body, not in a
 * `WWW-Authenticate` challenge, not in the redirect's query, not unescaped in an HTML page.
 */

const HOSTILE = 'bogus"\\\t\u00e9<script>\u0000';
/** Pieces of the hostile value that must never come back. */
const MARKERS = ['<script>', 'bogus"', 'bogus\\', '\u00e9', '\u0000', '\uFFFD'];
/** Percent-encoded bytes that are not UTF-8 (decoded to U+FFFD by a lenient parser). */
const NOT_UTF8 = '%FF%FE%C3%28bogus%3Cscript%3E';
const RFC6749_DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

type Kind = 'json' | 'redirect' | 'page';
interface Case {
  label: string;
  kind: Kind;
  send: () => Promise<Res>;
  /** Parameters the protocol must send back exactly (RFC 6749 §4.1.2.1: state). */
  echoed?: string[];
}

function expectNoMarkers(where: string, text: string): void {
  for (const marker of MARKERS) expect(text, `${where} echoes ${JSON.stringify(marker)}`).to.not.include(marker);
}

function expectSafeAnswer(res: Res, kind: Kind, echoed: string[] = []): void {
  expect(res.status, res.text).to.be.within(300, 499);
  expectNoInternals(res.text);
  for (const [name, value] of Object.entries(res.headers)) {
    if (name !== 'location') expectNoMarkers(`header ${name}`, String(value));
  }
  if (kind === 'json') {
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.body.error_description, res.text).to.match(RFC6749_DESCRIPTION);
    expectNoMarkers('body', JSON.stringify(res.body) + res.text);
    const challenge = res.headers['www-authenticate'];
    if (challenge) {
      const description = /error_description="([^"]*)"/.exec(challenge)?.[1];
      if (description !== undefined) expect(description).to.match(RFC6749_DESCRIPTION);
    }
  } else if (kind === 'redirect') {
    expect(res.status, res.text).to.equal(303);
    const url = new URL(res.headers.location);
    expect(url.searchParams.get('error_description'), url.href).to.match(RFC6749_DESCRIPTION);
    expect(url.searchParams.get('iss')).to.equal(ISSUER);
    for (const name of echoed) url.searchParams.delete(name);
    expectNoMarkers('redirect', decodeURIComponent(url.search.replace(/\+/g, ' ')));
  } else {
    expect(res.status, res.text).to.be.within(400, 499);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    const message = /<p id="message">([^<]*)<\/p>/.exec(res.text)?.[1];
    expect(message, res.text).to.be.a('string');
    expect(message).to.match(RFC6749_DESCRIPTION);
    // Escaped or absent: markup never reaches the page as markup.
    expect(res.text).to.not.include('<script>');
    expect(res.text).to.not.include('\u0000');
  }
}

eachStore('RFC 6749 §5.2: error_description keeps to %x20-21 / %x23-5B / %x5D-7E and never echoes raw input', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let pub: FlowApp;
  let user: FlowUser;
  let tokens: Record<string, string>;

  before(async () => {
    ({ server, web, pub, user } = await startFlowServer({ store: backend }));
    tokens = await obtainTokens(server, { app: web, user, params: { scope: 'openid echo:read' } });
  });
  after(() => server.close());

  const post = (path: string, form: Record<string, string | undefined>, auth = true) => {
    const test = request(server.app).post(path).type('form');
    if (auth) test.auth(web.clientId, web.clientSecret!);
    return test.send(query(form));
  };
  const postRaw = (path: string, body: string, auth = true) => {
    const test = request(server.app).post(path).type('form');
    if (auth) test.auth(web.clientId, web.clientSecret!);
    return test.send(body);
  };
  const authorize = (overrides: Record<string, string | undefined>, app: FlowApp = web) =>
    request(server.app).get(`/oauth2/authorize?${query(authorizeParams(app, overrides))}`);

  const cases: Case[] = [];
  const json = (label: string, send: () => Promise<Res>) => cases.push({ label, kind: 'json', send });

  // Token endpoint (RFC 6749 §5.2): each parameter of each grant, and the client's own.
  const TOKEN_FORMS: Record<string, Record<string, string>> = {
    client_credentials: { grant_type: 'client_credentials', scope: 'echo:read' },
    authorization_code: { grant_type: 'authorization_code', code: 'nope', redirect_uri: 'https://app.example/callback', code_verifier: 'v'.repeat(43) },
    refresh_token: { grant_type: 'refresh_token', refresh_token: 'nope', scope: 'echo:read' },
  };
  json('token: grant_type', () => post('/oauth2/token', { grant_type: HOSTILE }));
  json('token: grant_type, not UTF-8', () => postRaw('/oauth2/token', `grant_type=${NOT_UTF8}`));
  for (const [grant, form] of Object.entries(TOKEN_FORMS)) {
    for (const name of Object.keys(form).filter((n) => n !== 'grant_type')) {
      json(`token (${grant}): ${name}`, () => post('/oauth2/token', { ...form, [name]: HOSTILE }));
      json(`token (${grant}): ${name}, not UTF-8`, () => postRaw('/oauth2/token', `${query({ ...form, [name]: undefined })}&${name}=${NOT_UTF8}`));
    }
  }
  json('token: refresh scope wider than granted', () => post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: `echo:read ${'bogus:x'.repeat(40)}` }));
  json('token: client_id in the body', () => post('/oauth2/token', { grant_type: 'client_credentials', client_id: HOSTILE }));
  json('token: client_id and client_secret in the body', () => post('/oauth2/token', { grant_type: 'client_credentials', client_id: HOSTILE, client_secret: HOSTILE }, false));
  json('token: a public client_id', () => post('/oauth2/token', { grant_type: 'client_credentials', client_id: pub.clientId }, false));
  json('token: Basic credentials', () => request(server.app).post('/oauth2/token').set('Authorization', `Basic ${Buffer.from(`${HOSTILE}:${HOSTILE}`).toString('base64')}`).type('form').send('grant_type=client_credentials'));
  json('token: Authorization scheme', () => request(server.app).post('/oauth2/token').set('Authorization', 'bogus"\\\t\u00e9<script>').type('form').send('grant_type=client_credentials'));
  json('token: a repeated parameter with a hostile name', () => postRaw('/oauth2/token', `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2&grant_type=client_credentials`));
  json('token: a repeated parameter with a non-UTF-8 name', () => postRaw('/oauth2/token', `${NOT_UTF8}=1&${NOT_UTF8}=2&grant_type=client_credentials`));
  json('token: content type', () => request(server.app).post('/oauth2/token').set('Content-Type', 'bogus"\\\t\u00e9<script>').send('grant_type=client_credentials'));

  // Revocation (RFC 7009 §2.2.1) and introspection (RFC 7662 §2.3).
  for (const path of ['/oauth2/revoke', '/oauth2/introspect']) {
    // RFC 7009 §2.2 / RFC 7662 §2.2: an unknown token is a 200, so errors come from the client or the form.
    json(`${path}: token_type_hint, no token`, () => post(path, { token_type_hint: HOSTILE }));
    json(`${path}: client_id without authentication`, () => post(path, { token: HOSTILE, client_id: HOSTILE }, false));
    json(`${path}: client_id and client_secret`, () => post(path, { token: HOSTILE, client_id: HOSTILE, client_secret: HOSTILE }, false));
    json(`${path}: a repeated parameter with a hostile name`, () => postRaw(path, `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2&token=x`));
  }
  json('/oauth2/introspect: a public client', () => post('/oauth2/introspect', { token: HOSTILE, client_id: pub.clientId }, false));

  // Userinfo (RFC 6750 §3.1) and the guard: the token in the header, in the query, twice.
  for (const path of ['/oauth2/userinfo', '/echo/x']) {
    json(`${path}: Bearer credentials`, () => request(server.app).get(path).set('Authorization', 'Bearer bogus"\\\u00e9<script>'));
    json(`${path}: a JWT-shaped Bearer`, () => request(server.app).get(path).set('Authorization', `Bearer ${Buffer.from(HOSTILE).toString('base64url')}.${Buffer.from(HOSTILE).toString('base64url')}.x`));
    json(`${path}: access_token in the query`, () => request(server.app).get(`${path}?access_token=${encodeURIComponent(HOSTILE)}`));
    json(`${path}: Authorization scheme`, () => request(server.app).get(path).set('Authorization', 'bogus"\\\u00e9<script> x'));
  }

  // Authorization endpoint, before the client and redirect URI are trusted: an HTML page.
  const page = (label: string, send: () => Promise<Res>) => cases.push({ label, kind: 'page', send });
  page('authorize: client_id', () => authorize({ client_id: HOSTILE }));
  page('authorize: client_id, not UTF-8', () => request(server.app).get(`/oauth2/authorize?client_id=${NOT_UTF8}`));
  page('authorize: redirect_uri', () => authorize({ redirect_uri: HOSTILE }));
  page('authorize: redirect_uri, not UTF-8', () => request(server.app).get(`/oauth2/authorize?client_id=${web.clientId}&redirect_uri=${NOT_UTF8}`));
  page('authorize: a POST with a hostile content type', () => request(server.app).post('/oauth2/authorize').set('Content-Type', 'bogus"\\\t\u00e9<script>').send('x'));

  // After: a redirect back to the client with error_description in the query (RFC 6749 §4.1.2.1).
  const redirect = (label: string, send: () => Promise<Res>) => cases.push({ label, kind: 'redirect', send, echoed: ['state'] });
  for (const name of ['response_type', 'response_mode', 'scope', 'prompt', 'max_age', 'code_challenge', 'code_challenge_method', 'request', 'request_uri']) {
    redirect(`authorize: ${name}`, () => authorize({ [name]: HOSTILE, ...(name === 'code_challenge_method' ? { code_challenge: 'c'.repeat(43) } : {}) }));
    redirect(`authorize: ${name}, not UTF-8`, () => request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web, { [name]: undefined }))}&${name}=${NOT_UTF8}`));
  }
  redirect('authorize: prompt with a hostile value among known ones', () => authorize({ prompt: `login ${HOSTILE}` }));
  redirect('authorize: a long unknown scope', () => authorize({ scope: `echo:read ${'bogus:'.repeat(300)}` }));
  redirect('authorize: a repeated parameter with a hostile name', () => request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web))}&${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`));
  redirect('authorize: a repeated parameter with a non-UTF-8 name', () => request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web))}&${NOT_UTF8}=1&${NOT_UTF8}=2`));
  redirect('authorize: a hostile state, too long', () => authorize({ state: HOSTILE.repeat(200) }));
  redirect('authorize: a hostile nonce, too long', () => authorize({ nonce: HOSTILE.repeat(200) }));
  redirect('authorize: a public client without PKCE, hostile state', () => authorize({ state: HOSTILE }, pub));

  // RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): a page.
  for (const name of ['post_logout_redirect_uri', 'client_id', 'id_token_hint']) {
    page(`logout: ${name}`, () => request(server.app).get(`/logout?${query({ post_logout_redirect_uri: 'https://app.example/callback', client_id: web.clientId, [name]: HOSTILE })}`));
    page(`logout: ${name}, not UTF-8`, () => request(server.app).get(`/logout?${query({ post_logout_redirect_uri: 'https://app.example/callback', client_id: web.clientId, [name]: undefined })}&${name}=${NOT_UTF8}`));
  }
  page('logout: a repeated parameter with a hostile name', () => request(server.app).get(`/logout?${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`));
  page('consent: a repeated parameter with a hostile name', () => postRaw('/oauth2/consent', `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`, false));
  page('login: a repeated parameter with a hostile name', () => postRaw('/login', `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`, false));

  // The same rule for the admin API's own messages (not RFC 6749, but the same class): an unknown
  // field name or an id from the path is named only when it is a plain token.
  describe('admin API messages', () => {
    let agent: Awaited<ReturnType<typeof signedIn>>;
    let csrf: string;
    before(async () => {
      agent = await signedIn(server, await makeUser(server, { adminRole: 'super-admin' }));
      csrf = (await agent.get(`${API}/session`)).body.csrf_token;
    });
    const expectPlain = (res: Res, status: number) => {
      expect(res.status, res.text).to.equal(status);
      expect(res.body.error_description).to.match(/^[\x20-\x7e]+$/);
      expectNoMarkers('admin API body', JSON.stringify(res.body) + res.text);
    };
    it('an unknown field with a hostile name -> 422 without the name', async () => {
      expectPlain(await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ name: 'x', application: 'echo', type: 'web', redirect_uris: ['https://app.example/cb'], [HOSTILE]: 1 }), 422);
    });
    it('a hostile application or role name (apps and users) -> 422 naming neither', async () => {
      const app = { name: 'x', type: 'service' };
      expectPlain(await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ ...app, application: HOSTILE }), 422);
      expectPlain(await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ ...app, application: 'echo', roles: [HOSTILE] }), 422);
      const user = { username: 'hostile-roles', password: 'a long enough password' };
      expectPlain(await agent.post(`${API}/users`).set('X-CSRF-Token', csrf).send({ ...user, roles: { [HOSTILE]: ['echo-reader'] } }), 422);
      expectPlain(await agent.post(`${API}/users`).set('X-CSRF-Token', csrf).send({ ...user, roles: { echo: [HOSTILE] } }), 422);
      // A plain name is still named, so the message helps.
      const plain = await agent.post(`${API}/apps`).set('X-CSRF-Token', csrf).send({ ...app, application: 'echo', roles: ['echo-raeder'] });
      expect(plain.body.error_description).to.include('"echo-raeder"');
    });
    it('an unknown id with hostile characters -> 404 without the id', async () => {
      // Control characters in a path are refused before any route (malformed request path); the
      // rest of the hostile value reaches the route and must not come back.
      const printable = HOSTILE.replace(/[\x00-\x1f]/g, '');
      expectPlain(await agent.get(`${API}/apps/${encodeURIComponent(printable)}`), 404);
      expectPlain(await agent.get(`${API}/users/${encodeURIComponent(printable)}`), 404);
    });
    it('an id with control characters -> 400 malformed request path, without the id', async () => {
      expectPlain(await agent.get(`${API}/apps/${encodeURIComponent(HOSTILE)}`), 400);
      expectPlain(await agent.get(`${API}/users/${encodeURIComponent(HOSTILE)}`), 400);
    });
  });

  for (const c of cases) {
    it(`${c.label}: ${c.kind === 'json' ? 'JSON body and challenge' : c.kind === 'redirect' ? 'the redirect query' : 'the HTML page'} carry no raw input`, async () => {
      expectSafeAnswer(await c.send(), c.kind, c.echoed);
    });
  }
});
