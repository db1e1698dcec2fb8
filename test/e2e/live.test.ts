import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { QuarantineItem } from '../../src/api/schemas.js';
import { basic, WRITE_KEY } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

type Quarantined = z.infer<typeof QuarantineItem>;

/** The page's polling interval: a paused stream is watched for longer than two of them. */
const POLL_MS = 2_000;

async function send(url: string, body: Record<string, unknown>): Promise<{ status: number; json: { error?: { code: string; quarantineId?: string } } }> {
  const res = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; quarantineId?: string } } };
}

const unique = (what: string): string => `${what} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const streamTable = (page: Page) => page.getByRole('table', { name: 'Latest events received, newest first' });
const firstRow = (page: Page) => streamTable(page).locator('tbody tr').first();
const quarantineTable = (page: Page) => page.getByRole('table', { name: 'Quarantined events' });

/** Live events: the stream of incoming events (pause, resume, filter) and the quarantine with its replay. */
describe.skipIf(noBrowser('e2e/live'))('live events page', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('puts a new event on top, with its user, its profile and its JSON', async () => {
    const page = await d.loggedIn('/live');
    await page.getByRole('heading', { level: 1, name: 'Live events' }).waitFor();
    // The latest demo events are there from the start.
    await firstRow(page).waitFor();
    const name = unique('Live Checked');
    expect((await send(d.url, { userId: 'live-user-1', event: name, properties: { plan: 'pro' } })).status).toBe(200);
    await expect.poll(() => firstRow(page).textContent(), { timeout: 10_000 }).toContain(name);

    const row = firstRow(page);
    expect(await row.textContent()).toContain('live-user-1');
    expect(await row.textContent()).toContain('track');
    const profile = await d.api<{ id: string }>('/api/profiles?userId=live-user-1');
    expect(await row.getByRole('link', { name: profile.id }).getAttribute('href')).toBe(`/profiles/${profile.id}`);

    await row.getByRole('button', { name: new RegExp(`^Show: JSON of ${name}`) }).click();
    const json = streamTable(page).locator('.live-json-row pre');
    await expect.poll(() => json.textContent()).toContain(`"event": "${name}"`);
    expect(await json.textContent()).toContain('"plan": "pro"');

    // Filtering is done in the page: by type, and by event name or user.
    await page.getByLabel('Event name or user contains').fill('live-user-1');
    await expect.poll(() => streamTable(page).locator('tbody tr:not(.live-json-row)').count()).toBe(1);
    await page.getByLabel('Type', { exact: true }).selectOption('identify');
    await page.getByText('No event matches the filter.').waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('');
    await page.getByLabel('Event name or user contains').fill('');
    await screenshot(page, 'live-stream');
    expect(jsErrors(page)).toEqual([]);
  });

  it('stops fetching while paused, then catches up on resume', async () => {
    const page = await d.loggedIn('/live');
    await firstRow(page).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByText('Paused: no new events are fetched.').waitFor();
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const polls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/events/recent')) polls.push(r.url());
    });

    const name = unique('While Paused');
    expect((await send(d.url, { userId: 'live-user-2', event: name })).status).toBe(200);
    // The event is stored (the API lists it) ...
    const recent = await d.api<{ events: { event: string | null }[] }>('/api/events/recent?limit=5');
    expect(recent.events.map((e) => e.event)).toContain(name);
    // ... but a paused page does not ask: nothing to wait for but time, so watch for more than two polling intervals.
    await page.waitForTimeout(POLL_MS * 2 + 500);
    expect(polls).toEqual([]);
    expect(await streamTable(page).textContent()).not.toContain(name);

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => firstRow(page).textContent()).toContain(name);
    await expect.poll(() => page.getByTestId('stream-notice').textContent()).toBe('1 event arrived while paused.');
    expect(polls.length).toBeGreaterThan(0);
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a refused event in the quarantine with its code, and replays it corrected', async () => {
    const page = await d.loggedIn('/live');
    const name = unique('Bad Clock');
    const bad = await send(d.url, { userId: 'live-user-3', event: name, messageId: `bad-${Date.now()}`, timestamp: 'yesterday-ish' });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe('event.invalid_timestamp');
    const id = bad.json.error?.quarantineId ?? '';
    expect(id).toMatch(/^q_/);

    const row = quarantineTable(page).locator(`tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('event.invalid_timestamp');
    const q = await d.api<Quarantined>(`/api/quarantine/${id}`);
    expect(await row.getByRole('cell').nth(2).textContent()).toBe(q.message);
    expect(await row.getByRole('cell').nth(3).textContent()).toBe(q.path ?? '—');

    await row.getByRole('button', { name: `Show and edit: raw body of ${id}` }).click();
    const raw = page.locator(`#q-${id} pre`);
    expect(JSON.parse((await raw.textContent()) ?? '')).toEqual(JSON.parse(q.raw));
    const editor = page.getByLabel(`Corrected event (JSON) for ${id}`);
    expect(JSON.parse(await editor.inputValue())).toMatchObject({ event: name, timestamp: 'yesterday-ish' });

    // JSON errors are shown before anything is sent.
    await editor.fill('{"event": ');
    await expect.poll(() => page.locator(`#q-${id}`).getByTestId('json-check').textContent()).toMatch(/^Not valid JSON: /);
    expect(await page.getByRole('button', { name: 'Replay with this event' }).isDisabled()).toBe(true);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    await editor.fill('[1, 2]');
    await expect.poll(() => page.locator(`#q-${id}`).getByTestId('json-check').textContent()).toBe('The event must be a JSON object, between { and }.');

    const fixed = { ...(JSON.parse(q.raw) as Record<string, unknown>), timestamp: new Date().toISOString() };
    await editor.fill(JSON.stringify(fixed, null, 2));
    await expect.poll(() => page.locator(`#q-${id}`).getByTestId('json-check').textContent()).toBe('Valid JSON.');
    await screenshot(page, 'live-quarantine');
    await page.getByRole('button', { name: 'Replay with this event' }).click();

    const report = page.getByTestId('replay-result');
    await expect.poll(() => report.textContent()).toContain('1 accepted, 0 duplicates, 0 still rejected.');
    expect(await report.getByRole('listitem').filter({ hasText: id }).textContent()).toContain('accepted');
    expect((await d.api<Quarantined>(`/api/quarantine/${id}`)).status).toBe('replayed');
    // Gone from the pending rows, listed with the replayed ones; the stored event reaches the stream.
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(() => streamTable(page).textContent(), { timeout: 10_000 }).toContain(name);
    await page.getByLabel('Status').selectOption('replayed');
    await quarantineTable(page).locator(`tr[data-id="${id}"]`).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('replays all shown rows of a code, and shows the ones still rejected with their reason', async () => {
    const page = await d.loggedIn('/live');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await send(d.url, { event: unique('No Identity'), messageId: `noid-${Date.now()}-${i}` });
      expect(r.json.error?.code).toBe('event.missing_identity');
      ids.push(r.json.error?.quarantineId ?? '');
    }
    await page.getByRole('combobox', { name: 'Error code' }).fill('event.missing_identity');
    await page.getByRole('button', { name: 'Filter' }).click();
    for (const id of ids) await quarantineTable(page).locator(`tr[data-id="${id}"]`).waitFor({ timeout: 15_000 });
    expect(await quarantineTable(page).getByRole('cell', { name: 'event.missing_identity', exact: true }).count()).toBe(ids.length);

    await page.getByRole('button', { name: `Replay all ${ids.length} shown` }).click();
    const report = page.getByTestId('replay-result');
    await expect.poll(() => report.textContent()).toContain(`0 accepted, 0 duplicates, ${ids.length} still rejected.`);
    for (const id of ids) {
      const item = report.getByRole('listitem').filter({ hasText: id });
      expect(await item.textContent()).toContain('rejected');
      expect(await item.textContent()).toContain('event.missing_identity');
    }
    // Still pending, with one more attempt counted.
    expect((await d.api<Quarantined>(`/api/quarantine/${ids[0]}`)).replayCount).toBe(1);
    expect(jsErrors(page)).toEqual([]);
  });

  it('opens at the quarantine from the overview, and is in French', async () => {
    const page = await d.loggedIn('/', { locale: 'fr-FR' });
    await page.getByRole('link', { name: 'Examiner la quarantaine' }).click();
    await page.waitForURL(`${d.url}/live#quarantine`);
    await page.getByRole('heading', { level: 1, name: 'Événements en direct' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Quarantaine' }).waitFor();
    // Scrolled to the quarantine (as far as the page's height allows), below the stream that loaded above it.
    await page.getByRole('table', { name: 'Derniers événements reçus, du plus récent au plus ancien' }).waitFor();
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('#quarantine').evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < window.innerHeight - 200))
      .toBe(true);
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await page.getByLabel('Statut').waitFor();
    await screenshot(page, 'live-fr');
    expect(jsErrors(page)).toEqual([]);
  });
});
