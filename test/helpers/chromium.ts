import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads its own. */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for reviewers; git-ignored. */
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'screenshots');

/**
 * Headless Chromium as the machine probe starts it: without the background-networking flags it
 * tries to reach Google's hosts, which this closed network refuses.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
