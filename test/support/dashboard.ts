import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadDemo } from '../../src/cli/load-demo.js';
import type { MatchRunSummary } from '../../src/profiles/index.js';
import type { ImportSummary } from '../../src/imports/index.js';
import type { Segmentum } from '../../src/main.js';
import { ADMIN_KEY, bearer, startTestSegmentum } from '../helpers.js';
import { launchChromium } from './browser.js';

/**
 * The dashboard as a user meets it: the built pages (dist/web, built by `npm test`'s pretest) served by a real
 * Segmentum on a real port, with a small demo audience (the same generator as `npm start`), in Chromium.
 */

/** What `startDashboard({ customers: true })` added on top of the demo audience. */
export interface CustomersSeed {
  /** The file imported, and its import as the service summed it up. */
  file: string;
  run: ImportSummary;
  /** The matching run after the import (autoMergeAt 0.99, reviewAt 0.5). */
  match: MatchRunSummary;
}

export interface Dashboard {
  s: Segmentum;
  /** Set with the `customers` option. */
  customers?: CustomersSeed;
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

/**
 * A customers file as CRMs export them: one pair written twice with a typo (merged by the matching: same phone, birth
 * date and postcode), three pairs alike enough to wait for review (same name and postcode or birth date, another
 * email), one row with a date that does not exist and one with an email without a domain (both refused).
 */
export const CUSTOMERS_CSV = [
  'first_name,last_name,email,phone,birth_date,postcode',
  'Camille,Rousseau,camille.rousseau@example.fr,06 12 34 56 78,1985-03-14,75011',
  'Camile,Rousseau,c.rousseau@exemple.fr,,1985-03-14,75011',
  'Théo,Garnier,theo.garnier@example.fr,07 81 45 67 89,1992-11-02,69003',
  'Theo,Garnier,t.garnier@example.org,,,69003',
  'Léa,Fontaine,lea.fontaine@example.fr,06 45 12 78 90,1990-06-30,31000',
  'Lea,Fontaine,lea.f@example.net,,1990-07-30,',
  'Manon,Girard,manon.girard@example.fr,06 22 33 44 55,,13001',
  'Manon,Girard,mgirard@example.com,,,13001',
  'Inès,Moreau,ines.moreau@example.fr,06 98 76 54 32,1978-31-12,33000',
  'Hugo,Lambert,hugo.lambert@example,06 11 22 33 44,2001-05-20,44000',
  '',
].join('\n');

export interface DashboardOptions {
  /** Import CUSTOMERS_CSV through the import service and run the matching, after the demo audience. */
  customers?: boolean;
}

export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const s = await startTestSegmentum();
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  await loadDemo(s, { ...DEMO, now: day }, { out: () => undefined, err: () => undefined, interactive: false });
  let customers: CustomersSeed | undefined;
  let folder: string | null = null;
  if (opts.customers) {
    folder = mkdtempSync(join(tmpdir(), 'segmentum-e2e-'));
    const file = join(folder, 'customers.csv');
    writeFileSync(file, CUSTOMERS_CSV);
    const run = await s.imports.run({ path: file, kind: 'customers' });
    const match = await s.identity.matchProfiles({ actor: 'test', autoMergeAt: 0.99, reviewAt: 0.5 });
    customers = { file, run, match };
  }
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
    ...(customers ? { customers } : {}),
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
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** JavaScript errors the page raised (uncaught exceptions and console errors other than HTTP 4xx). */
export const jsErrors = (page: Page): string[] => (page as Page & { jsErrors?: string[] }).jsErrors ?? [];
