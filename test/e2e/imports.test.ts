import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRun, ImportRunList, QuarantinePage } from '../../web/src/api/client.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/** The imports pages: the runs as the API lists them, one run's figures, its refused rows by code, and each refused row. */

interface RawRow {
  import: { runId: string; file: string; row: number; line: number; problems: { code: string; column: string | null; value: string | null; message: string }[] };
  record: Record<string, string>;
}

/**
 * Sixty contacts: every even row has an email without a dot in its domain, every fifth a 30 February, so the rows
 * 10, 20... carry both problems; 36 rows are refused, more than one page of them.
 */
function contactsCsv(): string {
  const lines = ['first_name,last_name,email,birth_date'];
  for (let i = 1; i <= 60; i++) {
    const email = i % 2 === 0 ? `person${i}@nowhere` : `person${i}@example.fr`;
    const birth = i % 5 === 0 ? '2001-02-30' : `19${String(50 + (i % 40)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`;
    // Names are letters only (digits would make the name itself invalid).
    const letters = String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26));
    lines.push(`Jean${letters},Martin${letters},${email},${birth}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(noBrowser('e2e/imports'))('imports pages', () => {
  let d: Dashboard;
  let contactsRunId = '';

  beforeAll(async () => {
    d = await startDashboard({ customers: true });
    const folder = join(d.customers?.file ?? '', '..');
    const file = join(folder, 'contacts.csv');
    writeFileSync(file, contactsCsv());
    const run = await d.s.imports.run({ path: file, kind: 'customers' });
    contactsRunId = run.id;
    if (run.rejected !== 36) throw new Error(`contacts.csv: ${run.rejected} rows refused, 36 expected`);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const en = new Intl.NumberFormat('en-GB');
  const cells = (row: Locator) => row.evaluate((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()));
  const runsTable = (page: Page) => page.getByRole('table', { name: 'Import runs, newest first' });
  const rejectedTable = (page: Page) => page.getByRole('table', { name: /^Rejected rows of this import/ });

  it('lists the runs newest first with the figures of the API, and opens one from the keyboard', async () => {
    const api = await d.api<ImportRunList>('/api/imports');
    expect(api.total).toBe(2);
    const page = await d.loggedIn('/imports');
    await page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor();
    const rows = runsTable(page).getByRole('row');
    await expect.poll(() => rows.count()).toBe(api.items.length + 1);
    expect(await rows.evaluateAll((trs) => trs.slice(1).map((tr) => tr.getAttribute('data-id')))).toEqual(api.items.map((r) => r.id));
    // Newest first: the file imported last (contacts.csv) is on top.
    expect(api.items[0]?.id).toBe(contactsRunId);
    for (const [i, r] of api.items.entries()) {
      const shown = await cells(rows.nth(i + 1));
      const delta = r.profileDelta > 0 ? `+${en.format(r.profileDelta)}` : en.format(r.profileDelta);
      expect(shown, r.id).toEqual([
        r.file.split('/').pop(),
        'Customers',
        'Done',
        expect.any(String),
        en.format(r.rowsRead),
        en.format(r.imported),
        en.format(r.duplicates),
        en.format(r.rejected),
        delta,
      ]);
      expect(await rows.nth(i + 1).locator('time').getAttribute('datetime')).toBe(r.startedAt);
    }
    const customers = api.items.find((r) => r.id === d.customers?.run.id);
    expect(customers).toMatchObject({ rowsRead: 10, imported: 8, rejected: 2, profileDelta: 8 });
    await screenshot(page, 'imports-list');

    // Keyboard: the run's link takes the focus and Enter opens it.
    const link = runsTable(page).getByRole('link', { name: /Open the import of customers\.csv/ });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${d.url}/imports/${customers?.id}`);
    await page.getByRole('heading', { level: 1, name: 'Import of customers.csv' }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a run’s figures, its refused rows by code, and each refused row with its line, column, value and code', async () => {
    const id = d.customers?.run.id ?? '';
    const run = await d.api<ImportRun>(`/api/imports/${id}`);
    const rejected = await d.api<QuarantinePage>(`/api/imports/${id}/rejected?limit=25&offset=0`);
    const page = await d.loggedIn(`/imports/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Import of customers.csv' }).waitFor();

    for (const k of ['rowsRead', 'imported', 'duplicates', 'rejected'] as const) {
      expect(await page.getByTestId(`run-${k}`).locator('.stat-value').textContent(), k).toBe(en.format(run[k]));
    }
    expect(await page.getByTestId('run-profileDelta').locator('.stat-value').textContent()).toBe(`+${en.format(run.profileDelta)}`);

    // The chart's numbers, in its table: one row a code, as the run counted them.
    const chart = page.getByTestId('rejected-by-code');
    await chart.locator('svg').first().waitFor();
    const chartRows = await chart.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(Object.fromEntries(chartRows.map(([code, n]) => [code, Number(n)]))).toEqual(run.rejectedByCode);
    expect(run.rejectedByCode).toEqual({ 'quality.invalid_date': 1, 'quality.invalid_email': 1 });

    // Every refused row, with where it is in the file and why, as kept in the quarantine.
    const table = rejectedTable(page);
    const rows = table.getByRole('row');
    await expect.poll(() => rows.count()).toBe(rejected.total + 1);
    expect(rejected.total).toBe(2);
    for (const item of rejected.items) {
      const raw = JSON.parse(item.raw) as RawRow;
      const p = raw.import.problems[0];
      const row = rows.filter({ hasText: p?.message ?? '' });
      expect((await cells(row)).slice(0, 6)).toEqual([String(raw.import.row), String(raw.import.line), p?.column, p?.value, p?.code, p?.message]);
    }
    // The file's own lines: the header is line 1, Inès's impossible date is on line 10, Hugo's email on line 11.
    expect((await cells(rows.filter({ hasText: '1978-31-12' }))).slice(0, 5)).toEqual(['9', '10', 'birth_date', '1978-31-12', 'quality.invalid_date']);
    expect((await cells(rows.filter({ hasText: 'hugo.lambert@example' }))).slice(0, 5)).toEqual(['10', '11', 'email', 'hugo.lambert@example', 'quality.invalid_email']);

    // The row's cells as read from the file, on demand.
    const toggle = table.getByRole('button', { name: 'Show: the cells of row 9' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    const controls = (await toggle.getAttribute('aria-controls')) ?? '';
    await toggle.click();
    const hide = table.getByRole('button', { name: 'Hide: the cells of row 9' });
    expect(await hide.getAttribute('aria-expanded')).toBe('true');
    const record = page.locator(`#${controls}`);
    expect(await record.textContent()).toContain('Row 9 (line 10) as read from the file');
    expect(await record.textContent()).toContain('ines.moreau@example.fr');
    await screenshot(page, 'import-run');
    expect(jsErrors(page)).toEqual([]);
  });

  it('pages through the refused rows of a bigger file, a row with two problems on two lines', async () => {
    const first = await d.api<QuarantinePage>(`/api/imports/${contactsRunId}/rejected?limit=25&offset=0`);
    const second = await d.api<QuarantinePage>(`/api/imports/${contactsRunId}/rejected?limit=25&offset=25`);
    expect(first.total).toBe(36);
    const page = await d.loggedIn(`/imports/${contactsRunId}`);
    await page.getByRole('heading', { level: 1, name: 'Import of contacts.csv' }).waitFor();
    const table = rejectedTable(page);
    const ids = () => table.getByRole('row').evaluateAll((trs) => [...new Set(trs.slice(1).map((tr) => tr.getAttribute('data-id')).filter((x) => x))]);
    await expect.poll(() => page.getByTestId('rejected-range').textContent()).toBe('Rows 1 to 25 of 36');
    expect(new Set(await ids())).toEqual(new Set(first.items.map((i) => i.id)));
    // In the file's order within the page.
    const lineNumbers = await table.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => Number(tr.querySelectorAll('td')[1]?.textContent)));
    expect(lineNumbers).toEqual([...lineNumbers].sort((a, b) => a - b));

    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expect.poll(() => page.getByTestId('rejected-range').textContent()).toBe('Rows 26 to 36 of 36');
    await expect.poll(async () => new Set(await ids())).toEqual(new Set(second.items.map((i) => i.id)));
    expect(await page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).toBe(true);

    // Row 20 (line 21): the email and the date are both wrong, one line each.
    const all = [...first.items, ...second.items].map((i) => JSON.parse(i.raw) as RawRow);
    const twenty = all.find((r) => r.import.row === 20);
    const onPage = second.items.some((i) => (JSON.parse(i.raw) as RawRow).import.row === 20);
    if (!onPage) await page.getByRole('button', { name: 'Previous', exact: true }).click();
    const lines = table.getByRole('row').filter({ has: page.locator('td', { hasText: /^21$/ }) });
    await expect.poll(() => lines.count()).toBe(2);
    expect(twenty?.import.problems.map((p) => p.code)).toEqual(['quality.invalid_email', 'quality.invalid_date']);
    expect((await cells(lines.nth(0))).slice(2, 5)).toEqual(['email', 'person20@nowhere', 'quality.invalid_email']);
    expect((await cells(lines.nth(1))).slice(2, 5)).toEqual(['birth_date', '2001-02-30', 'quality.invalid_date']);
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French', async () => {
    const page = await d.loggedIn('/imports', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor();
    await page.getByRole('columnheader', { name: 'Lignes lues' }).waitFor();
    const rows = page.getByRole('table', { name: 'Imports, du plus récent au plus ancien' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(1).getByRole('cell', { name: 'Terminé' }).count()).toBe(1);
    expect(await rows.nth(1).getByRole('cell', { name: 'Clients' }).count()).toBe(1);
    await page.goto(`${d.url}/imports/${contactsRunId}`);
    await page.getByRole('heading', { level: 1, name: 'Import de contacts.csv' }).waitFor();
    await expect.poll(() => page.getByTestId('rejected-range').textContent()).toBe('Enregistrements 1 à 25 sur 36');
    const text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Rows read', 'Rejected rows', 'Duplicates', 'Profile change', 'Show']) expect(text).not.toContain(english);
    await screenshot(page, 'import-run-fr');
    expect(jsErrors(page)).toEqual([]);
  });
});
