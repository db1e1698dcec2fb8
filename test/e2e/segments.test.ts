import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ExplainView, HistoryView, MembersPage as MembersPageView, SegmentView, TrendsView } from '../../src/api/schemas.js';
import { ADMIN_KEY, bearer } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

// The API's own response schemas give the shapes the tests read.
// The list and one-segment answers always carry the size (optional in the schema, which DELETE shares).
type Segment = z.infer<typeof SegmentView> & { size: number };
type MembersPage = z.infer<typeof MembersPageView>;
type History = z.infer<typeof HistoryView>;
type Trends = z.infer<typeof TrendsView>;
// The explanation tree is typed `unknown` in the schema (a recursive shape): the test names what it reads.
type Explain = Omit<z.infer<typeof ExplainView>, 'tree'> & { tree: { result: boolean } | null };

const en = new Intl.NumberFormat('en-GB');
const fr = new Intl.NumberFormat('fr-FR');

/** The rows of the members table: the profile id in each row's first cell. */
async function shownMembers(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Members of the segment, ordered by profile id' });
  return table.locator('tbody tr td:first-child').allTextContents();
}

/** The segments list, the segment detail (charts, members, CSV, delete) and the explain view, against the API. */
describe.skipIf(noBrowser('e2e/segments'))('segments pages', () => {
  let d: Dashboard;
  let segments: Segment[];
  /** The largest segment: several pages of members. */
  let big: Segment;

  const csvFromApi = async (id: string): Promise<string> => {
    const res = await fetch(`${d.url}/api/segments/${encodeURIComponent(id)}/members?format=csv`, { headers: { authorization: bearer(ADMIN_KEY) } });
    expect(res.status).toBe(200);
    return res.text();
  };

  const create = async (name: string, definition: string): Promise<Segment> => {
    const res = await d.s.app.inject({ method: 'POST', url: '/api/segments', headers: { authorization: bearer(ADMIN_KEY) }, payload: { name, description: 'Throwaway segment of the e2e test.', definition } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Segment>();
  };

  beforeAll(async () => {
    d = await startDashboard();
    segments = (await d.api<{ items: Segment[] }>('/api/segments')).items;
    big = [...segments].sort((a, b) => b.size - a.size)[0]!;
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('lists every segment with the size, trend and kind the API gives, and filters and sorts them', async () => {
    expect(segments.length).toBeGreaterThanOrEqual(10);
    expect(big.size).toBeGreaterThan(25);
    const page = await d.loggedIn('/segments');
    await page.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
    const table = page.getByRole('table', { name: 'Segments with their size and weekly trend' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(segments.length);
    for (const s of segments) await expect.poll(() => table.getByRole('link', { name: s.name, exact: true }).count()).toBe(1);

    const trends = await d.api<Trends>('/api/segments/trends?days=7');
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    const smallest = [...segments].sort((a, b) => a.size - b.size)[0]!;
    for (const s of [big, smallest, segments[0]!]) {
      // Row cells after the name: kind, size, trend, last updated.
      const cells = row(s.name).getByRole('cell');
      expect(await cells.nth(1).textContent()).toBe(en.format(s.size));
      expect(await cells.nth(0).textContent()).toBe(s.kind === 'rule' ? 'Rule' : 'Manual list');
      const trend = trends.items.find((x) => x.id === s.id)!.trend;
      const change = trend[trend.length - 1]!.size - trend[0]!.size;
      const text = change > 0 ? `+${en.format(change)}` : change < 0 ? `\u2212${en.format(-change)}` : '0';
      await expect.poll(() => row(s.name).getByTestId('segment-change').locator('[aria-hidden="true"]').textContent()).toBe(text);
      expect(await row(s.name).locator('.sparkline').getAttribute('aria-label')).toBe(
        `Size of ${s.name} over the last 7 days, from ${en.format(trend[0]!.size)} to ${en.format(trend[trend.length - 1]!.size)}`,
      );
    }
    await screenshot(page, 'segments-list');

    // Filter by a word of a description, then sort by size.
    await page.getByLabel('Filter').fill('email');
    const expected = segments.filter((s) => `${s.name} ${s.description}`.toLowerCase().includes('email')).map((s) => s.name);
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(expected.length);
    await page.getByText(`${expected.length} of ${segments.length} shown`).waitFor();
    await page.getByLabel('Filter').fill('');
    await page.getByLabel('Sort by').selectOption({ label: 'Size (largest first)' });
    await expect.poll(() => table.locator('tbody tr').first().getByRole('link').textContent()).toBe(big.name);
    await page.getByLabel('Sort by').selectOption({ label: 'Size (smallest first)' });
    await expect.poll(() => table.locator('tbody tr').first().getByRole('link').textContent()).toBe(smallest.name);

    expect(await page.getByRole('link', { name: 'New segment' }).getAttribute('href')).toBe('/segments/new');
    await row(big.name).getByRole('link', { name: big.name, exact: true }).click();
    await page.waitForURL(`${d.url}/segments/${big.id}`);
    await page.getByRole('heading', { level: 1, name: big.name }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a segment: definition, both charts with their data, recompute check, and the edit link', async () => {
    const history = await d.api<History>(`/api/segments/${big.id}/history`);
    expect(history.days.length).toBeGreaterThan(0);
    const page = await d.loggedIn(`/segments/${big.id}`);
    await page.getByRole('heading', { level: 1, name: big.name }).waitFor();
    expect(await page.getByTestId('segment-size').textContent()).toBe(en.format(big.size));
    if (big.text !== null) expect(await page.getByTestId('definition').textContent()).toBe(big.text);
    expect(await page.getByRole('link', { name: 'Edit' }).getAttribute('href')).toBe(`/segments/${big.id}/edit`);

    for (const id of ['size-chart', 'flows-chart']) {
      const chart = page.getByTestId(id);
      await chart.locator('svg').first().waitFor();
      expect(await chart.locator('table tbody tr').count()).toBe(history.days.length);
    }
    // The last day's numbers are in the tables as the page formats them.
    const last = history.days[history.days.length - 1]!;
    expect(await page.getByTestId('size-chart').locator('table tbody tr').last().locator('td').nth(1).textContent()).toBe(en.format(last.size));
    expect(await page.getByTestId('flows-chart').locator('table tbody tr').last().locator('td').allTextContents()).toEqual([
      expect.any(String),
      en.format(last.entered),
      en.format(last.exited),
    ]);
    // Something is drawn: the area/line and the bars.
    expect(await page.getByTestId('size-chart').locator('svg path').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('flows-chart').locator('svg rect').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Recompute check' }).click();
    await page.getByRole('heading', { name: 'Recompute check' }).waitFor();
    expect(await page.getByTestId('verify-live').textContent()).toBe(en.format(big.size));
    await page.getByText('Both agree').waitFor();
    await screenshot(page, 'segment-detail');
    expect(jsErrors(page)).toEqual([]);
  });

  it('pages, searches and exports the members as the API lists them', async () => {
    const first = await d.api<MembersPage>(`/api/segments/${big.id}/members?limit=25`);
    expect(first.nextCursor).not.toBeNull();
    const second = await d.api<MembersPage>(`/api/segments/${big.id}/members?limit=25&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const page = await d.loggedIn(`/segments/${big.id}`);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await expect.poll(() => shownMembers(page)).toEqual(first.items.map((m) => m.profileId));
    const firstRow = page.locator(`tr[data-profile="${first.items[0]!.profileId}"]`);
    expect(await firstRow.getByRole('link', { name: first.items[0]!.profileId, exact: true }).getAttribute('href')).toBe(`/profiles/${first.items[0]!.profileId}`);
    expect(await firstRow.getByRole('link', { name: `Why is ${first.items[0]!.profileId} in this segment?` }).getAttribute('href')).toBe(
      `/segments/${big.id}/explain/${first.items[0]!.profileId}`,
    );

    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => shownMembers(page)).toEqual(second.items.map((m) => m.profileId));
    await page.getByText('Page 2').waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => shownMembers(page)).toEqual(first.items.map((m) => m.profileId));
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);

    // A bigger page size shows more rows of the same order.
    await page.getByLabel('Per page').selectOption('50');
    const fifty = await d.api<MembersPage>(`/api/segments/${big.id}/members?limit=50`);
    await expect.poll(() => shownMembers(page)).toEqual(fifty.items.map((m) => m.profileId));

    // Search by the userId of a member of page 2: only it is found.
    const known = second.items.find((m) => m.userId !== null);
    expect(known, 'a member with a userId').toBeDefined();
    await page.getByLabel('Search members').fill(known!.userId!);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => shownMembers(page)).toEqual([known!.profileId]);
    expect(await page.locator(`tr[data-profile="${known!.profileId}"] td`).nth(1).textContent()).toBe(known!.userId);
    await screenshot(page, 'segment-members');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => shownMembers(page)).toEqual(fifty.items.map((m) => m.profileId));

    // CSV export: the downloaded file is the API's CSV, named after the segment.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toContain(big.name);
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const body = await readFile((await file.path())!, 'utf8');
    const api = await csvFromApi(big.id);
    expect(body).toBe(api);
    expect(body.trim().split('\n').length).toBe(big.size + 1);
    await page.getByText(`Downloaded ${file.suggestedFilename()}.`).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('explains why a member is in (root true) and why another profile is not (root false)', async () => {
    // A segment of several conditions, so the tree has children.
    const seg = segments.filter((s) => s.kind === 'rule' && s.size > 0 && / and /.test(s.text ?? '')).sort((a, b) => b.size - a.size)[0]!;
    expect(seg).toBeDefined();
    const members = await d.api<MembersPage>(`/api/segments/${seg.id}/members?limit=5`);
    const member = members.items[0]!.profileId;

    const page = await d.loggedIn(`/segments/${seg.id}`);
    await page.getByRole('heading', { level: 1, name: seg.name }).waitFor();
    await page.getByRole('link', { name: `Why is ${member} in this segment?` }).click();
    await page.waitForURL(`${d.url}/segments/${seg.id}/explain/${member}`);
    await page.getByRole('heading', { level: 1, name: 'Why is this profile in this segment, or not?' }).waitFor();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-member')).toBe('true');
    expect(await verdict.textContent()).toContain('Member');
    expect(await verdict.textContent()).toContain(`Profile ${member} is a member of ${seg.name}`);
    const root = page.getByTestId('explain-root');
    expect(await root.getAttribute('data-result')).toBe('true');
    expect(await root.locator('.node-line').first().textContent()).toContain('true');
    expect(await root.locator('.node-condition').first().textContent()).toBe(seg.text);
    // The and's children are listed under it, each with its own truth.
    expect(await root.locator('li.explain-node').count()).toBeGreaterThanOrEqual(2);
    expect(await root.getByText('made it true').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Back to the segment' }).getAttribute('href')).toBe(`/segments/${seg.id}`);
    expect(await page.getByRole('link', { name: 'Open the profile' }).getAttribute('href')).toBe(`/profiles/${member}`);
    await screenshot(page, 'segment-explain');

    // A profile outside the segment, typed in the detail page's explain form.
    const inSeg = new Set((await csvFromApi(seg.id)).trim().split('\n').slice(1).map((l) => l.split(',')[0]));
    const others = (await csvFromApi(big.id === seg.id ? segments.find((s) => s.id !== seg.id && s.size > 0)!.id : big.id)).trim().split('\n').slice(1).map((l) => l.split(',')[0]!);
    const outsider = others.find((p) => !inSeg.has(p));
    expect(outsider, 'a profile outside the segment').toBeDefined();
    const api = await d.api<Explain>(`/api/segments/${seg.id}/explain/${outsider}`);
    expect(api.member).toBe(false);
    await page.getByRole('link', { name: 'Back to the segment' }).click();
    await page.getByLabel('Profile id').fill(outsider!);
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.waitForURL(`${d.url}/segments/${seg.id}/explain/${outsider}`);
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-member')).toBe('false');
    expect(await page.getByTestId('verdict').textContent()).toContain('Not a member');
    expect(await page.getByTestId('explain-root').getAttribute('data-result')).toBe(String(api.tree!.result));
    expect(await page.getByTestId('explain-root').getAttribute('data-result')).toBe('false');
    expect(await page.getByTestId('explain-root').locator('.node-line').first().textContent()).toContain('false');
    await screenshot(page, 'segment-explain-outsider');
    expect(jsErrors(page)).toEqual([]);
  });

  it('says what each not/and node of a tree made of its children', async () => {
    const seg = segments.find((s) => s.name === 'at-risk-customers') ?? segments.find((s) => / not /.test(s.text ?? ''))!;
    const profile = (await d.api<MembersPage>(`/api/segments/${big.id}/members?limit=1`)).items[0]!.profileId;
    type Node = { kind: string; result: boolean; children?: Node[] };
    const tree = (await d.api<{ tree: Node }>(`/api/segments/${seg.id}/explain/${profile}`)).tree;
    const find = (n: Node, kind: string): Node | undefined => (n.kind === kind ? n : (n.children ?? []).map((c) => find(c, kind)).find(Boolean));
    const not = find(tree, 'not')!;
    expect(not).toBeDefined();
    const page = await d.loggedIn(`/segments/${seg.id}/explain/${profile}`);
    const shown = page.locator('li[data-kind="not"]').first();
    await shown.waitFor();
    expect(await shown.getAttribute('data-result')).toBe(String(not.result));
    expect(await shown.locator('.node-why').first().textContent()).toBe(not.result ? 'true: the condition inside does not hold' : 'false: the condition inside holds');
    // The child of the not is marked as what made it so.
    expect(await shown.locator('ul .node-line').first().textContent()).toContain(not.result ? 'made it true' : 'made it false');
    if (tree.kind === 'and') {
      const failing = tree.children!.filter((c) => !c.result).length;
      const total = tree.children!.length;
      const root = page.getByTestId('explain-root').locator('.node-why').first();
      expect(await root.textContent()).toBe(
        tree.result ? `true: all ${total} conditions hold` : failing === 1 ? `false: 1 condition of ${total} does not hold` : `false: ${failing} conditions of ${total} do not hold`,
      );
    }
    await screenshot(page, 'segment-explain-not');
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a manual list with the upload hint instead of a definition', async () => {
    const res = await d.s.app.inject({ method: 'POST', url: '/api/segments', headers: { authorization: bearer(ADMIN_KEY) }, payload: { name: 'e2e-manual-list' } });
    expect(res.statusCode, res.body).toBe(201);
    const manual = res.json<Segment>();
    const page = await d.loggedIn(`/segments/${manual.id}`);
    await page.getByRole('heading', { level: 1, name: manual.name }).waitFor();
    await page.getByText('segmentum segments upload e2e-manual-list members.csv').waitFor();
    expect(await page.getByTestId('definition').count()).toBe(0);
    expect(await page.getByText('Manual list', { exact: true }).count()).toBe(1);
    await page.getByText('No members.').waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the segment' }).click();
    await page.waitForURL(`${d.url}/segments`);
    expect(jsErrors(page)).toEqual([]);
  });

  it('deletes a segment after confirmation, and shows why one still in use cannot be', async () => {
    const used = await create('e2e-throwaway-base', 'trait.plan = "premium"');
    const user = await create('e2e-throwaway-user', 'in_segment("e2e-throwaway-base") and trait.age >= 18');

    // Refused: another segment reads it.
    const page = await d.loggedIn(`/segments/${used.id}`);
    await page.getByRole('heading', { level: 1, name: used.name }).waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete the segment “${used.name}”?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete the segment' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('segments.in_use');
    await dialog.getByRole('link', { name: user.name }).waitFor();
    await screenshot(page, 'segment-delete-in-use');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await d.api<Segment>(`/api/segments/${used.id}`)).name).toBe(used.name);

    // Accepted: the segment that nothing reads, then the one it read.
    for (const s of [user, used]) {
      await page.goto(`${d.url}/segments/${s.id}`);
      await page.getByRole('heading', { level: 1, name: s.name }).waitFor();
      await page.getByRole('button', { name: 'Delete…' }).click();
      const confirm = page.getByRole('dialog', { name: `Delete the segment “${s.name}”?` });
      await confirm.getByRole('button', { name: 'Delete the segment' }).click();
      await page.waitForURL(`${d.url}/segments`);
      await page.getByRole('link', { name: segments[0]!.name, exact: true }).waitFor();
      expect(await page.getByRole('link', { name: s.name, exact: true }).count()).toBe(0);
      const res = await d.s.app.inject({ method: 'GET', url: `/api/segments/${s.id}`, headers: { authorization: bearer(ADMIN_KEY) } });
      expect(res.statusCode).toBe(404);
    }
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French: labels, and sizes with French number formatting', async () => {
    const page = await d.loggedIn('/segments', { locale: 'fr-FR' });
    await page.getByRole('link', { name: 'Nouveau segment' }).waitFor();
    await page.getByLabel('Filtrer').waitFor();
    await page.getByLabel('Trier par').waitFor();
    const table = page.getByRole('table', { name: 'Segments avec leur taille et leur tendance sur la semaine' });
    await table.waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Nom', 'Type', 'Taille', '7 derniers jours', 'Dernière mise à jour']);
    const now = (await d.api<{ items: Segment[] }>('/api/segments')).items;
    const sizes = await table.locator('[data-testid="segment-size"]').allTextContents();
    expect([...sizes].sort()).toEqual(now.map((s) => fr.format(s.size)).sort());
    await page.getByText(`${now.length} segments`).waitFor();
    await screenshot(page, 'segments-fr');

    // The detail and explain views in French too.
    await table.getByRole('link', { name: big.name, exact: true }).click();
    await page.getByRole('heading', { name: 'Taille au fil du temps' }).waitFor();
    await page.getByRole('heading', { name: 'Membres' }).waitFor();
    await page.getByRole('button', { name: 'Exporter en CSV' }).waitFor();
    expect(await page.getByTestId('segment-size').textContent()).toBe(fr.format(big.size));
    await page.getByRole('link', { name: /^Pourquoi .* est-il dans ce segment/ }).first().click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-member')).toBe('true');
    expect(await page.getByTestId('verdict').textContent()).toContain('est membre de');
    await page.getByRole('link', { name: 'Retour au segment' }).waitFor();
    await screenshot(page, 'segment-explain-fr');
    expect(jsErrors(page)).toEqual([]);
  });
});
