import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityInfo, MatchRun, Profile, ReviewDetail, ReviewList } from '../../web/src/api/client.js';
import { ADMIN_KEY, bearer } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * The duplicates pages: the review queue as the API orders it, one pair side by side, accept (the two profiles
 * become one, checked through the API), reject (they stay apart), a decision refused with its message and hint, and
 * "Find duplicates".
 */
describe.skipIf(noBrowser('e2e/review'))('duplicates (review queue)', () => {
  let d: Dashboard;
  let pending: ReviewList;

  beforeAll(async () => {
    d = await startDashboard({ customers: true });
    pending = await d.api<ReviewList>('/api/identity/review?status=pending');
    // The imported customers hold three probable pairs: one to accept, one to reject, one decided elsewhere.
    if (pending.total < 3) throw new Error(`the matching queued ${pending.total} pairs, 3 expected (${JSON.stringify(d.customers?.match)})`);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const pct = (p: number) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(p);
  const queueRows = (page: Page) => page.getByRole('table', { name: 'Pairs of probable duplicates, most probable first' }).getByRole('row');
  const post = (url: string, payload: unknown) => d.s.app.inject({ method: 'POST', url, headers: { authorization: bearer(ADMIN_KEY) }, payload: payload as Record<string, unknown> });

  /** The live profile an id stands for now (a merged id answers with the profile it was merged into). */
  const liveId = async (id: string) => (await d.api<Profile>(`/api/profiles/${id}`)).id;

  it('lists the pending pairs, most probable first, with the probability as a percentage and links to both profiles', async () => {
    const page = await d.loggedIn('/identity/review');
    await page.getByRole('heading', { level: 1, name: 'Duplicates' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Duplicates' }).getAttribute('aria-current')).toBe('page');
    const rows = queueRows(page);
    await expect.poll(() => rows.count()).toBe(pending.items.length + 1);
    const shown = await rows.evaluateAll((trs) =>
      trs.slice(1).map((tr) => ({ id: tr.getAttribute('data-id'), probability: tr.querySelector('[data-testid="probability"]')?.textContent, links: [...tr.querySelectorAll('td a')].map((a) => a.getAttribute('href')) })),
    );
    const sorted = [...pending.items].sort((a, b) => b.probability - a.probability);
    expect(shown.map((r) => r.probability)).toEqual(sorted.map((p) => pct(p.probability)));
    expect(new Set(shown.map((r) => r.id))).toEqual(new Set(pending.items.map((p) => p.id)));
    for (const r of shown) {
      const p = pending.items.find((x) => x.id === r.id);
      expect(r.links, r.id ?? '').toEqual([`/profiles/${p?.a}`, `/profiles/${p?.b}`, `/identity/review/${p?.id}`]);
    }
    await screenshot(page, 'review-queue');
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a pair side by side with each field’s agreement, and accepting merges the two profiles', async () => {
    // The most probable pair that can be merged: two profiles that both hold a userId cannot (one userId per
    // profile), and which pairs those are depends on the demo's dates.
    const userIds = async (id: string) => (await d.api<Profile>(`/api/profiles/${id}`)).identities.filter((i) => i.kind === 'user_id').length;
    let pair: (typeof pending.items)[number] | undefined;
    for (const p of [...pending.items].sort((a, b) => b.probability - a.probability)) {
      if ((await userIds(p.a)) + (await userIds(p.b)) <= 1) {
        pair = p;
        break;
      }
    }
    if (!pair) throw new Error('no mergeable pending pair');
    const detail = await d.api<ReviewDetail>(`/api/identity/review/${pair.id}`);
    expect(await liveId(pair.a)).not.toBe(await liveId(pair.b));

    const page = await d.loggedIn('/identity/review');
    await page.getByRole('link', { name: `Review the pair ${pair.a} and ${pair.b} (${pct(pair.probability)})` }).click();
    await page.waitForURL(`${d.url}/identity/review/${pair.id}`);
    await page.getByRole('heading', { level: 1, name: 'Probable duplicate' }).waitFor();
    await page.getByText(`Probability that the two profiles are one person: ${pct(pair.probability)}`).waitFor();

    // Side by side: each compared field with both values, its agreement in words and its weight, as the API has them.
    const table = page.getByRole('table', { name: 'Fields of profile A and profile B, with their agreement and weight' });
    await table.waitFor();
    const fields = (detail.pair.evidence.fields as { field: string; level: string; weight: number }[]).filter(
      (f) => detail.records.a[f.field] !== undefined || detail.records.b[f.field] !== undefined,
    );
    const words: Record<string, string> = { exact: 'Same', similar: 'Similar', close: 'Close', near: 'Near', one_edit: 'One character apart', disagree: 'Different', missing: 'Missing on one side' };
    const two = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    for (const f of fields) {
      const row = table.locator(`tr[data-field="${f.field}"]`);
      const shown = await row.evaluate((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()));
      const sign = f.weight > 0 ? '+' : f.weight < 0 ? '−' : '';
      expect(shown, f.field).toEqual([
        detail.records.a[f.field] ?? 'no value',
        detail.records.b[f.field] ?? 'no value',
        `${f.level === 'exact' ? '✓' : f.level === 'disagree' ? '✗' : f.level === 'missing' ? '–' : '≈'} ${words[f.level] ?? f.level}`,
        `${sign}${two.format(Math.abs(f.weight))}`,
      ]);
    }
    const agreeing = fields.filter((f) => f.level !== 'disagree' && f.level !== 'missing').length;
    const compared = fields.filter((f) => f.level !== 'missing').length;
    expect(agreeing).toBeGreaterThan(0);
    expect(await page.getByTestId('agreeing-count').textContent()).toContain(`${agreeing} of ${compared} compared fields agree.`);
    expect(await table.getByRole('link', { name: `Open profile ${pair.a}` }).getAttribute('href')).toBe(`/profiles/${pair.a}`);
    expect(await table.getByRole('link', { name: `Open profile ${pair.b}` }).getAttribute('href')).toBe(`/profiles/${pair.b}`);
    await screenshot(page, 'review-pair');

    // Accept, from the keyboard.
    await page.getByRole('button', { name: 'Accept: merge them' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('decision-result').textContent()).toContain('Accepted: the two profiles are now one.');

    // The API agrees: one profile, the pair accepted with its merge, recorded with the match as evidence.
    expect(await liveId(pair.a)).toBe(await liveId(pair.b));
    const after = await d.api<ReviewDetail>(`/api/identity/review/${pair.id}`);
    expect(after.pair.status).toBe('accepted');
    expect(after.pair.mergeId).toMatch(/^mrg_/);
    const identity = await d.api<IdentityInfo>(`/api/identity/profiles/${pair.a}`);
    expect(identity.merges.find((m) => m.id === after.pair.mergeId)).toMatchObject({ cause: 'match', status: 'active' });
    await page.getByRole('status').filter({ hasText: 'Accepted' }).getByRole('link', { name: 'Open the merged profile' }).waitFor();
    expect((await d.api<ReviewList>('/api/identity/review?status=pending')).items.map((p) => p.id)).not.toContain(pair.id);

    // "Next pair" leads to the most probable pair still waiting.
    const next = (await d.api<ReviewList>('/api/identity/review?status=pending&limit=1')).items[0];
    await page.getByRole('link', { name: 'Next pair' }).click();
    await page.waitForURL(`${d.url}/identity/review/${next?.id}`);
    await page.getByRole('button', { name: 'Accept: merge them' }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('rejecting a pair leaves the two profiles apart', async () => {
    const list = await d.api<ReviewList>('/api/identity/review?status=pending');
    const pair = list.items[0];
    if (!pair) throw new Error('no pending pair left');
    const [a, b] = [await liveId(pair.a), await liveId(pair.b)];
    const page = await d.loggedIn(`/identity/review/${pair.id}`);
    await page.getByRole('button', { name: 'Reject: keep them apart' }).click();
    await expect.poll(() => page.getByTestId('decision-result').textContent()).toContain('Rejected: the two profiles stay apart.');

    expect(await liveId(pair.a)).toBe(a);
    expect(await liveId(pair.b)).toBe(b);
    expect(a).not.toBe(b);
    expect((await d.api<ReviewDetail>(`/api/identity/review/${pair.id}`)).pair.status).toBe('rejected');
    // The badge says so once the pair is read again.
    await page.getByText('Rejected (kept apart)').waitFor();

    // The queue, filtered on rejected pairs, lists it; the pending pairs no longer do.
    await page.goto(`${d.url}/identity/review`);
    const rows = queueRows(page);
    await expect.poll(() => rows.count()).toBe(list.items.length);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).not.toContain(pair.id);
    await page.getByLabel('Status').selectOption({ label: 'Rejected (kept apart)' });
    await page.getByRole('heading', { level: 2, name: 'Rejected (kept apart)' }).waitFor();
    const ids = () => rows.evaluateAll((trs) => trs.slice(1).map((tr) => tr.getAttribute('data-id')));
    await expect.poll(ids).toEqual([pair.id]);
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows the server’s refusal with its message and hint when the pair was decided meanwhile', async () => {
    const pair = (await d.api<ReviewList>('/api/identity/review?status=pending')).items[0];
    if (!pair) throw new Error('no pending pair left');
    const page = await d.loggedIn(`/identity/review/${pair.id}`);
    await page.getByRole('button', { name: 'Reject: keep them apart' }).waitFor();
    // Someone else decides first.
    expect((await post(`/api/identity/review/${pair.id}`, { decision: 'reject' })).statusCode).toBe(200);
    await page.getByRole('button', { name: 'Accept: merge them' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('identity.review_decided');
    expect(await alert.textContent()).toContain(`The pair ${pair.id} was rejected already`);
    expect(await alert.textContent()).toContain('only pending pairs can be accepted or rejected');
    // Nothing was merged.
    expect(await liveId(pair.a)).not.toBe(await liveId(pair.b));
    expect(jsErrors(page)).toEqual([]);
  });

  it('"Find duplicates" runs the matching and shows its figures, then the queue as it is', async () => {
    const page = await d.loggedIn('/identity/review');
    await page.getByRole('heading', { level: 1, name: 'Duplicates' }).waitFor();
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/identity/match') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const run = (await (await answer).json()) as MatchRun;
    expect(run.profiles).toBeGreaterThan(400);
    const en = new Intl.NumberFormat('en-GB');
    for (const k of ['merged', 'queued', 'refused', 'blocked'] as const) {
      await expect.poll(() => page.getByTestId(`match-${k}`).locator('.stat-value').textContent(), { message: k }).toBe(en.format(run[k]));
    }
    // The demo's duplicate customers have two userIds each: their merges are refused, and say so.
    expect(run.refused).toBeGreaterThan(0);
    await screenshot(page, 'review-find-duplicates');
    const now = await d.api<ReviewList>('/api/identity/review?status=pending');
    await expect.poll(() => queueRows(page).count()).toBe(now.total === 0 ? 0 : now.items.length + 1);
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French', async () => {
    const accepted = (await d.api<ReviewList>('/api/identity/review?status=accepted')).items[0];
    if (!accepted) throw new Error('no accepted pair');
    const page = await d.loggedIn('/identity/review', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Doublons' }).waitFor();
    await page.getByRole('button', { name: 'Chercher les doublons' }).waitFor();
    await page.getByLabel('Statut').selectOption({ label: 'Acceptées (fusionnées)' });
    await page.getByRole('heading', { level: 2, name: 'Acceptées (fusionnées)' }).waitFor();
    const rows = page.getByRole('table', { name: 'Paires de doublons probables, de la plus probable à la moins probable' }).getByRole('row');
    await expect.poll(() => rows.evaluateAll((trs) => trs.slice(1).map((tr) => tr.getAttribute('data-id')))).toEqual([accepted.id]);
    const fr = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
    expect(await rows.nth(1).getByTestId('probability').textContent()).toBe(fr.format(accepted.probability));
    await page.goto(`${d.url}/identity/review/${accepted.id}`);
    await page.getByRole('heading', { level: 1, name: 'Doublon probable' }).waitFor();
    await page.getByRole('columnheader', { name: 'Concordance' }).waitFor();
    const text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Probable duplicate', 'Agreement', 'Weight', 'Accepted', 'Given name']) expect(text).not.toContain(english);
    await screenshot(page, 'review-pair-fr');
    expect(jsErrors(page)).toEqual([]);
  });
});
