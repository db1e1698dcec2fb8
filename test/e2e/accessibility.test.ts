import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBrowser, screenshot } from '../support/browser.js';
import { startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * Every page checked by axe-core (the accessibility engine behind Lighthouse and the browsers' audits) against
 * WCAG 2.1 A and AA: labels, names, roles, landmarks, contrast; and no page wider than a 1280 px window. Keyboard use
 * is tested in the page suites.
 */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function violations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (scripts from its origin only) stays on.
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

describe.skipIf(noBrowser('e2e/accessibility'))('accessibility (axe-core, WCAG 2.1 AA)', () => {
  let d: Dashboard;
  let segmentId = '';
  let memberId = '';
  let pairId = '';
  let mergedId = '';
  beforeAll(async () => {
    // With imported customers: an import run with refused rows, pairs in the review queue, a merge to undo.
    d = await startDashboard({ customers: true });
    const seg = await d.api<{ id: string }>('/api/segments/active-buyers');
    segmentId = seg.id;
    const members = await d.api<{ items: { profileId: string }[] }>(`/api/segments/${segmentId}/members?limit=1`);
    memberId = members.items[0]?.profileId ?? '';
    if (!memberId) throw new Error('active-buyers has no member in the demo audience');
    pairId = (await d.api<{ items: { id: string }[] }>('/api/identity/review?status=pending&limit=1')).items[0]?.id ?? '';
    if (!pairId) throw new Error('the review queue is empty');
    mergedId = (await d.api<{ id: string }>('/api/profiles?email=camille.rousseau%40example.fr')).id;
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const pages = (): [string, string][] => [
    ['overview', '/'],
    ['segments', '/segments'],
    ['builder', '/segments/new'],
    ['segment', `/segments/${segmentId}`],
    ['explain', `/segments/${segmentId}/explain/${memberId}`],
    ['profiles', '/profiles'],
    ['profile', `/profiles/${memberId}`],
    ['live', '/live'],
    ['imports', '/imports'],
    ['import run', `/imports/${d.customers?.run.id ?? ''}`],
    ['duplicates', '/identity/review'],
    ['duplicate pair', `/identity/review/${pairId}`],
    ['merged profile', `/profiles/${mergedId}`],
    ['quality', '/quality'],
    // Before any run (analytics.test.ts checks them filled in): the forms, empty lists, and CLV not fitted yet.
    ['clustering studio', '/clusters'],
    ['models', '/models'],
    ['lifetime value', '/clv'],
    ['settings', '/settings'],
  ];

  it('the login page has no violation', async () => {
    const { page } = await d.newPage();
    await page.goto(`${d.url}/`);
    await page.getByRole('heading', { name: 'Log in to Segmentum' }).waitFor();
    expect(await violations(page)).toEqual([]);
  });

  for (const locale of ['en-GB', 'fr-FR']) {
    it(`every page has no violation (${locale})`, async () => {
      const page = await d.loggedIn('/', { locale });
      const found: string[] = [];
      for (const [name, path] of pages()) {
        await page.goto(`${d.url}${path}`);
        await page.locator('main h1').first().waitFor();
        // Wait until the page has its data: no loading message left.
        await expect.poll(() => page.getByRole('status').filter({ hasText: /Loading|Chargement/ }).count(), { timeout: 15_000 }).toBe(0);
        for (const v of await violations(page)) found.push(`${name}: ${v}`);
        // Usable at 1280 px: nothing wider than the window (no sideways scrolling of the whole page).
        const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        if (scroll > client) found.push(`${name}: the page is ${scroll} px wide in a ${client} px window`);
      }
      if (locale === 'en-GB') await screenshot(page, 'accessibility-last-page');
      expect(found).toEqual([]);
    });
  }

  it('the pages in their other states have no violation: a refused row opened, a merge about to be undone, a matching done', async () => {
    const page = await d.loggedIn(`/imports/${d.customers?.run.id ?? ''}`);
    await page.getByRole('button', { name: /^Show: the cells of row / }).first().click();
    await page.getByRole('button', { name: /^Hide: the cells of row / }).waitFor();
    const found = (await violations(page)).map((v) => `import run, row opened: ${v}`);

    await page.goto(`${d.url}/profiles/${mergedId}`);
    await page.getByRole('button', { name: /^Undo merge of / }).first().click();
    await page.getByRole('dialog', { name: 'Undo this merge?' }).waitFor();
    for (const v of await violations(page)) found.push(`undo dialog: ${v}`);

    await page.goto(`${d.url}/identity/review`);
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByTestId('match-result').waitFor();
    for (const v of await violations(page)) found.push(`matching done: ${v}`);
    expect(found).toEqual([]);
  });
});
