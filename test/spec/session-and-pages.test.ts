import { expect } from 'chai';
import request from 'supertest';
import {
  APP_ORIGIN,
  authorizeAndGetCode,
  authorizeParams,
  clientRedirect,
  createApp,
  createUser,
  formFields,
  locationOf,
  PASSWORD,
  query,
  signIn,
  startAuthorization,
  startFlowServer,
  type Agent,
  type FlowApp,
  type FlowUser,
  type Res,
} from '../helpers/browser-flow';
import { expectPage, expectPageHeaders } from '../helpers/wire-expect';
import { startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * The issuer's browser pages and its session: sign-in (generic errors, throttling), the session
 * and CSRF cookies (RFC 6265bis attributes), CSRF on every form, the security headers of every
 * page (CSP frame-ancestors / X-Frame-Options against clickjacking, RFC 9700 §4.16; no-store),
 * 303 after POST (RFC 9110 §15.4.4), sign-out, the consent page's content, and HTML escaping.
 */

const SESSION_COOKIE = 'portcullis_session';
const CSRF_COOKIE = 'portcullis_csrf';
const LOCKOUT_MS = 300_000;

/** The Set-Cookie line for `name`, if the response set it. */
function setCookie(res: Res, name: string): string | undefined {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return lines.find((line) => line.startsWith(`${name}=`));
}

/** The attributes of a Set-Cookie line, lower-cased names. */
function attributes(line: string): Record<string, string> {
  return Object.fromEntries(line.split(';').slice(1).map((part) => {
    const [name, ...value] = part.trim().split('=');
    return [name.toLowerCase(), value.join('=')];
  }));
}

eachStore('Sessions and pages', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
  });
  afterEach(() => server.close());

  const browser = () => request.agent(server.app);

  /** A browser at the sign-in page of a fresh authorization request: its location. */
  async function atSignIn(agent: Agent, app = web): Promise<string> {
    return locationOf(await startAuthorization(agent, authorizeParams(app)));
  }

  /** A browser signed in as `who`, at the consent page for `app`: its location. */
  async function atConsent(agent: Agent, app = web, who = user): Promise<string> {
    const continued = await agent.get(locationOf(await signIn(agent, await atSignIn(agent, app), who)));
    const location = locationOf(continued);
    expect(location).to.match(/^\/oauth2\/consent\?interaction=/);
    return location;
  }

  describe('sign-in', () => {
    it('a wrong password and an unknown user get the same status and the same generic message, and no session', async () => {
      const answers = [];
      for (const attempt of [{ username: user.username, password: 'wrong password!' }, { username: 'nobody-here', password: PASSWORD }]) {
        const agent = browser();
        const res = await signIn(agent, await atSignIn(agent), attempt);
        expectPage(res, 401);
        expect(setCookie(res, SESSION_COOKIE)).to.equal(undefined);
        answers.push(/<p class="error" role="alert" id="login-error">([^<]*)<\/p>/.exec(res.text)?.[1]);
      }
      expect(answers).to.deep.equal(['Invalid username or password.', 'Invalid username or password.']);
    });

    it('a disabled user cannot sign in, and gets the same generic message', async () => {
      await server.portcullis.access.disableUser(user.userId);
      const agent = browser();
      const res = await signIn(agent, await atSignIn(agent), user);
      expectPage(res, 401);
      expect(res.text).to.include('Invalid username or password.');
    });

    it('after 5 failures for a username the right password is refused (429) until the lockout has passed', async () => {
      const agent = browser();
      const login = await atSignIn(agent);
      for (let i = 0; i < 5; i++) expect((await signIn(agent, login, { username: user.username.toUpperCase(), password: `wrong ${i} password` })).status).to.equal(401);
      const locked = await signIn(agent, login, user);
      expectPage(locked, 429);
      expect(setCookie(locked, SESSION_COOKIE)).to.equal(undefined);

      server.now.ms += LOCKOUT_MS - 5000;
      expect((await signIn(agent, login, user)).status).to.equal(429);
      server.now.ms += 6000;
      const res = await signIn(agent, login, user);
      expect(res.status, res.text).to.equal(303);
      expect(setCookie(res, SESSION_COOKIE)).to.be.a('string');
    });

    it('only local paths are accepted as return_to (no open redirect)', async () => {
      for (const [returnTo, expected] of [['/logout', '/logout'], ['//evil.example/x', undefined], ['https://evil.example/', undefined], ['/\\evil.example', undefined]]) {
        const agent = browser();
        const res = await signIn(agent, `/login?${query({ return_to: returnTo })}`, user);
        if (expected) expect(locationOf(res)).to.equal(expected);
        else expectPage(res, 200);
      }
    });
  });

  describe('cookies', () => {
    it('the session cookie is HttpOnly, SameSite=Lax, Path=/, without Secure for an http issuer', async () => {
      const agent = browser();
      const res = await signIn(agent, await atSignIn(agent), user);
      const line = setCookie(res, SESSION_COOKIE)!;
      expect(line).to.match(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
      expect(attributes(line)).to.deep.equal({ 'max-age': '28800', path: '/', httponly: '', samesite: 'Lax' });
    });

    it('session and CSRF cookies are Secure for an https issuer', async () => {
      const secure = await startTestServer({ store: backend, settings: testSettings({ issuer: 'https://issuer.test' }) });
      try {
        const someone = await createUser(secure);
        const page = await request(secure.app).get('/login');
        const csrf = setCookie(page, CSRF_COOKIE)!;
        expect(attributes(csrf)).to.deep.equal({ path: '/', httponly: '', secure: '', samesite: 'Lax' });
        // A cookie jar would not send a Secure cookie over plain http; send it by hand.
        const form = { ...formFields(page.text), username: someone.username, password: someone.password };
        const res = await request(secure.app).post('/login').set('Cookie', csrf.split(';')[0]).type('form').send(query(form));
        expect(res.status, res.text).to.equal(200);
        expect(attributes(setCookie(res, SESSION_COOKIE)!)).to.include({ secure: '', httponly: '', samesite: 'Lax', path: '/' });
      } finally {
        await secure.close();
      }
    });

    it('the CSRF cookie is HttpOnly, SameSite=Lax, Path=/, and set only once per browser', async () => {
      const agent = browser();
      const first = await agent.get('/login');
      expect(attributes(setCookie(first, CSRF_COOKIE)!)).to.deep.equal({ path: '/', httponly: '', samesite: 'Lax' });
      expect(setCookie(await agent.get('/login'), CSRF_COOKIE)).to.equal(undefined);
    });
  });

  describe('CSRF', () => {
    for (const [label, token] of [['without', undefined], ['with a wrong', 'x'.repeat(43)]] as const) {
      it(`POST /login ${label} csrf_token: 403, no session`, async () => {
        const agent = browser();
        const login = await atSignIn(agent);
        const fields = formFields((await agent.get(login)).text);
        const res = await agent.post('/login').type('form').send(query({ ...fields, csrf_token: token, username: user.username, password: user.password }));
        expectPage(res, 403);
        expect(setCookie(res, SESSION_COOKIE)).to.equal(undefined);
        expect(locationOf(await startAuthorization(agent, authorizeParams(web)))).to.match(/^\/login/);
      });

      it(`POST /oauth2/consent ${label} csrf_token: 403, no code, nothing remembered`, async () => {
        const agent = browser();
        const consent = await atConsent(agent);
        const fields = formFields((await agent.get(consent)).text);
        const res = await agent.post('/oauth2/consent').type('form').send(query({ ...fields, csrf_token: token, decision: 'allow' }));
        expectPage(res, 403);
        expect(locationOf(await startAuthorization(agent, authorizeParams(web)))).to.match(/^\/oauth2\/consent/);
      });
    }

    it("another browser's CSRF token does not pass", async () => {
      const [victim, attacker] = [browser(), browser()];
      const consent = await atConsent(victim);
      const attackerToken = formFields((await attacker.get('/login')).text).csrf_token;
      const fields = formFields((await victim.get(consent)).text);
      expectPage(await victim.post('/oauth2/consent').type('form').send(query({ ...fields, csrf_token: attackerToken, decision: 'allow' })), 403);
    });

    it('POST /logout without csrf_token: 403 and the session stays', async () => {
      const { agent } = await authorizeAndGetCode(server, { app: web, user });
      expectPage(await agent.post('/logout').type('form').send('x=1'), 403);
      expect(clientRedirect(await startAuthorization(agent, authorizeParams(web)), web.redirectUri).searchParams.has('code')).to.equal(true);
    });
  });

  describe('security headers and status codes', () => {
    it('every page has CSP with frame-ancestors none, X-Frame-Options DENY and Cache-Control no-store', async () => {
      const agent = browser();
      const login = await atSignIn(agent);
      const pages: Res[] = [
        await agent.get(login),
        await agent.get('/login'),
        await agent.get('/logout'),
        await agent.get('/oauth2/consent?interaction=unknown'),
        await agent.get('/oauth2/authorize/continue?interaction=unknown'),
        await agent.get('/oauth2/authorize?client_id=unknown'),
        await signIn(agent, login, { username: user.username, password: 'wrong password!' }),
        await agent.post('/login').type('form').send('username=x'),
        await agent.post('/login').set('Content-Type', 'application/json').send('{}'),
      ];
      pages.push(await agent.get(await atConsent(agent)));
      for (const page of pages) {
        expect(page.status, page.text).to.be.oneOf([200, 400, 401, 403]);
        expectPageHeaders(page);
        expect(page.headers['content-security-policy']).to.match(/^default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'( [^;]+)?; frame-ancestors 'none'; base-uri 'none'$/);
      }
    });

    it('POSTs that move on answer 303: sign-in, consent Allow and Deny, authorize by POST', async () => {
      const agent = browser();
      const consent = await atConsent(agent);
      const fields = formFields((await agent.get(consent)).text);
      const allow = await agent.post('/oauth2/consent').type('form').send(query({ ...fields, decision: 'allow' }));
      expect(allow.status).to.equal(303);

      const other = browser();
      const otherFields = formFields((await other.get(await atConsent(other, await createApp(server)))).text);
      const deny = await other.post('/oauth2/consent').type('form').send(query({ ...otherFields, decision: 'deny' }));
      expect(deny.status).to.equal(303);
      expect(new URL(deny.headers.location).searchParams.get('error')).to.equal('access_denied');

      const post = await agent.post('/oauth2/authorize').type('form').send(query(authorizeParams(web)));
      expect(post.status).to.equal(303);
    });

    it('the consent form refuses a decision other than allow or deny (400 page)', async () => {
      const agent = browser();
      const fields = formFields((await agent.get(await atConsent(agent))).text);
      expectPage(await agent.post('/oauth2/consent').type('form').send(query({ ...fields, decision: 'maybe' })), 400, 'invalid_request');
    });
  });

  describe('sign-out', () => {
    it('POST /logout with CSRF ends the session: the cookie is cleared and the next authorization goes to sign-in', async () => {
      const { agent } = await authorizeAndGetCode(server, { app: web, user });
      const page = await agent.get('/logout');
      expectPage(page, 200);
      const res = await agent.post('/logout').type('form').send(query(formFields(page.text)));
      expectPage(res, 200);
      expect(res.text).to.include('You are signed out.');
      expect(attributes(setCookie(res, SESSION_COOKIE)!)).to.include({ 'max-age': '0', path: '/' });
      expect(locationOf(await startAuthorization(agent, authorizeParams(web)))).to.match(/^\/login\?interaction=/);
    });

    it('the old session cookie is dead on the server, not only cleared in the browser', async () => {
      const agent = browser();
      const signedIn = await signIn(agent, await atSignIn(agent), user);
      const cookie = setCookie(signedIn, SESSION_COOKIE)!.split(';')[0];
      await agent.post('/logout').type('form').send(query(formFields((await agent.get('/logout')).text)));
      const replay = await request(server.app).get(`/oauth2/authorize?${query(authorizeParams(web))}`).set('Cookie', cookie);
      expect(locationOf(replay)).to.match(/^\/login\?interaction=/);
    });
  });

  describe('the consent page', () => {
    it("shows the app name, the user's name and email, and the scopes asked", async () => {
      const agent = browser();
      const page = await agent.get(await atConsent(agent));
      expectPage(page, 200);
      expect(page.text).to.include(`<span id="app-name">${web.name}</span>`);
      expect(page.text).to.include(`<strong id="user-identity">${user.name}</strong>`);
      expect(page.text).to.include(`(${user.email})`);
      expect(page.text).to.include('Use the permission echo:read');
      expect(page.text).to.include('<button type="submit" name="decision" value="allow" id="allow">Allow</button>');
    });

    it("its CSP form-action allows the client's redirect origin (the redirect after the form)", async () => {
      const agent = browser();
      const page = await agent.get(await atConsent(agent));
      expect(page.headers['content-security-policy']).to.include(`form-action 'self' ${APP_ORIGIN};`);
    });

    it('escapes HTML: an app named <script>alert(1)</script> is shown as text', async () => {
      const evil = await createApp(server, { name: '<script>alert(1)</script>' });
      const someone = await createUser(server, { name: '<img src=x onerror=alert(2)>' });
      const agent = browser();
      const loginPage = await agent.get(await atSignIn(agent, evil));
      const consentPage = await agent.get(await atConsent(agent, evil, someone));
      for (const page of [loginPage, consentPage]) {
        expect(page.text).to.not.include('<script>');
        expect(page.text).to.include('&#60;script&#62;alert(1)&#60;&#47;script&#62;');
      }
      expect(consentPage.text).to.not.include('<img');
      expect(consentPage.text).to.include('&#60;img src&#61;x onerror&#61;alert(2)&#62;');
    });
  });
});
