/// <reference lib="dom" />
import { expect } from 'chai';
import fs from 'node:fs';
import type { Browser, Dialog, Page } from 'playwright-core';
import type { Actor } from '../../src/admin/admin-authorization';
import type { AuditEntry } from '../../src/admin/audit-log';
import { CHROMIUM, launchChromium } from '../helpers/chromium';
import { BROWSER_ADMIN, newBrowserPage, signInInBrowser, startBrowserServer, type BrowserServer } from '../helpers/browser-server';

const SEEDER: Actor = { type: 'cli', id: 'cli', name: 'cli', adminRole: 'super-admin', from: 'cli' };

/**
 * The admin pages' behaviour in Chromium: every invalid field of a form reported at once, the
 * deactivate confirm page (no script dialog), search and paging of the lists, the audit log's
 * filters and its CSV and JSON Lines exports.
 */
describe('e2e: admin pages in Chromium: form errors, confirm pages, search, paging, audit', function () {
  this.timeout(120_000);
  let env: BrowserServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    env = await startBrowserServer();
    browser = await launchChromium();
    page = await newBrowserPage(browser, 1280);
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInInBrowser(page, env.base, BROWSER_ADMIN);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await env?.close();
  });

  const go = (path: string) => page.goto(`${env.base}${path}`);
  const submit = (selector: string) => Promise.all([page.waitForLoadState('load'), page.click(selector)]);
  const errorOf = (field: string) => page.locator(`#error-${field}`).textContent();
  const isOutlined = (selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).borderTopColor === 'rgb(164, 38, 44)');

  it('Create App: a blank name, a wrong role, two bad redirect URIs and a bad origin are all reported in one submit, each next to its field', async () => {
    await go('/admin/apps/new');
    await page.fill('#name', '   ');
    await page.selectOption('#type', 'web');
    await page.fill('#redirectUris', 'https://*.app.example/cb\nhttps://app.example/fine\nhttp://app.example/plain-http');
    await page.fill('#allowedOrigins', 'https://app.example/with-path');
    // A role the application does not declare (the form offers only declared ones: a stale or forged form).
    await page.evaluate(`document.querySelector('#roles').insertAdjacentHTML('beforeend', '<label><input type="checkbox" name="roles" value="no-such-role" checked> no-such-role</label>')`);
    await submit('#save');
    expect(new URL(page.url()).pathname).to.equal('/admin/apps');
    expect(await errorOf('name')).to.equal('name is required');
    const uris = (await errorOf('redirectUris'))!;
    expect(uris).to.contain('wildcards are not allowed: https://*.app.example/cb');
    expect(uris).to.contain('http is allowed only on loopback hosts; use https: http://app.example/plain-http');
    expect(await errorOf('allowedOrigins')).to.contain('https://app.example/with-path');
    expect(await errorOf('roles')).to.contain('no role "no-such-role"');
    for (const field of ['name', 'redirectUris', 'allowedOrigins']) {
      expect(await page.getAttribute(`#${field}`, 'aria-invalid'), field).to.equal('true');
      expect(await isOutlined(`#${field}`), `${field} is outlined`).to.equal(true);
      // Right under its field.
      const control = (await page.locator(`#${field}`).boundingBox())!;
      const error = (await page.locator(`#error-${field}`).boundingBox())!;
      expect(error.y, field).to.be.within(control.y + control.height - 1, control.y + control.height + 40);
    }
    expect(await isOutlined('fieldset#roles')).to.equal(true);
    expect(await page.locator('#form-errors li').allTextContents()).to.deep.equal(['Name', 'Redirect URIs', 'Allowed CORS origins', 'Roles']);
    // What was typed is kept, and nothing was created.
    expect(await page.inputValue('#redirectUris')).to.contain('https://app.example/fine');
    expect(await env.server.portcullis.clients.list()).to.have.length(0);
  });

  it('Create user: a bad username, a short password and a bad email are all reported in one submit', async () => {
    await go('/admin/users/new');
    await page.fill('#username', '!');
    await page.fill('#email', 'not-an-address');
    await page.fill('#password', 'short');
    await submit('#save-user');
    expect(await errorOf('username')).to.match(/username must be/);
    expect(await errorOf('password')).to.match(/password must be 10 to 1024 characters/);
    expect(await errorOf('email')).to.equal('email must be a valid address');
    for (const field of ['username', 'password', 'email']) expect(await isOutlined(`#${field}`), field).to.equal(true);
    expect(await page.inputValue('#email')).to.equal('not-an-address');
  });

  it('Edit user: a bad email and a short new password are both reported, and nothing is changed', async () => {
    const user = await env.server.portcullis.users.create({ username: 'edit.me', password: 'edit me password', email: 'edit.me@example.com' });
    await go(`/admin/users/${user.userId}`);
    await page.fill('#email', 'broken');
    await page.fill('#password', 'short');
    await submit('#save-user');
    expect(await errorOf('email')).to.equal('email must be a valid address');
    expect(await errorOf('password')).to.match(/password must be/);
    expect((await env.server.portcullis.users.get(user.userId)).email).to.equal('edit.me@example.com');
  });

  it('deactivate asks on a styled page (no browser confirm); Cancel changes nothing; confirmed, the page says so, with a banner, a read-only form and Reactivate', async () => {
    const { client } = await env.server.portcullis.admin.createApp(SEEDER, { name: 'To Deactivate', type: 'web', application: 'echo', redirectUris: ['https://app.example/cb'] });
    const detail = `${env.base}/admin/apps/${client.clientId}`;
    await page.goto(detail);
    await Promise.all([page.waitForURL(`${detail}/deactivate`), page.click('#deactivate')]);
    expect(await page.locator('h1').textContent()).to.equal('Deactivate To Deactivate?');
    await Promise.all([page.waitForURL(detail), page.click('#cancel')]);
    expect(await page.locator('#app-status').textContent()).to.equal('Active');
    expect((await env.server.portcullis.clients.get(client.clientId)).status).to.equal('active');

    await Promise.all([page.waitForURL(`${detail}/deactivate`), page.click('#deactivate')]);
    await Promise.all([page.waitForURL(`${detail}?done=deactivated`), page.click('#confirm-deactivate')]);
    expect(dialogs, 'no script dialog at any step').to.deep.equal([]);
    expect(await page.locator('#done').textContent()).to.match(/^App deactivated/);
    expect(await page.locator('#deactivated-banner').isVisible()).to.equal(true);
    expect(await page.locator('#app-status').textContent()).to.equal('Deactivated');
    expect(await page.locator('#name').isDisabled()).to.equal(true);
    expect(await page.locator('#save').count()).to.equal(0);
    expect(await page.locator('#deactivate').count()).to.equal(0);

    await Promise.all([page.waitForURL(`${detail}?done=reactivated`), page.click('#reactivate')]);
    expect(await page.locator('#done').textContent()).to.match(/^App reactivated/);
    expect(await page.locator('#name').isDisabled()).to.equal(false);
    expect((await env.server.portcullis.clients.get(client.clientId)).status).to.equal('active');
  });

  it('the apps list searches and pages: 20 a page, Next and Previous keep the search', async () => {
    for (let i = 1; i <= 23; i++) await env.server.portcullis.clients.create({ name: `Paged Service ${String(i).padStart(2, '0')}`, application: i % 2 ? 'echo' : 'billing', type: 'service' });
    await go('/admin/apps');
    const rows = () => page.locator('#apps tbody tr').count();
    expect(await rows()).to.equal(20);
    const total = (await env.server.portcullis.clients.list()).length;
    expect(await page.locator('#page-info').textContent()).to.equal(`Page 1 of 2 · ${total} apps`);
    await Promise.all([page.waitForURL(/page=2/), page.click('#next-page')]);
    expect(await rows()).to.equal(total - 20);
    expect(await page.locator('#next-page').count()).to.equal(0);

    await page.fill('#q', 'paged billing');
    await Promise.all([page.waitForURL(/q=paged\+billing/), page.click('#search')]);
    // Every word must match: the 11 billing ones of the 23.
    expect(await page.locator('#page-info').textContent()).to.equal('Page 1 of 1 · 11 apps matching “paged billing”');
    for (const name of await page.locator('#apps tbody td[data-label=Name]').allTextContents()) expect(name).to.match(/^Paged Service \d\d$/);
    await page.fill('#q', 'paged');
    await Promise.all([page.waitForURL(/q=paged/), page.click('#search')]);
    await Promise.all([page.waitForURL(/q=paged&page=2/), page.click('#next-page')]);
    expect(await rows()).to.equal(3);
    await Promise.all([page.waitForURL(/q=paged&page=1/), page.click('#prev-page')]);
    expect(await rows()).to.equal(20);
    await page.fill('#q', 'nothing like this');
    await Promise.all([page.waitForURL(/q=nothing/), page.click('#search')]);
    expect(await page.locator('#no-apps').textContent()).to.equal('No app matches this search.');
  });

  it('the users list searches by username, name, email and role', async () => {
    await env.server.portcullis.users.create({ username: 'findable.person', password: 'findable password', name: 'Fiona Findable', email: 'fiona@find.example', roles: { billing: ['billing-reader'] } });
    await go('/admin/users?q=fiona');
    expect(await page.locator('#users tbody td[data-label=Username]').allTextContents()).to.deep.equal(['findable.person']);
    await go('/admin/users?q=billing-reader');
    expect(await page.locator('#users tbody td[data-label=Username]').allTextContents()).to.include('findable.person');
  });

  it('the audit log filters by action, actor, target and day, shows actions in words, and exports what is filtered as CSV and JSON lines', async () => {
    const admin = env.server.portcullis.admin;
    const ops: Actor = { type: 'user', id: 'u-ops', name: 'Olga Ops', adminRole: 'super-admin', from: '198.51.100.4' };
    const created = await admin.createApp(ops, { name: '=Formula, "quoted" app', type: 'service', application: 'echo' });
    await admin.updateApp(ops, created.client.clientId, { description: 'changed' });
    await go('/admin/audit');
    await page.selectOption('#action', 'app.update');
    await page.fill('#actor', 'olga');
    await submit('#apply-filters');
    expect(new URL(page.url()).searchParams.get('action')).to.equal('app.update');
    const whats = await page.locator('table.audit td[data-label=What]').allTextContents();
    expect(whats).to.deep.equal(['Edited app =Formula, "quoted" app (description)']);
    expect(await page.locator('table.audit td[data-label=Who]').allTextContents()).to.deep.equal(['Olga Ops']);

    // The target filter, alone: both entries of the app.
    await go(`/admin/audit?target=${encodeURIComponent(created.client.clientId)}`);
    expect(await page.locator('table.audit td[data-label=What]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-action')))).to.deep.equal(['app.update', 'app.create']);

    // A day range: today has them, a range that ended yesterday none.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await go(`/admin/audit?actor=olga&from=${today}&to=${today}`);
    expect(await page.locator('table.audit tbody tr').count()).to.equal(2);
    await go(`/admin/audit?actor=olga&to=${yesterday}`);
    expect(await page.locator('#no-entries').textContent()).to.equal('No entries.');

    // The export of the filtered entries: a download, CSV and JSON lines.
    await go('/admin/audit?actor=olga');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(csvDownload.suggestedFilename()).to.match(/^portcullis-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await csvDownload.path())!, 'utf8').split('\r\n');
    expect(csv[0]).to.equal('at,actor_type,actor_id,actor_name,action,action_in_words,target_type,target_id,target_name,from,changed');
    expect(csv).to.have.length(4); // header, two entries, and the final CRLF
    expect(csv[1]).to.contain(',Olga Ops,app.update,Edited app,app,');
    // A formula-like name is defused, and a comma or a quote is quoted (RFC 4180).
    expect(csv[1]).to.contain(`,"'=Formula, ""quoted"" app",198.51.100.4,description`);
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-jsonl')]);
    const lines = fs.readFileSync((await jsonDownload.path())!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.map((e) => e.action)).to.deep.equal(['app.update', 'app.create']);
    expect(lines[0]).to.deep.include({ actor: { type: 'user', id: 'u-ops', name: 'Olga Ops' }, from: '198.51.100.4', changed: ['description'] });
    expect(lines[0].target).to.deep.equal({ type: 'app', id: created.client.clientId, name: '=Formula, "quoted" app' });
  });
});
