import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CLUSTER_FEATURES,
  EVENT_FEATURES,
  type ClusterSummary as ServerClusterSummary,
  type ClvRunSummary,
  type Explanation as ServerExplanation,
  type ModelSummary as ServerModelSummary,
  type ScoringRun as ServerScoringRun,
} from '../../src/scoring/index.js';
import type { ClusterSummary, ClvRun, Explanation, ModelSummary, ScoringRun, SegmentMade } from '../../web/src/api/client.js';
import { ADMIN_KEY, bearer } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * The analytics pages (clustering studio, propensity models, CLV) against the API's answers for the same stored runs,
 * on the demo audience (which has orders).
 *
 * The dashboard writes the analytics answers' shapes out by hand (the server's types live beside Node-only code):
 * these assignments make any drift of the server's types a type error of this suite's typecheck.
 */
const _shapes: [
  (s: ServerClusterSummary) => ClusterSummary,
  (s: ServerModelSummary) => ModelSummary,
  (s: ClvRunSummary) => ClvRun,
  (s: ServerScoringRun) => ScoringRun,
  (s: ServerExplanation) => Explanation,
] = [(s) => s, (s) => s, (s) => s, (s) => s, (s) => s];

type Segment = { id: string; name: string; kind: 'rule' | 'manual'; text: string | null; size: number };

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.1 A/AA violations of the page as it is, and a page wider than its window, as
 * accessibility.test.ts checks the pages (which it opens before any analytics run).
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    type V = { id: string; help: string; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: V[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client) found.push(`the page is ${scroll} px wide in a ${client} px window`);
  return found;
}

