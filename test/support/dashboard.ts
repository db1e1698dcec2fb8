import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadDemo } from '../../src/cli/load-demo.js';
import type { Segmentum } from '../../src/main.js';
import { ADMIN_KEY, bearer, startTestSegmentum } from '../helpers.js';
import { launchChromium } from './browser.js';

/**
 * The dashboard as a user meets it: the built pages (dist/web, built by `npm test`'s pretest) served by a real
 * Segmentum on a real port, with a small demo audience (the same generator as `npm start`), in Chromium.
 */

export interface Dashboard {
  s: Segmentum;
  url: string;
  browser: Browser;
  /** GET on the API with the admin key: the numbers the pages must show. */
  api: <T>(path: string) => Promise<T>;
  /** A fresh browser context (own storage) at 1280x800, language `locale`. */
  newPage: (opts?: { locale?: string; width?: number; height?: number }) => Promise<{ context: BrowserContext; page: Page }>;
  /** A new page, logged in with the admin key, on `path`. */
  loggedIn: (path?: string, opts?: { locale?: string }) => Promise<Page>;
  close: () => Promise<void>;
}

export const DEMO = { profiles: 600, days: 60, seed: 42 };

export async function startDashboard(): Promise<Dashboard> {
  const s = await startTestSegmentum();
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  await loadDemo(s, { ...DEMO, now: day }, { out: () => undefined, err: () => undefined, interactive: false });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];

  const newPage: Dashboard['newPage'] = async (opts = {}) => {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
      locale: opts.locale ?? 'en-GB',
      timezoneId: 'Europe/Paris',
    });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // A page error is a test failure, not a console line nobody reads.
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
    });
    (page as Page & { jsErrors: string[] }).jsErrors = errors;
    return { context, page };
  };

  const loggedIn: Dashboard['loggedIn'] = async (path = '/', opts = {}) => {
    const { page } = await newPage(opts);
    await page.goto(`${url}/`);
    await page.getByLabel(/admin key|clé d’administration/i).fill(ADMIN_KEY);
    await page.getByRole('button', { name: /log in|se connecter/i }).click();
    await page.getByRole('navigation').waitFor();
    if (path !== '/') await page.goto(`${url}${path}`);
    return page;
  };

  return {
    s,
    url,
    browser,
    api: async <T,>(path: string) => {
      const res = await s.app.inject({ method: 'GET', url: path, headers: { authorization: bearer(ADMIN_KEY) } });
      if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${res.body}`);
      return res.json<T>();
    },
    newPage,
    loggedIn,
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await s.close();
    },
  };
}

/** JavaScript errors the page raised (uncaught exceptions and console errors other than HTTP 4xx). */
export const jsErrors = (page: Page): string[] => (page as Page & { jsErrors?: string[] }).jsErrors ?? [];
