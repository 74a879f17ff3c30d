// SQLite only: a Chromium suite; doubling it costs too much time, and the same flows run on both backends in test/spec (rfc6749-authorization-code, oidc-core).
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { createUser, startSampleClient, type CallbackResult, type CreatedUser, type SampleClient } from '../helpers/sample-client';


/**
 * The consent story in a real browser: headless Chromium (playwright-core, Debian's chromium)
 * signs in at the real gateway (`portcullis start --sample-upstream`), allows or denies the
 * sample client on the consent page, and lands on the sample client's callback, which exchanges
 * the code for tokens that the gateway's guard then accepts at /echo/hello.
 */
describe('e2e: sign-in and consent in a real browser (Chromium)', function () {
  this.timeout(90_000);
  let gw: GatewayProcess;
  let issuer: string;
  let sample: SampleClient;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // eslint-disable-next-line no-console
      console.warn(`    skipping the browser suite: ${CHROMIUM} is not installed (apt-get install chromium)`);
      return this.skip();
    }
    gw = await startGateway();
    issuer = gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`;
    sample = await startSampleClient({ issuer, cli: gw.cli, name: 'Sample Client' });
    browser = await launchChromium();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await sample?.stop();
    await gw?.stop();
  });

  let users = 0;
  async function newUser(name: string): Promise<CreatedUser> {
    users++;
    return createUser(gw.env, `${name}${users}`, `correct horse battery ${name}`, ['echo:echo-reader'], ['--name', `${name[0].toUpperCase()}${name.slice(1)} Example`, '--email', `${name}${users}@example.test`]);
  }

  /** A fresh browser profile (no cookies), with the URLs of every main-frame navigation recorded. */
  async function freshPage(): Promise<{ page: Page; visited: string[] }> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) visited.push(request.url());
    });
    return { page, visited };
  }

  async function callbackResult(page: Page): Promise<CallbackResult> {
    await page.waitForURL((url) => url.href.startsWith(sample.redirectUri));
    return JSON.parse((await page.locator('#result').textContent()) ?? 'null') as CallbackResult;
  }

  /** Starts at the sample client, signs in at the gateway, and stops on the consent page. */
  async function signInToConsent(page: Page, user: CreatedUser, screenshots = false): Promise<void> {
    const response = await page.goto(sample.loginUrl);
    expect(response?.status()).to.equal(200);
    expect(page.url()).to.match(new RegExp(`^${issuer}/login\\?interaction=`));
    expect(await page.title()).to.contain('Sign in');
    expect(await page.locator('h1').textContent()).to.equal('Sign in');
    expect(await page.locator('main').textContent()).to.contain('Sample Client');
    if (screenshots) await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in.png'), fullPage: true });
    await page.fill('#username', user.username);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/oauth2/consent'), page.click('button[type=submit]')]);
    expect(await page.locator('#app-name').textContent()).to.equal('Sample Client');
    const identity = await page.locator('#user-identity').textContent();
    expect(identity).to.equal(user.name ?? user.username);
    expect(await page.locator('main').textContent()).to.contain(user.email!);
    if (screenshots) await page.screenshot({ path: path.join(SCREENSHOTS, 'consent.png'), fullPage: true });
  }

  it('A: Allow issues a code the sample client exchanges for tokens that the gateway accepts', async () => {
    const user = await newUser('alice');
    const { page } = await freshPage();
    await signInToConsent(page, user, true);
    expect(fs.statSync(path.join(SCREENSHOTS, 'sign-in.png')).size).to.be.above(1000);
    expect(fs.statSync(path.join(SCREENSHOTS, 'consent.png')).size).to.be.above(1000);

    await page.click('#allow');
    const result = await callbackResult(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'callback.png'), fullPage: true });
    expect(result, JSON.stringify(result)).to.include({ ok: true, state_matched: true, iss: issuer, iss_matched: true, token_status: 200, token_type: 'Bearer' });
    expect(result.token_response_keys).to.include.members(['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type', 'scope']);
    expect(result.scope).to.equal('openid profile offline_access');
    expect(result.id_token_verified, result.id_token_error).to.equal(true);
    expect(result.nonce_matched).to.equal(true);
    expect(result.id_token_claims).to.include({ iss: issuer, sub: user.user_id, aud: sample.clientId, name: user.name, preferred_username: user.username });
    expect(result.access_token_claims).to.include({ iss: issuer, sub: user.user_id, client_id: sample.clientId, aud: 'urn:portcullis:application:echo' });
    expect(result.access_token_claims!.roles).to.deep.equal(['echo-reader']);

    const tokens = sample.last!.tokenResponse!;
    expect(tokens.access_token).to.be.a('string');
    expect(tokens.refresh_token).to.be.a('string');
    expect(tokens.id_token).to.be.a('string');
    const res = await fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).to.equal(200);
    const echo = await res.json();
    expect(echo).to.include({ upstream: 'echo', method: 'GET', path: '/echo/hello' });
    expect(echo.identity).to.include({
      'x-portcullis-application': 'echo',
      'x-portcullis-client-id': sample.clientId,
      'x-portcullis-subject': user.user_id,
      'x-portcullis-roles': 'echo-reader',
      'x-portcullis-permissions': 'echo:read',
    });
    // The reader cannot write: the user's roles, not the app, decide.
    expect((await fetch(`${gw.baseUrl}/echo/hello`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).to.equal(403);
  });

  it('B: Deny sends access_denied back to the sample client with its state, and no code', async () => {
    const user = await newUser('bob');
    const { page } = await freshPage();
    await signInToConsent(page, user);
    const tokenRequestsBefore = sample.counts.tokenRequests;
    await page.click('#deny');
    const result = await callbackResult(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'denied.png'), fullPage: true });
    const callbackUrl = new URL(page.url());
    expect(callbackUrl.searchParams.get('error')).to.equal('access_denied');
    expect(callbackUrl.searchParams.has('code')).to.equal(false);
    expect(callbackUrl.searchParams.get('iss')).to.equal(issuer);
    expect(result).to.include({ ok: false, state_matched: true, iss_matched: true, error: 'access_denied' });
    expect(result.error_description).to.be.a('string').and.not.be.empty;
    expect(await page.locator('#title').textContent()).to.equal('Access was not granted');
    expect(sample.counts.tokenRequests).to.equal(tokenRequestsBefore);

    // Deny is not remembered: the next attempt asks again.
    await page.goto(sample.loginUrl);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/consent');
    expect(await page.locator('#app-name').textContent()).to.equal('Sample Client');
  });

  it('C: a second authorization in the same browser after Allow skips sign-in and consent', async () => {
    const user = await newUser('carol');
    const { page, visited } = await freshPage();
    await signInToConsent(page, user);
    await page.click('#allow');
    const first = await callbackResult(page);
    expect(first.ok, JSON.stringify(first)).to.equal(true);
    const firstAccess = sample.last!.tokenResponse!.access_token;

    visited.length = 0;
    await page.goto(sample.loginUrl);
    const second = await callbackResult(page);
    expect(second, JSON.stringify(second)).to.include({ ok: true, state_matched: true, iss_matched: true, token_status: 200 });
    expect(second.id_token_claims).to.include({ sub: user.user_id });
    expect(second.nonce_matched).to.equal(true);
    expect(sample.last!.tokenResponse!.access_token).to.not.equal(firstAccess);
    // sample /login -> gateway /oauth2/authorize -> sample /callback: no sign-in, no consent page.
    const paths = visited.map((u) => `${new URL(u).origin === sample.baseUrl ? 'sample' : 'gateway'} ${new URL(u).pathname}`);
    expect(paths).to.deep.equal(['sample /login', 'gateway /oauth2/authorize', 'sample /callback']);
  });
});