describe.skipIf(noBrowser('e2e/analytics'))('analytics pages: clustering, models, CLV', () => {
  let d: Dashboard;

  beforeAll(async () => {
    d = await startDashboard();
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  // The page's number formats (en-GB), rebuilt here from the API's numbers.
  const n = (v: number, digits?: number) => new Intl.NumberFormat('en-GB', digits === undefined ? {} : { maximumFractionDigits: digits }).format(v);
  const pct = (v: number) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(v);
  const figure = (page: Page, id: string) => page.getByTestId(id).locator('.stat-value').textContent();
  const tableRows = (table: Locator) =>
    table.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));
  const post = async <T,>(url: string, payload: Record<string, unknown>): Promise<T> => {
    const res = await d.s.app.inject({ method: 'POST', url, headers: { authorization: bearer(ADMIN_KEY) }, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };
  const answerTo = (page: Page, path: string) => page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'POST');

  it('CLV: says it is not fitted, "Fit now" sends the options, and the figures, histogram and tiers are the API’s', async () => {
    const page = await d.loggedIn('/clv');
    await page.getByRole('heading', { level: 1, name: 'Customer lifetime value' }).waitFor();
    await page.getByTestId('clv-not-fitted').waitFor();

    await page.getByLabel('Horizon (months)').fill('6');
    await page.getByLabel('Discount rate (% a month)').fill('2');
    await page.getByLabel('Time unit').selectOption('day');
    const answer = answerTo(page, '/api/clv/fit');
    await page.getByRole('button', { name: 'Fit now' }).click();
    const fitted = (await (await answer).json()) as ClvRun;
    expect([fitted.unit, fitted.horizonMonths, fitted.discountRate, fitted.forecastDays]).toEqual(['day', 6, 0.02, 90]);
    await page.getByTestId('clv-fitted').waitFor();

    const clv = await d.api<ClvRun>('/api/clv');
    expect(clv.version).toBe(fitted.version);
    expect(clv.customers).toBeGreaterThan(20);
    expect(await figure(page, 'clv-customers')).toBe(n(clv.customers));
    expect(await figure(page, 'clv-mean')).toBe(n(clv.figures.meanClv, 2));
    expect(await figure(page, 'clv-alive')).toBe(pct(clv.figures.meanProbabilityAlive));
    const bins = await tableRows(page.getByTestId('clv-histogram').getByRole('table'));
    expect(clv.histogram).toHaveLength(20);
    expect(bins).toEqual(clv.histogram.map((b) => [b.to === null ? `${n(b.from, 2)} or more` : `${n(b.from, 2)}–${n(b.to, 2)}`, n(b.customers)]));
    expect(bins.reduce((s, b) => s + Number(b[1]?.replace(/,/g, '')), 0)).toBe(clv.customers);
    const tiers = await tableRows(page.getByRole('table', { name: 'CLV tiers: customers, range and share of the total CLV' }));
    const money = (v: number | null) => (v === null ? '—' : n(v, 2));
    expect(tiers).toEqual(clv.tiers.map((t) => [t.name, pct(t.share), n(t.customers), money(t.minClv), money(t.maxClv), pct(t.clvShare)]));
    const bg = await tableRows(page.getByRole('table', { name: 'BG/NBD (purchases and drop-out)' }));
    expect(bg.slice(0, 4)).toEqual([
      ['r', n(clv.bgNbd.r, 4)],
      ['α', n(clv.bgNbd.alpha, 4)],
      ['a', n(clv.bgNbd.a, 4)],
      ['b', n(clv.bgNbd.b, 4)],
    ]);
    // A reload shows the stored fit (GET /api/clv), not only the answer of the POST.
    await page.reload();
    await page.getByTestId('clv-customers').waitFor();
    expect(await tableRows(page.getByTestId('clv-histogram').getByRole('table'))).toEqual(bins);
    // The form shows the stored fit's settings.
    expect(await page.getByLabel('Horizon (months)').inputValue()).toBe('6');
    expect(await page.getByLabel('Discount rate (% a month)').inputValue()).toBe('2');
    expect(await page.getByLabel('Time unit').inputValue()).toBe('day');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'clv');
    expect(jsErrors(page)).toEqual([]);
  });

  it('clustering studio: runs what the form says, shows the stored run’s figures, elbow and personas, and saves a persona as a segment', async () => {
    // With CLV scores on the customers, personas carry a CLV value.
    await post<ClvRun>('/api/clv/fit', {});
    const page = await d.loggedIn('/clusters');
    await page.getByRole('heading', { level: 1, name: 'Clustering studio' }).waitFor();
    await page.getByText('No clustering yet').waitFor();
    // The built-in features, the server's defaults ticked.
    const boxes = await page.locator('input[name="feature"]').evaluateAll((els) => els.map((e) => [(e as HTMLInputElement).value, (e as HTMLInputElement).checked] as const));
    expect(boxes.map(([f]) => f)).toEqual(Object.keys(EVENT_FEATURES));
    expect(boxes.filter(([, on]) => on).map(([f]) => f)).toEqual([...DEFAULT_CLUSTER_FEATURES]);

    await page.getByLabel('Name', { exact: true }).fill('studio');
    await page.getByLabel('events in 90 days', { exact: true }).uncheck();
    await page.getByLabel('orders in 90 days', { exact: true }).check();
    await page.getByLabel('Transform').selectOption('log');
    await page.getByLabel('Seed').fill('7');
    const answer = answerTo(page, '/api/clusters');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const ran = (await (await answer).json()) as ClusterSummary;
    await page.getByTestId('cluster-ran').waitFor();
    await page.locator('[data-testid="cluster-result"][data-name="studio"]').waitFor();
    expect(new URL(page.url()).search).toBe(`?name=studio&version=${ran.version}`);

    // The same spec through the API gives the same clustering: the form sent what it showed.
    const features = ['orders', 'revenue', 'avg_order_value', 'orders_90d', 'days_since_last_order', 'days_since_first_seen'];
    expect(ran.features).toEqual(features);
    const twin = await post<ClusterSummary>('/api/clusters', { name: 'studio_twin', features, transform: 'log', seed: 7 });
    // The same partition (the numbering of the clusters may differ between two runs), inertia to a relative 1e-6.
    const bySize = (v: number[]) => [...v].sort((a, b) => a - b);
    expect(bySize(ran.sizes)).toEqual(bySize(twin.sizes));
    expect(Math.abs((ran.inertia ?? NaN) - (twin.inertia ?? NaN)) / (twin.inertia ?? NaN)).toBeLessThan(1e-6);

    const c = await d.api<ClusterSummary>('/api/clusters/studio');
    expect(c.version).toBe(ran.version);
    expect(c.k).toBeGreaterThanOrEqual(2);
    const num = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '—' : n(v, digits));
    expect(await figure(page, 'c-rows')).toBe(n(c.rows));
    expect(await figure(page, 'c-k')).toBe(n(c.k));
    expect(await figure(page, 'c-silhouette')).toBe(num(c.silhouette?.score, 3));
    expect(await figure(page, 'c-ch')).toBe(num(c.calinskiHarabasz, 1));
    expect(await figure(page, 'c-db')).toBe(num(c.daviesBouldin, 3));

    // k was 'auto': the elbow with its knee, which is the k kept.
    expect(c.knee).toBe(c.k);
    const elbow = await tableRows(page.getByRole('table', { name: 'Elbow curve: inertia by number of clusters' }));
    expect(elbow).toEqual((c.elbow ?? []).map((e) => [n(e.k), n(e.inertia, 2), e.k === c.knee ? 'knee' : '']));
    expect(elbow.length).toBe(10);
    const sil = await tableRows(page.getByTestId('silhouette').getByRole('table'));
    expect(sil.map((r) => [r[0], r[2], r[3]])).toEqual((c.silhouette?.perCluster ?? []).map((s, i) => [String(i), n(s, 3), n(c.sizes[i] ?? -1)]));
    const dots = await tableRows(page.getByTestId('projection').getByRole('table'));
    expect(dots.reduce((s, r) => s + Number(r[2]), 0)).toBe(c.projection.points.length);
    expect(await page.getByTestId('projection').locator('svg circle').count()).toBe(c.projection.points.length);

    // Personas in rank order, in English, with their sizes and CLV value.
    const cards = page.getByTestId('persona');
    expect(await cards.locator('h3').allTextContents()).toEqual(c.personas.map((p) => p.name.en));
    for (const [i, p] of c.personas.entries()) {
      const card = cards.nth(i);
      expect(await card.textContent()).toContain(`Cluster ${p.cluster} · ${n(p.size)} profiles (${pct(p.share)})`);
      expect(await card.textContent()).toContain(p.description.en);
      expect(await card.textContent()).toContain(p.grid.label.en);
      const clv = p.value.clv;
      expect(clv).not.toBeNull();
      expect(await card.getByText('Predicted lifetime value', { exact: true }).count()).toBe(1);
      expect(await card.textContent()).toContain(`${n(clv?.total ?? NaN, 0)} in total`);
    }
    expect(c.personas.reduce((s, p) => s + p.size, 0)).toBe(c.rows);

    // The stored list, empty before, was read again after the run: the run is in it, marked as the one shown.
    const storedTable = page.getByRole('table', { name: 'Stored clusterings, latest version of each' });
    await expect.poll(async () => (await tableRows(storedTable)).map((r) => [r[0], r[1]])).toContainEqual(['studio Showing', String(ran.version)]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'clusters');

    // "Save as segment" (snapshot) for the top persona: a segment of exactly its members.
    const top = c.personas[0]!;
    const made = answerTo(page, '/api/clusters/studio/segments');
    await page.getByRole('button', { name: `Save as segment: ${top.name.en}` }).click();
    const seg = (await (await made).json()) as SegmentMade;
    const notice = cards.first().getByTestId('segment-made');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`Segment created with ${n(top.size)} members`);
    const link = notice.getByRole('link', { name: seg.segmentName });
    expect(await link.getAttribute('href')).toBe(`/segments/${seg.segmentId}`);
    const segment = await d.api<Segment>(`/api/segments/${seg.segmentId}`);
    expect(segment.kind).toBe('manual');
    expect(segment.size).toBe(top.size);
    await link.click();
    await page.getByRole('heading', { level: 1, name: seg.segmentName }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('clustering studio: an agglomerative run shows its dendrogram, a stored run reopens from the list, a live segment follows it, DBSCAN shows its noise', async () => {
    const page = await d.loggedIn('/clusters');
    await page.getByRole('table', { name: 'Stored clusterings, latest version of each' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('tree');
    await page.getByLabel('Method').selectOption('hierarchical');
    await page.getByLabel('fixed', { exact: true }).check();
    await page.getByLabel('Clusters', { exact: true }).fill('3');
    await page.getByLabel('Linkage').selectOption('average');
    const answer = answerTo(page, '/api/clusters');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const ran = (await (await answer).json()) as ClusterSummary;
    await page.locator('[data-testid="cluster-result"][data-name="tree"]').waitFor();
    const tree = await d.api<ClusterSummary>(`/api/clusters/tree?version=${ran.version}`);
    expect([tree.method, tree.k]).toEqual(['hierarchical', 3]);
    const merges = tree.dendrogram ?? [];
    expect(merges.length).toBe(Math.min(50, tree.rows - 1));
    const first = 2 * tree.rows - 1 - merges.length;
    const shown = await tableRows(page.getByTestId('dendrogram').getByRole('table'));
    expect(shown).toEqual(merges.map((m, i) => [n(first + i), n(m.a), n(m.b), n(m.height, 3), n(m.size)]));
    // The last merge joins everything; the drawing has 3 links a merge.
    expect(merges.at(-1)?.size).toBe(tree.rows);
    expect(await page.getByTestId('dendrogram').locator('svg path, svg line').count()).toBeGreaterThanOrEqual(3 * merges.length);
    expect(await page.getByRole('table', { name: 'Elbow curve: inertia by number of clusters' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'clusters-tree');

    // Every stored clustering is listed (the API's twin run too), latest version of each.
    const listed = await d.api<{ items: ClusterSummary[] }>('/api/clusters');
    const storedTable = page.getByRole('table', { name: 'Stored clusterings, latest version of each' });
    await expect.poll(async () => (await tableRows(storedTable)).length).toBe(listed.items.length);
    const stored = await tableRows(storedTable);
    expect(new Map(stored.map((r) => [r[0]?.replace(' Showing', ''), [r[1], r[3], r[4]]]))).toEqual(new Map(listed.items.map((c) => [c.name, [String(c.version), n(c.k), n(c.rows)]])));
    expect([...new Set(listed.items.map((c) => c.name))].sort()).toEqual(['studio', 'studio_twin', 'tree']);

    // Reopen "studio" from the list: the latest version, as the API gives it.
    await page.getByRole('link', { name: 'Open clustering studio', exact: true }).click();
    await page.locator('[data-testid="cluster-result"][data-name="studio"]').waitFor();
    const studio = await d.api<ClusterSummary>('/api/clusters/studio');
    expect(await page.getByTestId('cluster-result').getAttribute('data-version')).toBe(String(studio.version));
    expect(await page.getByTestId('persona').locator('h3').allTextContents()).toEqual(studio.personas.map((p) => p.name.en));

    // A live segment: the rule on the clustering's score (each profile's nearest centroid, written now), with the
    // members the API counted.
    const p = studio.personas.at(-1)!;
    const card = page.locator(`[data-testid="persona"][data-cluster="${p.cluster}"]`);
    await card.getByLabel('Segment kind').selectOption('live');
    const made = answerTo(page, '/api/clusters/studio/segments');
    await card.getByRole('button', { name: `Save as segment: ${p.name.en}` }).click();
    const seg = (await (await made).json()) as SegmentMade;
    await card.getByTestId('segment-made').waitFor();
    expect(await card.getByTestId('segment-made').textContent()).toContain(`Segment created with ${n(seg.members)} members`);
    const segment = await d.api<Segment>(`/api/segments/${seg.segmentId}`);
    expect([segment.kind, segment.text]).toEqual(['rule', `score.cluster_studio = ${p.cluster}`]);
    expect(segment.size).toBe(seg.members);
    expect(segment.size).toBeGreaterThan(0);

    // DBSCAN (eps from the knee of the k-distance curve): the noise is drawn and counted, and is no persona.
    await page.getByLabel('Name', { exact: true }).fill('dense');
    await page.getByLabel('Method').selectOption('dbscan');
    await page.getByLabel('Minimum neighbours').fill('5');
    const dbscan = answerTo(page, '/api/clusters');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const denseRun = (await (await dbscan).json()) as ClusterSummary;
    await page.locator('[data-testid="cluster-result"][data-name="dense"]').waitFor();
    const dense = await d.api<ClusterSummary>(`/api/clusters/dense?version=${denseRun.version}`);
    expect([dense.method, dense.noiseRows]).toEqual(['dbscan', dense.noise?.size]);
    expect(dense.noise).not.toBeNull();
    expect(await figure(page, 'c-k')).toBe(n(dense.k));
    expect(await page.getByTestId('c-k').textContent()).toContain(`${n(dense.noise?.size ?? NaN)} profiles of noise`);
    expect(await page.getByTestId('noise-note').textContent()).toContain(`${n(dense.noise?.size ?? NaN)} profiles (${pct(dense.noise?.share ?? NaN)}) are noise`);
    expect(await page.getByTestId('persona').count()).toBe(dense.personas.length);
    const map = await tableRows(page.getByTestId('projection').getByRole('table'));
    expect(map.find((r) => r[0] === 'noise')?.[2]).toBe(n(dense.projection.points.filter((pt) => pt.cluster === -1).length));
    expect(await axeViolations(page)).toEqual([]);
    expect(jsErrors(page)).toEqual([]);
  });

  it('models: trains from the form, and the model page shows the API’s metrics, curves, threshold and versions', async () => {
    const page = await d.loggedIn('/models');
    await page.getByRole('heading', { level: 1, name: 'Propensity models' }).waitFor();
    await page.getByText('No model yet').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('buyers');
    await page.getByLabel('Target event').fill('Order Completed');
    await page.getByLabel('Within (days)').fill('21');
    // Every algorithm of the API is offered, by its name in words.
    expect(await page.getByLabel('Algorithm').locator('option').allTextContents()).toEqual(['gradient boosting', 'random forest', 'logistic regression', 'neural network']);
    await page.getByLabel('Algorithm').selectOption('logreg');
    const answer = answerTo(page, '/api/models');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const trained = (await (await answer).json()) as ModelSummary;
    expect([trained.report.algorithm, trained.target]).toEqual(['logreg', { kind: 'event', event: 'Order Completed', days: 21 }]);
    await page.waitForURL((u) => u.pathname === '/models/buyers' && u.searchParams.get('version') === String(trained.version));
    await page.getByRole('heading', { level: 1, name: 'buyers' }).waitFor();

    const m = await d.api<ModelSummary>('/api/models/buyers');
    expect(m.version).toBe(trained.version);
    const r = m.report;
    expect(r.metrics.auc).toBeGreaterThan(0.5);
    expect(await figure(page, 'm-auc')).toBe(n(r.metrics.auc, 3));
    expect(await figure(page, 'm-ap')).toBe(n(r.metrics.averagePrecision, 3));
    expect(await page.getByTestId('m-ap').textContent()).toContain(`a random ranking: ${n(r.metrics.baseRate, 3)}`);
    expect(await figure(page, 'm-brier')).toBe(n(r.metrics.brier, 4));
    const three = (v: number) => n(v, 3);
    expect(await tableRows(page.getByRole('table', { name: 'ROC curve points' }))).toEqual(r.roc.map((p) => [three(p.fpr), three(p.tpr)]));
    expect(await tableRows(page.getByRole('table', { name: 'Precision-recall curve points' }))).toEqual(r.pr.map((p) => [three(p.recall), three(p.precision)]));
    expect(r.roc.length).toBeGreaterThan(2);
    expect(await tableRows(page.getByRole('table', { name: 'Calibration by group of predicted probability' }))).toEqual(
      r.calibration.map((b) => [three(b.predicted), three(b.observed), n(b.count)]),
    );
    const imp = await tableRows(page.getByRole('table', { name: 'Permutation importance by feature' }));
    expect(imp.map((row) => row[0])).toEqual(r.importance.map((i) => i.feature));
    const cm = r.threshold.confusion;
    expect(await tableRows(page.getByRole('table', { name: 'Confusion matrix on the test profiles at the threshold' }))).toEqual([
      ['Positive', n(cm.tp), n(cm.fn)],
      ['Negative', n(cm.fp), n(cm.tn)],
    ]);
    expect(cm.tp + cm.fn + cm.fp + cm.tn).toBe(r.rows.test);
    expect(await page.getByTestId('threshold').textContent()).toContain(three(r.threshold.value));
    // The deciles of the scores show once the stored version says it was scored (see "Score now" below).
    expect(trained.scored).not.toBeNull();
    if (m.scored) expect((await tableRows(page.getByTestId('deciles'))).map((r) => r[1])).toEqual(m.scored.deciles.map(three));
    else expect(await page.getByTestId('deciles').count()).toBe(0);

    // The list shows it as the API does.
    await page.goto(`${d.url}/models`);
    const listTable = page.getByRole('table', { name: 'Trained models, latest version of each' });
    await listTable.waitFor();
    const list = await tableRows(listTable);
    expect(list).toEqual([['buyers', String(m.version), 'logistic regression', 'Order Completed within 21 days', three(r.metrics.auc), three(r.metrics.averagePrecision), expect.any(String)]]);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'buyers' }).click();
    await page.getByTestId('m-auc').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'model');
    expect(jsErrors(page)).toEqual([]);
  });

  it('models: "Score now", a top 10% segment, a profile’s explanation, and an older version', async () => {
    const page = await d.loggedIn('/models/buyers');
    await page.getByTestId('m-auc').waitFor();

    const scoring = answerTo(page, '/api/models/buyers/score');
    await page.getByRole('button', { name: 'Score now' }).click();
    const run = (await (await scoring).json()) as ScoringRun;
    await expect.poll(() => page.getByTestId('score-result').textContent()).toContain(`Scored ${n(run.profiles)} profiles`);
    expect((await tableRows(page.getByTestId('deciles'))).map((r) => r[1])).toEqual(run.deciles.map((v) => n(v, 3)));

    const topAnswer = answerTo(page, '/api/models/buyers/segments');
    await page.getByRole('button', { name: 'Make a top 10% segment' }).click();
    const top = (await (await topAnswer).json()) as SegmentMade;
    await page.getByTestId('top-made').waitFor();
    expect(top.definition).toBe('score.buyers_pct >= 90');
    const segment = await d.api<Segment>(`/api/segments/${top.segmentId}`);
    expect(segment.size).toBe(top.members);
    // About a tenth of the scored profiles (ties share a percentile, so not exactly).
    expect(segment.size).toBeGreaterThan(0);
    expect(segment.size).toBeLessThanOrEqual(Math.ceil(run.profiles * 0.1) + 5);
    expect(await page.getByTestId('top-made').getByRole('link', { name: top.segmentName }).getAttribute('href')).toBe(`/segments/${top.segmentId}`);

    // A member of the top segment, explained.
    const members = await d.api<{ items: { profileId: string }[] }>(`/api/segments/${top.segmentId}/members?limit=1`);
    const profileId = members.items[0]!.profileId;
    await page.getByLabel('Profile id').fill(profileId);
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.getByTestId('explain-result').waitFor();
    const x = await d.api<Explanation>(`/api/models/buyers/explain/${profileId}`);
    expect(await page.getByTestId('explain-result').textContent()).toContain(`Probability ${pct(x.probability)}`);
    const contributions = await tableRows(page.getByRole('table', { name: 'Contributions of the features to the profile’s score' }));
    expect(contributions).toEqual(x.contributions.map((c) => [c.feature, c.value === null ? '—' : n(c.value, 2), n(c.contribution, 4)]));
    // An unknown profile: the API's error, shown.
    await page.getByLabel('Profile id').fill('no-such-profile');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'profile.not_found' }).waitFor();

    // A second version (random forest): the page shows the latest, and the first one on demand.
    const v2 = await post<ModelSummary>('/api/models', { name: 'buyers', target: { kind: 'event', event: 'Order Completed', days: 21 }, algo: 'forest', score: false });
    await page.reload();
    await page.getByTestId('m-auc').waitFor();
    expect(await figure(page, 'm-auc')).toBe(n(v2.report.metrics.auc, 3));
    const versionsTable = page.getByRole('table', { name: 'Every version of the model, newest first' });
    await expect.poll(async () => (await tableRows(versionsTable)).length).toBe(2);
    const versions = await tableRows(versionsTable);
    expect(versions.map((v) => [v[0], v[2], v[3]])).toEqual([
      [String(v2.version), 'random forest', n(v2.report.metrics.auc, 3)],
      [String(v2.version - 1), 'logistic regression', expect.any(String)],
    ]);
    await page.getByRole('link', { name: `Open version ${v2.version - 1}` }).click();
    await page.waitForURL((u) => u.pathname === '/models/buyers' && u.searchParams.get('version') === String(v2.version - 1));
    const v1 = await d.api<ModelSummary>(`/api/models/buyers?version=${v2.version - 1}`);
    await expect.poll(() => figure(page, 'm-auc')).toBe(n(v1.report.metrics.auc, 3));
    // Scoring and explanations read the latest version: not offered on an older one.
    await page.getByRole('table', { name: 'Every version of the model, newest first' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Score now' }).count()).toBe(0);
    // The converged fit says nothing; a neural net stopped after one epoch says it did not converge.
    expect(await page.getByTestId('not-converged').count()).toBe(0);
    // Its importance measured on a sample of 100 test profiles (importanceRows), which the importance card says.
    const nn = await post<ModelSummary>('/api/models', { name: 'buyers_nn', target: { kind: 'event', event: 'Order Completed', days: 21 }, algo: 'mlp', params: { epochs: 1 }, importanceRows: 100, score: false });
    expect([nn.report.algorithm, nn.report.converged, nn.report.importanceRows]).toEqual(['mlp', false, 100]);
    expect(nn.report.rows.test).toBeGreaterThan(100);
    await page.goto(`${d.url}/models/buyers_nn`);
    await page.getByTestId('not-converged').filter({ hasText: 'did not converge' }).waitFor();
    await page.getByText(`Measured on a random sample of 100 of the ${n(nn.report.rows.test)} test profiles.`, { exact: false }).waitFor();
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French on the three pages', async () => {
    const page = await d.loggedIn('/clusters?name=studio', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Studio de typologies' }).waitFor();
    await page.getByTestId('persona').first().waitFor();
    const c = await d.api<ClusterSummary>('/api/clusters/studio');
    expect(await page.getByTestId('persona').locator('h3').allTextContents()).toEqual(c.personas.map((p) => p.name.fr));
    expect(await page.getByTestId('persona').first().textContent()).toContain(c.personas[0]!.description.fr);
    let text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Clustering studio', 'Elbow', 'Save as segment', 'profiles (', 'Stored clusterings']) expect(text).not.toContain(english);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'clusters-fr');

    await page.goto(`${d.url}/models/buyers`);
    await page.getByRole('heading', { level: 2, name: 'Courbe ROC' }).waitFor();
    text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Average precision', 'Score now', 'Decision threshold', 'Versions of']) expect(text).not.toContain(english);

    await page.goto(`${d.url}/clv`);
    await page.getByRole('heading', { level: 1, name: 'Valeur vie client' }).waitFor();
    await page.getByTestId('clv-customers').waitFor();
    const clv = await d.api<ClvRun>('/api/clv');
    const tiers = await tableRows(page.getByTestId('clv-tiers'));
    expect(tiers.map((r) => r[0])).toEqual(clv.tiers.map((t) => ({ top: 'haut', high: 'élevé', medium: 'moyen', low: 'bas' })[t.name] ?? t.name));
    text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Customer lifetime value', 'Fit now', 'Tiers', 'customers']) expect(text).not.toContain(english);
    expect(jsErrors(page)).toEqual([]);
  });
});
