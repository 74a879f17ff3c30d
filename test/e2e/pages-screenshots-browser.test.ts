/// <reference lib="dom" />
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Actor } from '../../src/admin/admin-authorization';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { BRAND, BROWSER_ADMIN, newBrowserPage, signInInBrowser, startBrowserServer, type BrowserServer } from '../helpers/browser-server';
import { layoutProblems } from '../helpers/layout-check';

const WIDTHS = [1280, 390] as const;
const OPERATOR: Actor = { type: 'user', id: 'seed', name: 'Morgan Operator', adminRole: 'super-admin', from: '203.0.113.7' };

/**
 * Every page a person sees, in Chromium at 1280 px and at a phone's 390 px: each is saved to
 * test-output/screenshots/<name>-<width>.png, and fails when anything sticks out of its container
 * or the window, or a table cell cuts a word in two (see helpers/layout-check.ts). Every page also
 * carries the product's branding (the `branding` settings), and no page is Express's "Cannot GET".
 */
describe('e2e: every page at 1280 px and 390 px (Chromium screenshots, layout checks)', function () {
  this.timeout(180_000);
  let env: BrowserServer;
  let browser: Browser;
  const ids = { web: '', service: '', deactivated: '', user: '' };
  const written: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    env = await startBrowserServer();
    const { admin, users } = env.server.portcullis;
    // Names of the length people use, with the words the issue saw cut ("Deactivated", "admin").
    ids.web = (await admin.createApp(OPERATOR, { name: 'Customer Portal', description: 'The customer-facing web app', type: 'web', application: 'echo', redirectUris: ['https://portal.example/callback', 'http://127.0.0.1/callback'], allowedOrigins: ['https://portal.example'] })).client.clientId;
    ids.service = (await admin.createApp(OPERATOR, { name: 'Nightly Billing Export', type: 'service', application: 'billing', roles: ['billing-reader'] })).client.clientId;
    await admin.createApp(OPERATOR, { name: 'Mobile App', type: 'public', application: 'echo', redirectUris: ['com.example.mobile:/callback'] });
    ids.deactivated = (await admin.createApp(OPERATOR, { name: 'Legacy Reports', type: 'web', application: 'echo', redirectUris: ['https://reports.example/cb'] })).client.clientId;
    await admin.updateApp(OPERATOR, ids.deactivated, { name: 'Legacy Reports (old)' });
    await admin.deactivateApp(OPERATOR, ids.deactivated);
    ids.user = (await admin.createUser(OPERATOR, { username: 'dana.reader', password: 'dana reader password', email: 'dana@example.com', name: 'Dana Reader', roles: { echo: ['echo-reader'] } })).userId;
    await admin.createUser(OPERATOR, { username: 'sam.admin', password: 'sam admin password', email: 'sam.admin@example.com', name: 'Sam Admin', roles: {}, adminRole: 'admin' });
    const disabled = await admin.createUser(OPERATOR, { username: 'old.account', password: 'old account password', roles: { billing: ['billing-reader'] } });
    await admin.updateUser(OPERATOR, disabled.userId, { status: 'disabled' });
    expect(await users.count()).to.be.at.least(4);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await env?.close();
  });

  /** Saves the page at its width, checks its layout and its brand. */
  async function check(page: Page, name: string): Promise<void> {
    const width = page.viewportSize()!.width;
    const file = `${name}-${width}.png`;
    await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: true });
    written.push(file);
    expect(await page.content(), `${name}: never Express's page`).to.not.match(/Cannot (GET|POST)/);
    expect(await page.locator('#brand-name').textContent(), `${name}: the product's name`).to.equal(BRAND.productName);
    expect(await page.title(), `${name}: the title names the product`).to.match(new RegExp(`· ${BRAND.productName}$`));
    const problems = await layoutProblems(page);
    expect(problems, `${name} at ${width}px:\n  ${problems.join('\n  ')}`).to.deep.equal([]);
  }

  /** The pages of someone who is not signed in, or signs in as a user without an admin role. */
  for (const width of WIDTHS) {
    it(`sign-in, consent, sign-out and the error pages at ${width} px`, async () => {
      const page = await newBrowserPage(browser, width);
      const { base } = env;
      await page.goto(`${base}/login`);
      await check(page, 'sign-in');
      await page.fill('#username', 'dana.reader');
      await page.fill('#password', 'not the password');
      await page.click('button[type=submit]');
      await page.locator('#login-error').waitFor();
      await check(page, 'sign-in-error');

      // The authorization code flow up to the consent screen.
      const authorize = `${base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: ids.web, redirect_uri: 'https://portal.example/callback', scope: 'openid profile email echo:read', state: 's1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;
      await page.goto(authorize);
      await page.waitForURL(/\/login\?/);
      expect(await page.locator('main').textContent()).to.contain('Customer Portal');
      await check(page, 'sign-in-for-app');
      await page.fill('#username', 'dana.reader');
      await page.fill('#password', 'dana reader password');
      await Promise.all([page.waitForURL(/\/oauth2\/consent/), page.click('button[type=submit]')]);
      expect(await page.locator('#app-name').textContent()).to.equal('Customer Portal');
      await check(page, 'consent');

      // The authorize error page explains, and names the app it knows.
      await page.goto(`${base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: ids.web, redirect_uri: 'https://evil.example/cb' })}`);
      expect(await page.locator('#message').textContent()).to.match(/^The sign-in request from Customer Portal could not be accepted: /);
      expect(await page.locator('#hint').textContent()).to.contain('not of your account');
      expect(await page.locator('#request-id').textContent()).to.match(/^[0-9a-f-]{36}$/);
      await check(page, 'authorize-error-known-app');
      await page.goto(`${base}/oauth2/authorize?client_id=pcc_unknown&response_type=code`);
      expect(await page.locator('#message').textContent()).to.match(/^The sign-in request of the app that sent you here could not be accepted/);
      await check(page, 'authorize-error-unknown-app');
      await page.goto(`${base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: ids.deactivated, redirect_uri: 'https://reports.example/cb' })}`);
      expect(await page.locator('#message').textContent()).to.contain('Legacy Reports (old)');
      await check(page, 'authorize-error-deactivated-app');
      await page.goto(`${base}/oauth2/authorize/continue?interaction=gone`);
      await check(page, 'request-expired');

      // 404s: a page in the product's layout, with the request id and a way back.
      for (const [name, url] of [['not-found-issuer', '/login/nothing-here'], ['not-found-oauth2', '/oauth2/nothing-here']]) {
        const res = await page.goto(`${base}${url}`);
        expect(res!.status(), url).to.equal(404);
        expect(await page.locator('h1').textContent()).to.equal('Page not found');
        expect(await page.locator('#way-back').getAttribute('href')).to.equal('/login');
        await check(page, name);
      }

      // Signed in without an admin role: the 403 page offers sign-out.
      const res = await page.goto(`${base}/admin/apps`);
      expect(res!.status()).to.equal(403);
      expect(await page.locator('#message').textContent()).to.contain('dana.reader');
      await check(page, 'admin-forbidden');

      // The sign-out confirmation has Cancel; Cancel leaves the person signed in.
      await page.goto(`${base}/logout`);
      expect(await page.locator('#cancel-sign-out').textContent()).to.equal('Cancel');
      await check(page, 'sign-out-confirm');
      await page.click('#cancel-sign-out');
      expect(new URL(page.url()).pathname).to.equal('/login');
      expect((await page.goto(`${base}/admin/apps`))!.status(), 'still signed in (403, not a sign-in redirect)').to.equal(403);
      await Promise.all([page.waitForURL(`${base}/logout`), page.click('#sign-out')]);
      expect(await page.locator('h1').textContent()).to.equal('Signed out');
      await check(page, 'signed-out');
      await page.context().close();
    });

    it(`the admin area at ${width} px: lists, details, forms with errors, confirm pages, audit`, async () => {
      const page = await newBrowserPage(browser, width);
      const { base } = env;
      await signInInBrowser(page, base, BROWSER_ADMIN);
      const visit = async (url: string, name: string, status = 200) => {
        const res = await page.goto(`${base}${url}`);
        expect(res!.status(), url).to.equal(status);
        await check(page, name);
      };
      await visit('/admin/apps', 'admin-apps');
      // The columns that matter are there at every width.
      for (const label of ['Customer Portal', 'Service client (client credentials)', 'Deactivated']) expect(await page.locator('#apps').textContent()).to.contain(label);
      expect(await page.locator('#apps td[data-label=Status]').first().isVisible()).to.equal(true);
      await visit('/admin/apps?q=billing', 'admin-apps-search');
      await visit(`/admin/apps/${ids.web}`, 'admin-app-web');
      expect(await page.locator('#token-endpoint').textContent()).to.equal(`${base}/oauth2/token`);
      await visit(`/admin/apps/${ids.service}`, 'admin-app-service');
      await visit(`/admin/apps/${ids.deactivated}`, 'admin-app-deactivated');
      await visit(`/admin/apps/${ids.web}/secret`, 'admin-confirm-regenerate');
      await visit(`/admin/apps/${ids.web}/deactivate`, 'admin-confirm-deactivate');
      await visit('/admin/apps/new', 'admin-create-app');
      // A submit with every kind of mistake: each one next to its field.
      await page.fill('#name', ' ');
      await page.fill('#redirectUris', 'https://*.portal.example/cb\n/relative\nhttps://portal.example/ok');
      await page.fill('#allowedOrigins', 'https://portal.example/path');
      await Promise.all([page.waitForLoadState('load'), page.click('#save')]);
      await check(page, 'admin-create-app-errors');
      await visit(`/admin/apps/${ids.web}?done=saved`, 'admin-app-saved');
      await visit('/admin/users', 'admin-users');
      for (const label of ['dana.reader', 'Disabled', 'admin']) expect(await page.locator('#users').textContent()).to.contain(label);
      await visit(`/admin/users/${ids.user}`, 'admin-user');
      await visit('/admin/users/new', 'admin-create-user');
      await page.fill('#username', 'x');
      await page.fill('#email', 'not-an-email');
      await page.fill('#password', 'short');
      await Promise.all([page.waitForLoadState('load'), page.click('#save-user')]);
      await check(page, 'admin-create-user-errors');
      await visit('/admin/audit', 'admin-audit');
      await visit('/admin/audit?action=app.create', 'admin-audit-filtered');
      // The roles admins make and the API key page (issues 9 and 11): the same layout rules.
      await visit(`/admin/apps/${ids.service}/api-key`, 'admin-app-api-key');
      await visit('/admin/roles', 'admin-roles');
      await visit('/admin/roles/echo/new', 'admin-create-role');
      await visit('/admin/roles/echo/echo-reader', 'admin-role-yaml');
      await visit('/admin/roles/echo/echo-reader/delete', 'admin-confirm-delete-role');
      await visit('/admin/nothing-here', 'admin-not-found', 404);
      await visit('/admin/apps/pcc_no_such_app', 'admin-app-not-found', 404);
      expect(await page.locator('#way-back').getAttribute('href')).to.equal('/admin/apps');
      await page.context().close();
    });
  }

  it('the check itself sees a cut word, an element sticking out and a page wider than the window', async () => {
    const page = await newBrowserPage(browser, 390);
    await page.goto(`${env.base}/login`);
    expect(await layoutProblems(page)).to.deep.equal([]);
    // What the issue saw: a narrow column with overflow-wrap:anywhere cuts "Deactivated".
    // Styles set from script (the pages' CSP refuses style attributes in markup).
    await page.evaluate(`(() => {
      const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend', '<table id="narrow"><tr><td>Deactivated</td></tr></table><div id="wide">wide</div>');
      document.getElementById('narrow').style.width = '60px';
      document.querySelector('#narrow td').style.overflowWrap = 'anywhere';
      document.getElementById('wide').style.width = '600px';
    })()`);
    const problems = await layoutProblems(page);
    expect(problems.some((p) => p.includes('the word "Deactivated"')), problems.join('\n')).to.equal(true);
    expect(problems.some((p) => p.includes('<div#wide> "wide" sticks out of <main>'))).to.equal(true);
    expect(problems.some((p) => /^the page is \d+px wide in a 390px window$/.test(p))).to.equal(true);
    await page.context().close();
  });

  it('the screenshots were written, two widths of every page', () => {
    for (const file of written) expect(fs.statSync(path.join(SCREENSHOTS, file)).size, file).to.be.above(3000);
    const names = new Set(written.map((f) => f.replace(/-\d+\.png$/, '')));
    for (const name of names) for (const width of WIDTHS) expect(written, `${name} at ${width}`).to.include(`${name}-${width}.png`);
    expect(names.size).to.be.at.least(30);
  });
});
