import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { OverviewView } from '../../src/api/schemas.js';
import { ADMIN_KEY, basic, startTestSegmentum, WRITE_KEY } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

type Overview = z.infer<typeof OverviewView>;

const en = new Intl.NumberFormat('en-GB');
const fr = new Intl.NumberFormat('fr-FR');

/** The value shown on a key-figure card. */
const stat = (page: Page, name: string) => page.getByTestId(`stat-${name}`).locator('.stat-value');

async function track(url: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** The overview: key figures, events of the last hour, top events and segments, all as the API counts them. */
describe.skipIf(noBrowser('e2e/overview'))('overview page', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('shows the key figures of GET /api/overview', async () => {
    const page = await d.loggedIn('/');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const o = await d.api<Overview>('/api/overview');
    expect(o.profiles).toBeGreaterThan(0);
    await expect.poll(() => stat(page, 'profiles').textContent()).toBe(en.format(o.profiles));
    expect(await stat(page, 'events').textContent()).toBe(en.format(o.events));
    expect(await stat(page, 'quarantined').textContent()).toBe(en.format(o.quarantined));
    expect(await stat(page, 'duplicates').textContent()).toBe(en.format(o.duplicates));
    expect(await stat(page, 'identified').textContent()).toBe(en.format(o.identified));
    expect(await stat(page, 'anonymous').textContent()).toBe(en.format(o.anonymous));
    expect(await stat(page, 'accounts').textContent()).toBe(en.format(o.accounts));
    // The share of identified profiles, as a percentage of all profiles.
    const share = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(o.identified / o.profiles);
    expect(await page.getByTestId('stat-identified').textContent()).toContain(`${share} of profiles`);
    // The quarantined figure leads to the quarantine.
    expect(await page.getByTestId('stat-quarantined').getByRole('link', { name: 'Review the quarantine' }).getAttribute('href')).toBe('/live#quarantine');
    await screenshot(page, 'overview');
    expect(jsErrors(page)).toEqual([]);
  });

  it('draws the charts with their numbers in data tables', async () => {
    const page = await d.loggedIn('/');
    const o = await d.api<Overview>('/api/overview');
    // The demo was loaded just now: its events were received in the last hour.
    expect(o.eventsPerMinute).toHaveLength(60);
    expect(o.eventsPerMinute.reduce((s, m) => s + m.count, 0)).toBeGreaterThan(0);
    await page.getByTestId('per-minute-chart').locator('svg').first().waitFor();
    await page.getByRole('img', { name: /events received in each of the last 60 minutes/ }).first().waitFor();
    const perMinute = page.getByRole('table', { name: 'Events received per minute over the last 60 minutes' });
    expect(await perMinute.locator('tbody tr').count()).toBe(60);
    const counts = (await perMinute.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number);
    expect(counts).toEqual(o.eventsPerMinute.map((m) => m.count));
    // Bars are drawn, one per minute.
    expect(await page.getByTestId('per-minute-chart').locator('svg rect').count()).toBeGreaterThanOrEqual(60);

    expect(o.topEvents.length).toBeGreaterThan(0);
    await page.getByTestId('top-events-chart').locator('svg').first().waitFor();
    const top = page.getByRole('table', { name: `The most frequent track events of the last ${o.topEventsDays} days` });
    const rows = top.locator('tbody tr');
    expect(await rows.count()).toBe(o.topEvents.length);
    expect(await rows.first().locator('td').allTextContents()).toEqual([o.topEvents[0]!.event, String(o.topEvents[0]!.count)]);
    await page.getByRole('heading', { name: `Top events, last ${o.topEventsDays} days` }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('lists the segments with size, a 7-day sparkline and the change, each linking to its detail', async () => {
    const page = await d.loggedIn('/');
    const o = await d.api<Overview>('/api/overview');
    expect(o.segments.length).toBeGreaterThan(0);
    const table = page.getByRole('table', { name: 'Segments with their size and their change over the last 7 days' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(o.segments.length);
    const biggest = [...o.segments].sort((a, b) => b.size - a.size)[0]!;
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: biggest.name, exact: true }) });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe(en.format(biggest.size));
    const first = biggest.trend[0]!.size;
    const last = biggest.trend[biggest.trend.length - 1]!.size;
    expect(await row.getByRole('cell').nth(3).textContent()).toContain(`${last - first > 0 ? '+' : ''}${en.format(last - first)}`);
    await row.getByRole('img', { name: new RegExp(`^Members of ${biggest.name} at the end of each of the last 7 days`) }).first().waitFor();
    await row.getByRole('link', { name: biggest.name, exact: true }).click();
    await page.waitForURL(`${d.url}/segments/${encodeURIComponent(biggest.id)}`);
  });

  it('counts new events after the next refresh', async () => {
    const page = await d.loggedIn('/');
    await stat(page, 'events').waitFor();
    const before = await d.api<Overview>('/api/overview');
    await expect.poll(() => stat(page, 'events').textContent()).toBe(en.format(before.events));
    const lastHour = before.eventsPerMinute.reduce((s, m) => s + m.count, 0);
    const run = Date.now();
    for (let i = 0; i < 3; i++) await track(d.url, { userId: 'overview-user', event: 'Overview Checked', messageId: `overview-${run}-${i}` });
    const after = await d.api<Overview>('/api/overview');
    expect(after.events).toBe(before.events + 3);
    // The page polls every 10 seconds.
    await expect.poll(() => stat(page, 'events').textContent(), { timeout: 25_000 }).toBe(en.format(before.events + 3));
    const total = after.eventsPerMinute.reduce((s, m) => s + m.count, 0);
    expect(total).toBeGreaterThanOrEqual(lastHour + 3);
    await expect.poll(() => page.getByTestId('per-minute-total').textContent()).toContain(`${en.format(total)} events in the last hour`);
    expect(jsErrors(page)).toEqual([]);
  });

  it('is in French with French number formats', async () => {
    const page = await d.loggedIn('/', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Vue d’ensemble' }).waitFor();
    const o = await d.api<Overview>('/api/overview');
    await expect.poll(() => stat(page, 'profiles').textContent()).toBe(fr.format(o.profiles));
    expect(await page.getByTestId('stat-events').locator('.stat-label').textContent()).toBe('Événements');
    await page.getByRole('heading', { name: 'Événements par minute, dernière heure' }).waitFor();
    await page.getByRole('table', { name: 'Segments avec leur taille et leur évolution sur les 7 derniers jours' }).waitFor();
    await page.getByRole('link', { name: 'Examiner la quarantaine' }).waitFor();
    await screenshot(page, 'overview-fr');
    expect(jsErrors(page)).toEqual([]);
  });

  it('on a fresh install, says how to send a first event instead of empty charts', async () => {
    const s = await startTestSegmentum();
    let context: BrowserContext | undefined;
    try {
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
      const opened = await d.newPage();
      context = opened.context;
      const page = opened.page;
      await page.goto(`${url}/`);
      await page.getByLabel('Admin key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'No data yet' }).waitFor();
      expect(await stat(page, 'events').textContent()).toBe('0');
      await page.getByText('No event received in the last hour.').waitFor();
      await page.getByText(/^No track event in the last \d+ days\.$/).waitFor();
      await screenshot(page, 'overview-empty');
      await page.getByRole('link', { name: 'Get the tracking snippet' }).click();
      await page.waitForURL(`${url}/settings#snippet`);
      expect(jsErrors(page)).toEqual([]);
    } finally {
      // The page first: the server's close waits for every open connection, and an open page keeps its connections.
      await context?.close();
      await s.close();
    }
  });
});
