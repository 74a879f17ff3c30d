import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, testSettings, type TestServer } from './test-portcullis';

/** The branding the browser suites run with: their pages must show it. */
export const BRAND = { productName: 'Acme ID', primaryColor: '#0b5cad' };
export const BROWSER_ADMIN = { username: 'ada-admin', password: 'browser admin password' };

export interface BrowserServer {
  server: TestServer;
  /** `http://127.0.0.1:<port>`, also the issuer (so the pages' same-origin checks pass). */
  base: string;
  close(): Promise<void>;
}

/**
 * A real Portcullis runtime (in-memory SQLite) on a real port for Chromium. The port is taken
 * first, so the issuer can be the origin the browser uses: the sign-in and admin forms refuse a
 * post from any other origin.
 */
export async function startBrowserServer(): Promise<BrowserServer> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const listener = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const server = await startTestServer({ settings: testSettings({ issuer: base, branding: BRAND }) });
  // Like the gateway: nothing after the router; an unknown path outside Portcullis's own is Express's.
  handler = server.app;
  await server.portcullis.users.create({ ...BROWSER_ADMIN, adminRole: 'super-admin', roles: {} });
  return {
    server,
    base,
    close: async () => {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await server.close();
    },
  };
}

/** Signs in on /login in `page` and waits for the page it returns to. */
export async function signInInBrowser(page: Page, base: string, user: { username: string; password: string }, returnTo = '/admin/apps'): Promise<void> {
  await page.goto(`${base}/login?return_to=${encodeURIComponent(returnTo)}`);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(`${base}${returnTo}`), page.click('button[type=submit]')]);
}

/** A fresh context and page, optionally at phone width, optionally with another context's cookies. */
export async function newBrowserPage(browser: Browser, width = 1280, from?: BrowserContext): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 900 },
    acceptDownloads: true,
    ...(from ? { storageState: await from.storageState() } : {}),
  });
  return context.newPage();
}
