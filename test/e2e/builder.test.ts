import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PreviewView as PreviewViewSchema, SegmentView as SegmentViewSchema } from '../../src/api/schemas.js';
import type { Condition } from '../../src/segments/ast.js';
import { parseDefinition } from '../../src/segments/parse-text.js';
import { buildDefinition, definitionText, draftOf } from '../../web/src/pages/builder/convert.js';
import type { NodeDraft } from '../../web/src/pages/builder/draft.js';
import { ADMIN_KEY, bearer } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';
import { segmentArbitrary } from '../support/segment-arbitrary.js';
import { DOC_EXAMPLES } from '../support/segment-examples.js';

/**
 * The segment builder (/segments/new, /segments/:id/edit): the visual editor and the text form kept in step, the
 * live preview, saving. The page's draft model is checked first without a browser: every definition the language can
 * write must come back unchanged from the visual editor, or the editor would silently change segments it opens.
 */

const parse = (text: string): Condition => {
  const r = parseDefinition(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.value;
};

const textNodes = (n: NodeDraft): number => (n.kind === 'text' ? 1 : n.kind === 'group' ? n.children.reduce((s, c) => s + textNodes(c), 0) : 0);

describe('builder draft model', () => {
  it('gives back every documented example unchanged, as form fields (no text fallback)', () => {
    for (const text of DOC_EXAMPLES) {
      const ast = parse(text);
      const draft = draftOf(ast);
      expect(buildDefinition(draft).ast, text).toEqual(ast);
      expect(textNodes(draft), text).toBe(0);
      expect(parse(definitionText(ast)), text).toEqual(ast);
    }
  });

  it('gives back any generated definition unchanged (forms where it can, text nodes elsewhere)', () => {
    fc.assert(
      fc.property(segmentArbitrary, (ast) => {
        const built = buildDefinition(draftOf(ast));
        expect(built.problems).toEqual([]);
        expect(built.ast).toEqual(ast);
        expect(parse(definitionText(ast))).toEqual(ast);
      }),
      { numRuns: 400, seed: 20_260_101 },
    );
  });
});

type SegmentView = z.infer<typeof SegmentViewSchema>;
type PreviewView = z.infer<typeof PreviewViewSchema>;

describe.skipIf(noBrowser('e2e/builder'))('segment builder', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  async function preview(definition: string): Promise<PreviewView> {
    const res = await d.s.app.inject({
      method: 'POST',
      url: '/api/segments/preview',
      headers: { authorization: bearer(ADMIN_KEY), 'content-type': 'application/json' },
      payload: { definition },
    });
    expect(res.statusCode).toBe(200);
    return res.json<PreviewView>();
  }

  const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
  const textForm = (page: Page) => page.getByLabel('Definition as text', { exact: true });
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  const shownSize = (page: Page) => page.getByTestId('preview-size').locator('.stat-value').textContent();
  const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? null);

  it('builds a segment with the visual editor only: text, preview and saved definition agree', async () => {
    const page = await d.loggedIn('/segments/new');
    await page.getByRole('heading', { name: 'New segment' }).waitFor();
    // An empty definition to start from, with one-click examples.
    await page.getByText('No condition yet').waitFor();
    await page.getByRole('button', { name: 'Bought in the last 30 days' }).waitFor();

    await page.getByRole('button', { name: 'Add a condition to group 1' }).click();
    // Keyboard users land on the new condition.
    await expect.poll(() => focusedLabel(page)).toBe('Kind for condition 1');
    await field(page, 'Kind for condition 1').selectOption('aggregate');
    await field(page, 'Event for condition 1').fill('Order Completed');
    await field(page, 'Time window for condition 1').selectOption('rolling');
    await field(page, 'Window length for condition 1').fill('90');
    expect(await field(page, 'Window unit for condition 1').inputValue()).toBe('d');
    await field(page, 'Operator for condition 1').selectOption('>=');
    await field(page, 'Value for condition 1').fill('2');

    await page.getByRole('button', { name: 'Add a condition to group 1' }).click();
    // A new trait condition is not finished until it names its trait: said beside it, and the text waits.
    await page.getByText('Enter the trait name').waitFor();
    await field(page, 'Trait for condition 2').fill('region');
    await field(page, 'Operator for condition 2').selectOption('=');
    await field(page, 'Value for condition 2').fill('Île-de-France');
    expect(await field(page, 'Match for group 1').inputValue()).toBe('and');

    const expected = 'count(event = "Order Completed", within = 90d) >= 2 and trait.region = "Île-de-France"';
    await expect.poll(async () => flat(await textForm(page).inputValue())).toBe(expected);
    // The text is the printer's, one part of the top-level "and" per line.
    expect(await textForm(page).inputValue()).toBe('count(event = "Order Completed", within = 90d) >= 2\nand trait.region = "Île-de-France"');

    const api = await preview(expected);
    expect(api.text).toBe(expected);
    expect(api.size).toBeGreaterThan(0);
    await expect.poll(() => shownSize(page)).toBe(new Intl.NumberFormat('en-GB').format(api.size));
    expect(await page.locator('.preview .sample a').count()).toBe(api.sample.length);
    for (const id of api.sample) expect(await page.locator(`a[href="/profiles/${id}"]`).count()).toBe(1);
    await screenshot(page, 'builder-visual');

    await page.getByLabel('Name', { exact: true }).fill('idf-repeat-buyers');
    await page.getByLabel('Description', { exact: true }).fill('Île-de-France customers with two orders in 90 days.');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(/\/segments\/seg_[a-z0-9]+$/);
    const saved = await d.api<SegmentView>('/api/segments/idf-repeat-buyers');
    expect(page.url()).toBe(`${d.url}/segments/${saved.id}`);
    expect(saved.text).toBe(expected);
    expect(saved.definition).toEqual(parse(expected));
    expect(saved.description).toBe('Île-de-France customers with two orders in 90 days.');
    expect(saved.size).toBe(api.size);
    expect(jsErrors(page)).toEqual([]);
  });

  it('follows the text in the visual editor while the user types, without taking the focus', async () => {
    const page = await d.loggedIn('/segments/new');
    const text = textForm(page);
    await text.click();
    const typed = 'score.engagement >= 50 and rfm.segment in ("champions", "loyal")';
    await page.keyboard.type(typed);
    // The text is left as typed (not reprinted), and the focus stayed in it.
    expect(await text.inputValue()).toBe(typed);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('builder-text');
    await expect.poll(() => field(page, 'Kind for condition 2').inputValue()).toBe('rfm');
    expect(await field(page, 'Kind for condition 1').inputValue()).toBe('score');
    expect(await field(page, 'Operator for condition 1').inputValue()).toBe('>=');
    expect(await field(page, 'Value for condition 1').inputValue()).toBe('50');
    expect(await field(page, 'RFM measure for condition 2').inputValue()).toBe('segment');
    expect(await field(page, 'Operator for condition 2').inputValue()).toBe('in');
    expect(await field(page, 'Value 1 for condition 2').inputValue()).toBe('champions');
    expect(await field(page, 'Value 2 for condition 2').inputValue()).toBe('loyal');

    // And back: a change in the visual editor rewrites the text.
    await field(page, 'Value for condition 1').fill('60');
    await expect.poll(async () => flat(await text.inputValue())).toBe('score.engagement >= 60 and rfm.segment in ("champions", "loyal")');

    // Reordering with the keyboard keeps the focus on the moved condition's controls.
    await page.getByRole('button', { name: 'Move condition 2 up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => flat(await text.inputValue())).toBe('rfm.segment in ("champions", "loyal") and score.engagement >= 60');
    await expect.poll(() => focusedLabel(page)).toBe('Move condition 1 down');

    // Nested groups, negation and event filters come through as form fields too.
    await text.fill('not (trait.plan = "premium" or trait.loyalty_tier = "gold")\nand count(event = "Product Viewed" where category = "chaussures", within = 30d) >= 3');
    await expect.poll(() => field(page, 'Match for group 2').inputValue()).toBe('or');
    expect(await field(page, 'Negate group 2').isChecked()).toBe(true);
    expect(await field(page, 'Trait for condition 1').inputValue()).toBe('plan');
    expect(await field(page, 'Trait for condition 2').inputValue()).toBe('loyalty_tier');
    expect(await field(page, 'Event for condition 3').inputValue()).toBe('Product Viewed');
    expect(await field(page, 'Property for filter 1 of condition 3').inputValue()).toBe('category');
    expect(await field(page, 'Value for filter 1 of condition 3').inputValue()).toBe('chaussures');
    expect(await field(page, 'Window length for condition 3').inputValue()).toBe('30');
    await screenshot(page, 'builder-text-sync');

    // What the form cannot show stays a small text box, read with the same parser.
    await text.fill('count(event = "Order Completed") >= 1 and not not trait.vip exists');
    await expect.poll(() => field(page, 'Text of condition 2').inputValue()).toBe('not not trait.vip exists');
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a broken definition’s error at its line and column, and keeps the visual editor on the last valid one', async () => {
    const page = await d.loggedIn('/segments/new');
    const text = textForm(page);
    await text.fill('trait.region = "Île-de-France"');
    await expect.poll(() => field(page, 'Trait for condition 1').inputValue()).toBe('region');
    await text.press('End');
    const broken = '\nand count(event = "Order Completed", within = 30) >= 1';
    await page.keyboard.type(broken);
    const full = `trait.region = "Île-de-France"${broken}`;
    const r = parseDefinition(full);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.error.line, r.error.column]).toEqual([2, 47]);

    await expect.poll(() => page.getByTestId('error-position').textContent()).toBe('Line 2, column 47');
    expect(await page.getByTestId('error-message').textContent()).toContain('duration');
    // The caret under the excerpt points at the offending "30", and the same span is highlighted in the text.
    const [line, caret] = ((await page.getByTestId('error-excerpt').textContent()) ?? '').split('\n');
    // A long line is cut around the error (with "…"), so that the excerpt fits the column.
    expect(line).toMatch(/^….*Completed", within = 30\) >= 1$/);
    expect(caret).toBe(`${' '.repeat(line!.indexOf('30)'))}^`);
    expect(await page.locator('.text-backdrop mark').textContent()).toBe('30');
    expect(await text.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('builder-text');
    expect(await text.inputValue()).toBe(full);

    // The visual editor stays on the last valid definition, says why, and cannot be edited meanwhile.
    expect(await page.getByTestId('visual-stale').textContent()).toContain('line 2, column 47');
    expect(await field(page, 'Trait for condition 1').inputValue()).toBe('region');
    expect(await field(page, 'Trait for condition 1').isDisabled()).toBe(true);
    expect(await page.getByLabel('Kind for condition 2', { exact: true }).count()).toBe(0);
    await screenshot(page, 'builder-text-error');

    // "Go to the error" selects it; typing the fix makes the text read again.
    await page.getByRole('button', { name: 'Go to the error' }).click();
    expect(await text.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd))).toBe('30');
    await page.keyboard.type('30d');
    await expect.poll(() => field(page, 'Event for condition 2').inputValue()).toBe('Order Completed');
    expect(await field(page, 'Window unit for condition 2').inputValue()).toBe('d');
    expect(await page.getByTestId('parse-error').count()).toBe(0);
    expect(jsErrors(page)).toEqual([]);
  });

  it('opens an existing segment, shows it in both forms, and saves a change', async () => {
    const before = await d.api<SegmentView>('/api/segments/big-spenders');
    const page = await d.loggedIn(`/segments/${before.id}/edit`);
    await page.getByRole('heading', { name: 'Edit big-spenders' }).waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('big-spenders');
    expect(await textForm(page).inputValue()).toBe(before.text);
    expect(await field(page, 'Kind for condition 1').inputValue()).toBe('aggregate');
    expect(await field(page, 'Aggregate for condition 1').inputValue()).toBe('sum');
    expect(await field(page, 'Property for condition 1').inputValue()).toBe('revenue');
    expect(await field(page, 'Event for condition 1').inputValue()).toBe('Order Completed');
    expect(await field(page, 'Window length for condition 1').inputValue()).toBe('365');
    expect(await field(page, 'Operator for condition 1').inputValue()).toBe('>');
    expect(await field(page, 'Value for condition 1').inputValue()).toBe('500');
    // The preview of the saved definition is the segment's size.
    await expect.poll(() => shownSize(page)).toBe(new Intl.NumberFormat('en-GB').format(before.size ?? -1));

    // The server's rules for names are shown beside the name.
    await page.getByLabel('Name', { exact: true }).fill('preview');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#name-error').textContent()).toContain('segments.invalid_name');
    expect(await page.locator('#name-error').textContent()).toContain('reserved');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('name');
    await screenshot(page, 'builder-name-error');
    await page.getByLabel('Name', { exact: true }).fill('big-spenders');

    await field(page, 'Value for condition 1').fill('800');
    await page.getByLabel('Description', { exact: true }).fill('More than 800 EUR of orders over the last year.');
    const expected = 'sum(event = "Order Completed", property = "revenue", within = 365d) > 800';
    await expect.poll(() => textForm(page).inputValue()).toBe(expected);
    const api = await preview(expected);
    await expect.poll(() => shownSize(page)).toBe(new Intl.NumberFormat('en-GB').format(api.size));
    await screenshot(page, 'builder-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${d.url}/segments/${before.id}`);
    const after = await d.api<SegmentView>(`/api/segments/${before.id}`);
    expect(after.text).toBe(expected);
    expect(after.description).toBe('More than 800 EUR of orders over the last year.');
    expect(after.size).toBe(api.size);
    expect(after.size).toBeLessThanOrEqual(before.size ?? 0);
    expect(jsErrors(page)).toEqual([]);
  });

  it('edits only the name and description of a manual list', async () => {
    const res = await d.s.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: { authorization: bearer(ADMIN_KEY), 'content-type': 'application/json' },
      payload: { name: 'press-contacts', description: 'Uploaded by hand.' },
    });
    expect(res.statusCode).toBe(201);
    const list = res.json<SegmentView & { kind: string }>();
    const page = await d.loggedIn(`/segments/${list.id}/edit`);
    await page.getByRole('heading', { name: 'Edit press-contacts' }).waitFor();
    await page.getByText('This segment is a manual list').waitFor();
    expect(await page.getByLabel('Definition as text', { exact: true }).count()).toBe(0);
    await page.getByLabel('Description', { exact: true }).fill('Journalists to invite to the launch.');
    await screenshot(page, 'builder-manual');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${d.url}/segments/${list.id}`);
    const after = await d.api<SegmentView & { kind: string }>(`/api/segments/${list.id}`);
    expect(after.kind).toBe('manual');
    expect(after.description).toBe('Journalists to invite to the launch.');
    expect(jsErrors(page)).toEqual([]);
  });

  it('goes back without saving on Cancel', async () => {
    const page = await d.loggedIn('/');
    await page.goto(`${d.url}/segments/new`);
    await page.getByLabel('Name', { exact: true }).fill('never-saved');
    await page.getByRole('button', { name: 'Bought in the last 30 days' }).click();
    await expect.poll(() => page.getByLabel('Definition as text', { exact: true }).inputValue()).toBe('count(event = "Order Completed", within = 30d) >= 1');
    await screenshot(page, 'builder-starter');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${d.url}/`);
    const all = await d.api<{ items: SegmentView[] }>('/api/segments');
    expect(all.items.map((s) => s.name)).not.toContain('never-saved');
  });

  it('shows the server’s objections to a definition that reads but means nothing', async () => {
    const page = await d.loggedIn('/segments/new');
    const text = textForm(page);
    await text.fill('trait.age >= 30 and count(event = "Order Completed") >= "ten"');
    // A value of the wrong type is kept as text in the visual editor; the server says what is wrong, and where.
    await expect.poll(() => field(page, 'Text of condition 2').inputValue()).toBe('count(event = "Order Completed") >= "ten"');
    const err = page.getByTestId('preview-error');
    await expect.poll(() => err.textContent()).toContain('segments.invalid_definition');
    expect(await err.textContent()).toContain('Condition 2: count(...) is compared with a string; it takes a number.');
    expect(await page.locator('.server-issue').textContent()).toContain('it takes a number');
    await screenshot(page, 'builder-server-error');

    await text.fill('in_segment("no-such-segment")');
    await expect.poll(() => err.textContent()).toContain('segments.unknown_reference');
    expect(await err.textContent()).toContain('No segment is named "no-such-segment"');
    expect(jsErrors(page)).toEqual([]);
  });

  it('is in French, with examples to start from and segments to choose', async () => {
    const page = await d.loggedIn('/segments/new', { locale: 'fr-FR' });
    await page.getByRole('heading', { name: 'Nouveau segment' }).waitFor();
    await page.getByRole('button', { name: 'Paniers abandonnés (48 h)' }).click();
    const text = page.getByLabel('Définition en texte', { exact: true });
    const starter = 'count(event = "Product Added", within = 48h) >= 1 and not count(event = "Order Completed", within = 48h) >= 1';
    await expect.poll(async () => flat(await text.inputValue())).toBe(starter);
    expect(await field(page, 'Inverser la condition 2').isChecked()).toBe(true);
    expect(await field(page, 'Événement pour la condition 1').inputValue()).toBe('Product Added');

    await page.getByRole('button', { name: 'Ajouter une condition dans le groupe 1' }).click();
    await field(page, 'Type pour la condition 3').selectOption('segment');
    await field(page, 'Segment pour la condition 3').selectOption('highly-engaged');
    const expected = `${starter} and in_segment("highly-engaged")`;
    await expect.poll(async () => flat(await text.inputValue())).toBe(expected);
    const api = await preview(expected);
    await expect.poll(() => shownSize(page)).toBe(new Intl.NumberFormat('fr-FR').format(api.size));

    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('Aperçu en direct');
    expect(body).toContain('Profils correspondants');
    expect(body).not.toMatch(/Visual editor|Live preview|Matching profiles|Add a condition|Start from|Computed at/);
    await screenshot(page, 'builder-fr');

    // The parse error in French: the position and the layout are translated (the parser's own message is English).
    await text.fill('trait.region = ');
    await expect.poll(() => page.getByTestId('error-position').textContent()).toBe('Ligne 1, colonne 16');
    await screenshot(page, 'builder-fr-error');
    expect(jsErrors(page)).toEqual([]);
  });
});
