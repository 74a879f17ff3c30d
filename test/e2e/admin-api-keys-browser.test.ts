/// <reference lib="dom" />
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { configWith } from '../helpers/config-copy';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

const ADMIN = { username: 'root-admin', password: 'bootstrap admin password' };

/**
 * API keys in the admin pages, in headless Chromium against the real gateway whose echo pipeline
 * requires them (`apiKey: required`): issue (shown once), rotate (the old key refused), revoke,
 * each checked at the gateway's guard and in the app's history.
 */
describe('e2e: API keys in the admin pages (Chromium)', function () {
  this.timeout(120_000);
  let gw: GatewayProcess;
  /** The issuer's own origin: its cookies are set for it. */
  let base: string;
  let browser: Browser;
  let page: Page;
  let client: { client_id: string; client_secret: string };
  const dialogs: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    const config = configWith('gateway.config.yml', (t) => t.replace(/(\n\s+)application: echo\n/, '$1application: echo$1apiKey: required\n'));
    gw = await startGateway({ PORTCULLIS_CONFIG_DIR: config, PORTCULLIS_ADMIN_USERNAME: ADMIN.username, PORTCULLIS_ADMIN_PASSWORD: ADMIN.password });
    base = gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`;
    const created = await gw.cli(['clients', 'create', '--name', 'Partner feed', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(created.code, created.stderr).to.equal(0);
    client = JSON.parse(created.stdout);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.goto(`${base}/admin/apps`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${base}/admin/apps`), page.click('button[type=submit]')]);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await gw?.stop();
  });

  async function token(): Promise<string> {
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function echo(accessToken: string, apiKey?: string): Promise<{ status: number; description?: string }> {
    const res = await fetch(`${base}/echo/items`, { headers: { Authorization: `Bearer ${accessToken}`, ...(apiKey ? { 'X-API-Key': apiKey } : {}) } });
    const body = (await res.json()) as { error_description?: string; headers?: Record<string, string> };
    if (res.status === 200) expect(JSON.stringify(body), 'the key is not forwarded upstream').to.not.include(apiKey ?? 'pck_');
    return { status: res.status, description: body.error_description };
  }

  /** A change is seen by the guard within cacheMs (or at once, pushed): poll for a second. */
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 20 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await check()).to.equal(true);
  }

  it('issues, shows once, rotates and revokes the key of an app', async () => {
    const accessToken = await token();
    expect((await echo(accessToken)).description).to.match(/requires the client's API key in the x-api-key header/);

    await page.goto(`${base}/admin/apps/${client.client_id}`);
    await Promise.all([page.waitForURL(/\/api-key$/), page.click('#api-key-link')]);
    expect(await page.textContent('#api-key-status')).to.equal('No API key.');
    await Promise.all([page.waitForURL(/\/api-key$/), page.click('#issue-api-key')]);
    const first = (await page.textContent('#api-key'))!;
    expect(first).to.match(/^pck_[A-Za-z0-9_-]{43}$/);
    expect(await page.isVisible('#api-key-dialog')).to.equal(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-api-key-issued.png'), fullPage: true });
    expect((await echo(accessToken, first)).status).to.equal(200);

    // Shown once: the page again (a reload) has no key, only when it was issued.
    await page.reload();
    expect(await page.isVisible('#api-key-dialog')).to.equal(false);
    expect(await page.content()).to.not.include(first);
    expect(await page.textContent('#api-key-status')).to.match(/^API key issued \d{4}-\d\d-\d\d \d\d:\d\d$/);

    // Asked on a page of its own, with Cancel (no browser dialog).
    await Promise.all([page.waitForURL(/\/api-key\/rotate$/), page.click('#rotate-api-key')]);
    expect(await page.textContent('#confirm-notice')).to.equal('The current key stops working at once, on every gateway node. The new key is shown once.');
    await Promise.all([page.waitForURL(/\/api-key$/), page.click('#cancel')]);
    expect(await page.textContent('#api-key-status')).to.match(/^API key issued /);
    await Promise.all([page.waitForURL(/\/api-key\/rotate$/), page.click('#rotate-api-key')]);
    await Promise.all([page.waitForURL(/\/api-key$/), page.click('#confirm-rotate-api-key')]);
    const second = (await page.textContent('#api-key'))!;
    expect(second).to.match(/^pck_/).and.not.equal(first);
    await eventually(async () => (await echo(accessToken, first)).status === 401);
    expect((await echo(accessToken, first)).description).to.match(/revoked or replaced/);
    expect((await echo(accessToken, second)).status).to.equal(200);

    await page.click('#dismiss-api-key');
    await Promise.all([page.waitForURL(/\/api-key\/revoke$/), page.click('#revoke-api-key')]);
    expect(await page.textContent('#confirm-notice')).to.equal('Requests that need it are refused from now on, until a new key is issued.');
    await Promise.all([page.waitForURL(/\/api-key$/), page.click('#confirm-revoke-api-key')]);
    expect(dialogs, 'no browser dialog').to.deep.equal([]);
    expect(await page.textContent('#api-key-status')).to.equal('No API key.');
    await eventually(async () => (await echo(accessToken, second)).status === 401);

    await page.goto(`${base}/admin/apps/${client.client_id}`);
    const history = (await page.textContent('body'))!;
    for (const action of ['Issued an API key for app', 'Rotated the API key of app', 'Revoked the API key of app']) expect(history).to.include(action);
    for (const key of [first, second]) expect(history).to.not.include(key);
  });
});
