/// <reference lib="dom" />
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

const ADMIN = { username: 'roles-admin', password: 'bootstrap admin password' };

/**
 * Issue 11, roles that admins manage, in a real browser (headless Chromium against the real
 * gateway): a bespoke role and the service client that holds it made in one sitting, the role's
 * permissions changed and followed by the gateway's guard, YAML roles read-only, deletion of a
 * held role refused and then forced, every step in the audit log.
 */
describe('e2e: roles in the admin area (Chromium)', function () {
  this.timeout(120_000);
  let gw: GatewayProcess;
  let issuer: string;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    gw = await startGateway({ PORTCULLIS_ADMIN_USERNAME: ADMIN.username, PORTCULLIS_ADMIN_PASSWORD: ADMIN.password });
    issuer = gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${issuer}/admin/roles`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${issuer}/admin/roles`), page.click('button[type=submit]')]);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await gw?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
  const client = { id: '', secret: '' };

  async function token(): Promise<string> {
    const res = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const echo = (method: string, accessToken: string) => fetch(`${gw.baseUrl}/echo/hello`, { method, headers: { Authorization: `Bearer ${accessToken}` } }).then((r) => r.status);
  /** The gateway's guard follows a change within its cache time (`cacheMs`, 500 ms in the sample): wait at most 2 s for it. */
  async function until(check: () => Promise<number>, status: number): Promise<void> {
    const start = Date.now();
    let last = await check();
    while (last !== status && Date.now() - start < 2000) {
      await new Promise((r) => setTimeout(r, 50));
      last = await check();
    }
    expect(last).to.equal(status);
  }

  it('lists YAML roles read-only and makes a bespoke role', async () => {
    expect(await text('#roles-echo')).to.contain('echo-reader').and.contain('Settings (read-only)');
    await shot('roles-list.png');
    await Promise.all([page.waitForURL(`${issuer}/admin/roles/echo/new`), page.click('#new-role-echo')]);
    // Nothing filled in: every problem is shown next to its field.
    await page.click('#save-role');
    expect(await text('#error-name')).to.match(/role name/);
    await page.fill('#name', 'nightly-export');
    await page.fill('#description', 'the nightly export job');
    await page.check('input[name=permissions][value="echo:read"]');
    await Promise.all([page.waitForURL(`${issuer}/admin/roles/echo/nightly-export`), page.click('#save-role')]);
    expect(await text('#role-title')).to.contain('nightly-export');
    expect(await text('#holders')).to.contain('Nobody holds this role');
    await shot('role-detail.png');
  });

  it('makes a service client holding the new role in the same sitting, whose token the guard honours', async () => {
    await Promise.all([page.waitForURL(/\/admin\/apps\/new\?/), page.click('#new-client-with-role')]);
    expect(await page.inputValue('#type')).to.equal('service');
    expect(await page.inputValue('#application')).to.equal('echo');
    expect(await page.isChecked('input[name=roles][value="nightly-export"]')).to.equal(true);
    await page.fill('#name', 'Nightly exporter');
    await Promise.all([page.waitForURL(/\/admin\/apps\/pcc_/), page.click('#save')]);
    client.id = await text('#client-id');
    client.secret = await text('#client-secret');
    expect(client.secret).to.match(/^pcs_/);
    await page.click('#dismiss-secret');
    const accessToken = await token();
    expect(await echo('GET', accessToken)).to.equal(200);
    expect(await echo('POST', accessToken)).to.equal(403);
  });

  it("an edited role reaches the token in use within the guard's cache time", async () => {
    const accessToken = await token();
    await page.goto(`${issuer}/admin/roles/echo/nightly-export`);
    expect(await text('#holders')).to.contain('Nightly exporter');
    await page.uncheck('input[name=permissions][value="echo:read"]');
    await page.check('input[name=permissions][value="echo:write"]');
    await Promise.all([page.waitForURL(`${issuer}/admin/roles/echo/nightly-export`), page.click('#save-role')]);
    await until(() => echo('POST', accessToken), 200);
    expect(await echo('GET', accessToken)).to.equal(403);
  });

  it('a YAML role has no form and no delete button', async () => {
    await page.goto(`${issuer}/admin/roles/echo/echo-reader`);
    expect(await text('#read-only')).to.contain('read-only');
    expect(await page.$('#role-form')).to.equal(null);
    expect(await page.$('#delete-role')).to.equal(null);
    await shot('role-yaml-read-only.png');
  });

  it('deleting the held role is refused naming the holder, then done with "remove from holders"; the audit log has every step', async () => {
    const accessToken = await token();
    await page.goto(`${issuer}/admin/roles/echo/nightly-export`);
    await Promise.all([page.waitForURL(/\/delete$/), page.click('#delete-role')]);
    expect(await text('#holders')).to.contain('Nightly exporter');
    await page.click('#confirm-delete');
    expect(await text('#error-form')).to.contain('held by 1 client (Nightly exporter)');
    await shot('role-delete-refused.png');
    await page.check('#remove-from-holders');
    await Promise.all([page.waitForURL(`${issuer}/admin/roles`), page.click('#confirm-delete')]);
    expect(await text('#roles-echo')).to.not.contain('nightly-export');
    await until(() => echo('POST', accessToken), 403);
    await page.goto(`${issuer}/admin/apps/${client.id}`);
    expect(await page.isChecked('input[name=roles][value="echo-reader"]')).to.equal(false);
    await page.goto(`${issuer}/admin/audit`);
    const audit = await text('table.audit');
    // Actions in words (the codes are in data-action).
    for (const action of ['Created role', 'Edited role', 'Deleted role', 'Created app']) expect(audit).to.contain(action);
    expect(audit).to.contain('removed from 1 client (Nightly exporter)');
  });
});
