import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QualityReport, QualityTrend, ReviewList } from '../../web/src/api/client.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/** The data-quality page: the report's figures, tables and charts as the API gives them, "Run now" and the trend. */
describe.skipIf(noBrowser('e2e/quality'))('data quality page', () => {
  let d: Dashboard;

  beforeAll(async () => {
    // The imported customers leave probable duplicates in the review queue and refused values behind.
    d = await startDashboard({ customers: true });
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const en = new Intl.NumberFormat('en-GB');
  const pct = (n: number) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(n);
  const figure = (page: Page, id: string) => page.getByTestId(id).locator('.stat-value').textContent();
  const tableRows = (table: Locator) =>
    table.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));

  /** The key figures and every table of the page against one report of the API. */
  async function expectReport(page: Page, r: QualityReport): Promise<void> {
    expect(await figure(page, 'q-profiles')).toBe(en.format(r.profiles));
    expect(await figure(page, 'q-exact')).toBe(pct(r.duplicates.exactRate));
    expect(await figure(page, 'q-probable')).toBe(pct(r.duplicates.probableRate));
    expect(await figure(page, 'q-completeness')).toBe(r.completeness.mean === null ? '—' : pct(r.completeness.mean));
    expect(await figure(page, 'q-violations')).toBe(en.format(r.violations.reduce((s, v) => s + v.count, 0)));
    expect(await figure(page, 'q-invalid')).toBe(en.format(r.fields.reduce((s, f) => s + f.invalid, 0)));
    expect(await page.getByTestId('q-exact').textContent()).toContain(`${en.format(r.duplicates.exactProfiles)} profiles in ${en.format(r.duplicates.exactPairs)} pairs`);
    expect(await page.getByTestId('q-probable').textContent()).toContain(`${en.format(r.duplicates.probablePairs)} pairs waiting for review`);

    const fields = await tableRows(page.getByRole('table', { name: 'Present, missing and invalid values by field' }));
    expect(fields.map((row) => row.slice(1, 5))).toEqual(r.fields.map((f) => [en.format(f.present), en.format(f.missing), pct(f.missingRate), en.format(f.invalid)]));
    expect(fields.map((row) => row[0]?.replace(' PII (personal data (PII vault))', ''))).toEqual(r.fields.map((f) => f.field));
    const violations = await tableRows(page.getByRole('table', { name: 'Validation rule violations by rule' }));
    expect(violations).toEqual(r.violations.map((v) => [v.rule, v.code, v.severity, en.format(v.count)]));

    // The charts' numbers, in their tables.
    const missing = await tableRows(page.getByTestId('missing-by-field').getByRole('table'));
    expect(new Map(missing.map(([f, n, rate]) => [f, [n, rate]]))).toEqual(new Map(r.fields.map((f) => [f.field, [String(f.missing), pct(f.missingRate)]])));
    const histogram = await tableRows(page.getByTestId('completeness-histogram').getByRole('table'));
    expect(histogram.map((row) => Number(row[1]))).toEqual(r.completeness.histogram.map((b) => b.count));
    const freshness = await tableRows(page.getByTestId('freshness').getByRole('table'));
    expect(freshness.map((row) => Number(row[1]))).toEqual(r.freshness.buckets.map((b) => b.count));
  }

  it('shows the report as the API gives it: duplicates, fields, violations, completeness and freshness', async () => {
    const page = await d.loggedIn('/quality');
    await page.getByRole('heading', { level: 1, name: 'Data quality' }).waitFor();
    await page.getByTestId('q-profiles').waitFor();
    await page.getByTestId('missing-by-field').locator('svg').first().waitFor();
    // Read after the page: the latest report is kept a while, so the API answers with the one the page shows.
    const report = await d.api<QualityReport>('/api/quality');
    await expectReport(page, report);
    expect(await page.getByText(`on ${en.format(report.profiles)} profiles`).count()).toBe(1);

    // The probable duplicates are the pairs waiting in the review queue, and the figure leads there.
    const pending = await d.api<ReviewList>('/api/identity/review?status=pending');
    expect(pending.total).toBeGreaterThan(0);
    expect(report.duplicates.probablePairs).toBe(pending.total);
    expect(await page.getByTestId('q-probable').getByRole('link', { name: 'Review them' }).getAttribute('href')).toBe('/identity/review');
    // Invalid values by code, for each field that has any.
    for (const f of report.fields.filter((x) => x.invalid > 0)) {
      const row = page.getByRole('table', { name: 'Present, missing and invalid values by field' }).locator(`tr[data-field="${f.field}"]`);
      for (const [code, n] of Object.entries(f.invalidByCode)) expect(await row.textContent()).toContain(`${code}: ${en.format(n)}`);
    }
    await screenshot(page, 'quality');
    expect(jsErrors(page)).toEqual([]);
  });

  it('“Run now” computes a new report, shows it, and adds it to the trend', async () => {
    const before = await d.api<QualityTrend>('/api/quality/trend');
    expect(before.items.length).toBeGreaterThan(0);
    const page = await d.loggedIn('/quality');
    const trendRows = page.getByTestId('quality-trend').getByRole('table').getByRole('row');
    await expect.poll(() => trendRows.count()).toBe(before.items.length + 1);
    if (before.items.length === 1) await page.getByText('Only one report so far').waitFor();

    const answer = page.waitForResponse((r) => r.url().endsWith('/api/quality/runs') && r.request().method() === 'POST');
    // From the keyboard.
    await page.getByRole('button', { name: 'Run now' }).focus();
    await page.keyboard.press('Enter');
    const report = (await (await answer).json()) as QualityReport;
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('Report computed at');
    await expectReport(page, report);

    const after = await d.api<QualityTrend>('/api/quality/trend');
    expect(after.items.length).toBe(before.items.length + 1);
    expect(after.items.at(-1)?.id).toBe(report.id);
    await expect.poll(() => trendRows.count()).toBe(after.items.length + 1);
    const shown = await tableRows(page.getByTestId('quality-trend').getByRole('table'));
    expect(shown.map((row) => row.slice(1))).toEqual(after.items.map((p) => [pct(p.exactRate), pct(p.probableRate), p.completeness === null ? '—' : pct(p.completeness)]));
    expect(await page.getByText('Only one report so far').count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'quality-run');
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French', async () => {
    const page = await d.loggedIn('/quality', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Qualité des données' }).waitFor();
    await page.getByRole('button', { name: 'Lancer maintenant' }).waitFor();
    await page.getByRole('heading', { name: 'Valeurs manquantes par champ' }).waitFor();
    await page.getByTestId('q-profiles').waitFor();
    const report = await d.api<QualityReport>('/api/quality');
    const fr = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
    expect(await figure(page, 'q-exact')).toBe(fr.format(report.duplicates.exactRate));
    const text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Data quality', 'Missing values', 'Rule violations', 'Completeness', 'Run now', 'Over time']) expect(text).not.toContain(english);
    await screenshot(page, 'quality-fr');
    expect(jsErrors(page)).toEqual([]);
  });
});
