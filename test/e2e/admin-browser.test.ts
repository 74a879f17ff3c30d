/// <reference lib="dom" />
// SQLite only: a Chromium suite; doubling it costs too much time, and the store under the admin pages runs on both backends in test/spec and test/admin.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { createUser, startSampleClient, type CallbackResult, type CreatedUser, type SampleClient } from '../helpers/sample-client';

const ADMIN = { username: 'root-admin', password: 'bootstrap admin password' };

/**
 * The admin area in a real browser: headless Chromium (playwright-core, Debian's chromium) drives
 * the pages of the real gateway (`portcullis start --sample-upstream`, its first super admin
 * bootstrapped from PORTCULLIS_ADMIN_USERNAME/PASSWORD). Each seed operation is done as an
 * operator would, and checked where it matters: at the token endpoint, at the gateway's guard, and
 * in the sample client (a real relying party) that uses the app made here.
 */
describe('e2e: the admin area in a real browser (Chromium)', function () {
  this.timeout(120_000);
  let gw: GatewayProcess;
  let issuer: string;
  let sample: SampleClient;
  let browser: Browser;
  let admin: Page;
  const contexts: BrowserContext[] = [];
  /** Every JS dialog the admin page raised (all accepted). */
  const dialogs: Array<{ type: string; message: string }> = [];

  /** The app this suite creates and then edits, regenerates, deactivates and reactivates. */
  const app = { id: '', secret: '', name: 'Admin Console App' };

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // eslint-disable-next-line no-console
      console.warn(`    skipping the browser suite: ${CHROMIUM} is not installed (apt-get install chromium)`);
      return this.skip();
    }
    gw = await startGateway({ PORTCULLIS_ADMIN_USERNAME: ADMIN.username, PORTCULLIS_ADMIN_PASSWORD: ADMIN.password });
    issuer = gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`;
    // The sample client registers itself (CLI); it is pointed at the app created in the browser below.
    sample = await startSampleClient({ issuer, cli: gw.cli, name: 'Sample Client (CLI)' });
    browser = await launchChromium();
    admin = await newPage();
    admin.on('dialog', (dialog: Dialog) => {
      dialogs.push({ type: dialog.type(), message: dialog.message() });
      void dialog.accept();
    });
    // Sign in as the bootstrapped super admin: /admin/apps sends us to /login and back.
    await admin.goto(`${issuer}/admin/apps`);
    expect(new URL(admin.url()).pathname).to.equal('/login');
    expect(new URL(admin.url()).searchParams.get('return_to')).to.equal('/admin/apps');
    await admin.fill('#username', ADMIN.username);
    await admin.fill('#password', ADMIN.password);
    await Promise.all([admin.waitForURL(`${issuer}/admin/apps`), admin.click('button[type=submit]')]);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await sample?.stop();
    await gw?.stop();
  });

  async function newPage(options: { viewport?: { width: number; height: number }; storageFrom?: BrowserContext } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1100, height: 800 },
      ...(options.storageFrom ? { storageState: await options.storageFrom.storageState() } : {}),
    });
    contexts.push(context);
    return context.newPage();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const appUrl = () => `${issuer}/admin/apps/${app.id}`;

  /** POST /oauth2/token with Basic credentials: the status and error code. */
  async function tokenRequest(clientId: string, secret: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  async function cliShow(): Promise<Record<string, unknown>> {
    const shown = await gw.cli(['apps', 'show', app.id, '--json']);
    expect(shown.code, shown.stderr).to.equal(0);
    return JSON.parse(shown.stdout);
  }

  let users = 0;
  function newUser(name: string): Promise<CreatedUser> {
    users++;
    return createUser(gw.env, `${name}${users}`, `correct horse battery ${name}`, ['echo:echo-reader'], ['--name', `${name} Example`, '--email', `${name}${users}@example.test`]);
  }

  async function callbackResult(page: Page): Promise<CallbackResult> {
    await page.waitForURL((url) => url.href.startsWith(sample.redirectUri));
    return JSON.parse((await page.locator('#result').textContent()) ?? 'null') as CallbackResult;
  }

  it('the apps list renders, with the CLI-made sample client in it', async () => {
    await admin.goto(`${issuer}/admin/apps`);
    expect(await admin.locator('h1').textContent()).to.equal('Apps');
    expect(await admin.locator('#apps').textContent()).to.contain('Sample Client (CLI)');
    expect(await admin.locator('nav.admin-nav').textContent()).to.contain(`${ADMIN.username} (super-admin)`);
    await shot(admin, 'admin-apps-list.png');
  });

  it('keyboard: Tab to the Create App link and Enter opens the form', async () => {
    await admin.goto(`${issuer}/admin/apps`);
    let tabs = 0;
    while ((await admin.evaluate(() => document.activeElement?.id)) !== 'create-app') {
      await admin.keyboard.press('Tab');
      expect(++tabs, 'Create App is reachable by Tab').to.be.below(15);
    }
    // The focus is visible (the stylesheet's :focus-visible outline).
    const outline = await admin.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).to.not.equal('none');
    await Promise.all([admin.waitForURL(`${issuer}/admin/apps/new`), admin.keyboard.press('Enter')]);
    expect(await admin.locator('h1').textContent()).to.equal('Create App');
    expect(await admin.evaluate(() => document.activeElement?.tagName)).to.equal('BODY');
  });

  it('a create form with errors shows them next to the fields and keeps what was typed', async () => {
    await admin.goto(`${issuer}/admin/apps/new`);
    await admin.fill('#name', '   ');
    await admin.fill('#description', 'typed before the error');
    await admin.selectOption('#type', 'web');
    await admin.fill('#redirectUris', 'http://app.example/callback');
    await Promise.all([admin.waitForLoadState('load'), admin.click('#save')]);
    expect(new URL(admin.url()).pathname).to.equal('/admin/apps');
    // Every error of the submit at once, each under its field; both fields keep what was typed.
    expect(await admin.locator('#error-name').isVisible()).to.equal(true);
    expect(await admin.locator('#error-name').textContent()).to.match(/name is required/);
    expect(await admin.locator('#error-redirectUris').isVisible()).to.equal(true);
    expect(await admin.locator('#error-redirectUris').textContent()).to.match(/http is allowed only on loopback/);
    expect(await admin.inputValue('#description')).to.equal('typed before the error');
    expect(await admin.inputValue('#redirectUris')).to.equal('http://app.example/callback');
    await admin.fill('#name', 'Fixed name');
    await Promise.all([admin.waitForLoadState('load'), admin.click('#save')]);
    expect(await admin.locator('#error-name').count()).to.equal(0);
    expect(await admin.locator('#error-redirectUris').textContent()).to.match(/http is allowed only on loopback/);
    expect(await admin.inputValue('#name')).to.equal('Fixed name');
    // The error sits right under its field.
    const field = await admin.locator('#redirectUris').boundingBox();
    const error = await admin.locator('#error-redirectUris').boundingBox();
    expect(error!.y).to.be.within(field!.y + field!.height - 1, field!.y + field!.height + 40);
    expect(await admin.locator('#form-errors').textContent()).to.match(/correct the field marked below/);
    await shot(admin, 'admin-create-errors.png');
    expect(await gw.cli(['apps', 'list', '--json']).then((r) => r.stdout)).to.not.contain('Fixed name');
  });

  it('create an app (web, the sample client\'s redirect URI): the secret is in the dialog once; dismissed, it is gone after reload', async () => {
    await admin.goto(`${issuer}/admin/apps/new`);
    await admin.fill('#name', app.name);
    await admin.fill('#description', 'Made in the admin pages');
    await admin.selectOption('#type', 'web');
    await admin.selectOption('#application', 'echo');
    await admin.fill('#redirectUris', sample.redirectUri);
    await Promise.all([admin.waitForURL(/\/admin\/apps\/pcc_[\w-]+\?done=created$/), admin.click('#save')]);
    app.id = new URL(admin.url()).pathname.split('/').pop()!;

    const dialog = admin.locator('#secret-dialog');
    expect(await dialog.isVisible()).to.equal(true);
    expect(await admin.locator('#client-id').textContent()).to.equal(app.id);
    app.secret = (await admin.locator('#client-secret').textContent())!;
    expect(app.secret).to.match(/^pcs_[\w-]{20,}$/);
    expect(await dialog.textContent()).to.match(/will not be shown again/);
    await shot(admin, 'admin-secret-dialog.png');

    await Promise.all([admin.waitForURL(appUrl()), admin.click('#dismiss-secret')]);
    expect(await admin.locator('#secret-dialog').count()).to.equal(0);
    await admin.reload();
    expect(await admin.locator('#secret-dialog').count()).to.equal(0);
    expect(await admin.content()).to.not.contain(app.secret);
    expect(await admin.locator('#app-status').textContent()).to.equal('Active');
    await shot(admin, 'admin-app-detail.png');

    // The app is real: the sample client now uses it, and signing in through it works.
    sample.clientId = app.id;
    sample.clientSecret = app.secret;
    const shown = await cliShow();
    expect(shown).to.include({ client_id: app.id, name: app.name, type: 'web', application: 'echo', status: 'active' });
    expect(shown.redirect_uris).to.deep.equal([sample.redirectUri]);
    expect(JSON.stringify(shown)).to.not.contain(app.secret);
  });

  it('edit name, description and redirect URIs', async () => {
    await admin.goto(appUrl());
    app.name = 'Admin Console App (edited)';
    await admin.fill('#name', app.name);
    await admin.fill('#description', 'Edited in the browser');
    await admin.fill('#redirectUris', `${sample.redirectUri}\nhttps://app.example/second-callback`);
    await Promise.all([admin.waitForURL(`${appUrl()}?done=saved`), admin.click('#save')]);
    expect(await admin.locator('#done').textContent()).to.equal('Changes saved.');
    expect(await admin.locator('#app-title').textContent()).to.equal(app.name);
    expect(await admin.inputValue('#name')).to.equal(app.name);
    expect(await admin.inputValue('#description')).to.equal('Edited in the browser');
    expect(await admin.inputValue('#redirectUris')).to.equal(`${sample.redirectUri}\nhttps://app.example/second-callback`);
    const shown = await cliShow();
    expect(shown).to.include({ name: app.name, description: 'Edited in the browser' });
    expect(shown.redirect_uris).to.deep.equal([sample.redirectUri, 'https://app.example/second-callback']);
    expect(await admin.locator('table.audit').textContent()).to.contain('Edited app');
  });

  it('regenerate the secret (confirm page): the old one is refused at the token endpoint, the new one accepted', async () => {
    const oldSecret = app.secret;
    await admin.goto(appUrl());
    await Promise.all([admin.waitForURL(`${appUrl()}/secret`), admin.click('#regenerate')]);
    expect(await admin.locator('h1').textContent()).to.contain(app.name);
    await Promise.all([admin.waitForURL(`${appUrl()}?done=regenerated`), admin.click('#confirm-regenerate')]);
    expect(await admin.locator('#secret-dialog').isVisible()).to.equal(true);
    app.secret = (await admin.locator('#client-secret').textContent())!;
    expect(app.secret).to.match(/^pcs_/).and.not.equal(oldSecret);
    await admin.reload();
    expect(await admin.locator('#secret-dialog').count()).to.equal(0);

    // A web app may not use client_credentials: with the right secret that is 400
    // unauthorized_client (authenticated); with a wrong one 401 invalid_client.
    const old = await tokenRequest(app.id, oldSecret, { grant_type: 'client_credentials' });
    expect(old.status).to.equal(401);
    expect(old.body.error).to.equal('invalid_client');
    const fresh = await tokenRequest(app.id, app.secret, { grant_type: 'client_credentials' });
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(400);
    expect(fresh.body.error).to.equal('unauthorized_client');
    // And the whole code flow works with the new secret (the sample client exchanges the code).
    sample.clientSecret = app.secret;
  });

  let user: CreatedUser;
  let userPage: Page;
  let tokensBefore: { access_token?: string; refresh_token?: string };

  it('deactivate (on its confirm page): a token obtained before is refused by the gateway within a second; refresh fails', async () => {
    user = await newUser('dora');
    userPage = await newPage();
    await userPage.goto(sample.loginUrl);
    await userPage.fill('#username', user.username);
    await userPage.fill('#password', user.password);
    await Promise.all([userPage.waitForURL((url) => url.pathname === '/oauth2/consent'), userPage.click('button[type=submit]')]);
    expect(await userPage.locator('#app-name').textContent()).to.equal(app.name);
    await userPage.click('#allow');
    const result = await callbackResult(userPage);
    expect(result, JSON.stringify(result)).to.include({ ok: true, token_status: 200 });
    expect(result.access_token_claims).to.include({ client_id: app.id, sub: user.user_id });
    tokensBefore = sample.last!.tokenResponse!;
    const echo = (token = tokensBefore.access_token) => fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await echo()).to.equal(200);

    await admin.goto(appUrl());
    dialogs.length = 0;
    await Promise.all([admin.waitForURL(`${appUrl()}/deactivate`), admin.click('#deactivate')]);
    await Promise.all([admin.waitForURL(`${appUrl()}?done=deactivated`), admin.click('#confirm-deactivate')]);
    await admin.locator('#reactivate').waitFor();
    const deactivatedAt = Date.now();
    expect(dialogs, 'a styled confirm page, no script dialog').to.deep.equal([]);
    expect(await admin.locator('#app-status').textContent()).to.equal('Deactivated');

    let status = 200;
    while ((status = await echo()) !== 401 && Date.now() - deactivatedAt < 1000) await new Promise((r) => setTimeout(r, 25));
    expect(status, 'the gateway refuses the access token within a second').to.equal(401);
    const refreshed = await tokenRequest(app.id, app.secret, { grant_type: 'refresh_token', refresh_token: tokensBefore.refresh_token! });
    expect(refreshed.status).to.equal(401);
    expect(refreshed.body.error).to.equal('invalid_client');

    // The user sees an error page at the issuer, not a redirect to the app.
    await userPage.goto(sample.loginUrl);
    expect(new URL(userPage.url()).origin).to.equal(issuer);
    expect(await userPage.locator('main').textContent()).to.match(/deactivated/i);
  });

  it('reactivate: the user sees the consent screen again in the browser', async () => {
    await admin.goto(appUrl());
    dialogs.length = 0;
    await Promise.all([admin.waitForURL(`${appUrl()}?done=reactivated`), admin.click('#reactivate')]);
    await admin.locator('#deactivate').waitFor();
    expect(dialogs).to.deep.equal([]);
    expect(await admin.locator('#app-status').textContent()).to.equal('Active');

    // Still signed in, but the consent was forgotten: the consent page, not a silent redirect.
    await userPage.goto(sample.loginUrl);
    await userPage.waitForURL((url) => url.pathname === '/oauth2/consent');
    expect(await userPage.locator('#app-name').textContent()).to.equal(app.name);
    await userPage.click('#allow');
    const result = await callbackResult(userPage);
    expect(result, JSON.stringify(result)).to.include({ ok: true, token_status: 200 });
    expect((await fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${sample.last!.tokenResponse!.access_token}` } })).status).to.equal(200);
    // The old refresh token stays revoked.
    const old = await tokenRequest(app.id, app.secret, { grant_type: 'refresh_token', refresh_token: tokensBefore.refresh_token! });
    expect(old.status).to.equal(400);
    expect(old.body.error).to.equal('invalid_grant');
  });

  it('the audit log shows the operations, newest first, and no secret', async () => {
    await admin.goto(`${issuer}/admin/audit`);
    const rows = await admin.locator('table.audit tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => [td.textContent ?? '', td.getAttribute('data-action') ?? ''])));
    // The target is named as it was then (created as "Admin Console App", renamed later).
    const ours = rows.filter((r) => /^\S.* app Admin Console App/.test(r[2][0]));
    // Newest first, in words; the edit lists only the fields that really changed.
    expect(ours.map((r) => r[2][1])).to.deep.equal(['app.reactivate', 'app.deactivate', 'app.secret.regenerate', 'app.update', 'app.create']);
    expect(ours.map((r) => r[2][0])).to.include('Edited app Admin Console App (edited) (name, description, redirectUris)');
    for (const row of ours) expect(row[1][0]).to.equal(ADMIN.username);
    // The CLI's own actions are there too, done as "cli".
    expect(rows.some((r) => r[2][1] === 'user.create' && r[3][0] === 'cli')).to.equal(true);
    expect(await admin.content()).to.not.contain(app.secret);
    const cli = await gw.cli(['audit', '--json', '--app', app.id]);
    expect(cli.code, cli.stderr).to.equal(0);
    expect(JSON.parse(cli.stdout).map((e: { action: string }) => e.action)).to.deep.equal(['app.reactivate', 'app.deactivate', 'app.secret.regenerate', 'app.update', 'app.create']);
    expect(cli.stdout).to.not.contain(app.secret);
  });

  it('phone: at 375x700 the apps list fits without horizontal scrolling', async () => {
    const phone = await newPage({ viewport: { width: 375, height: 700 }, storageFrom: admin.context() });
    await phone.goto(`${issuer}/admin/apps`);
    expect(await phone.locator('h1').textContent()).to.equal('Apps');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(375);
    await shot(phone, 'admin-apps-phone.png');
    for (const page of ['/admin/apps/new', `/admin/apps/${app.id}`, '/admin/users', '/admin/audit']) {
      await phone.goto(`${issuer}${page}`);
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${page} is ${width}px wide`).to.be.at.most(375);
    }
  });

  it('the screenshots were written', () => {
    for (const name of ['admin-apps-list.png', 'admin-create-errors.png', 'admin-secret-dialog.png', 'admin-app-detail.png']) {
      expect(fs.statSync(path.join(SCREENSHOTS, name)).size, name).to.be.above(5000);
    }
  });
});
