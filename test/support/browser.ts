import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium for the browser tests. Where it is missing, the tests skip with the reason printed, except in
 * CI (`.ci/run` sets SEGMENTUM_REQUIRE_BROWSER=1 after installing it), where a missing browser is a failure: the
 * browser suites must never pass there by not running.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export const browserRequired = process.env.SEGMENTUM_REQUIRE_BROWSER === '1';
const installed = existsSync(CHROMIUM);

/** True when the suite should skip (and says why once); throws when a browser is required and absent. */
export function noBrowser(suite: string): boolean {
  if (installed) return false;
  if (browserRequired) throw new Error(`${suite}: ${CHROMIUM} is not installed, and SEGMENTUM_REQUIRE_BROWSER=1 requires it (apt-get install chromium).`);
  console.warn(`${suite}: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium); CI installs it and runs this suite.`);
  return true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

/** Saves a full-page screenshot as test-results/<name>.png for reviewers. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  // A full-page capture would paint the sticky sidebar where the viewport ended: pin it to the top for the picture.
  await page.screenshot({ path, fullPage: true, style: '.sidebar { position: static !important; }' });
  return path;
}
