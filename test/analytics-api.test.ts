import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/cli/load-demo.js';
import { ManualClock, type ProfileId } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { buildProfileTable, type ClusterSummary, type ClvRunSummary, type Explanation, type ModelSummary } from '../src/scoring/index.js';
import { ADMIN_KEY, basic, bearer, startTestSegmentum, WRITE_KEY } from './helpers.js';

/**
 * Analytics on profiles through the API: CLV fitted on the orders and written as scores, clustering into personas
 * and clusters saved as segments (snapshot and live), propensity models trained as of a date, scored, explained and
 * turned into top-N% segments; and the point-in-time rule that keeps later events out of features.
 */

const DAY = 86_400_000;
const quiet = { out: () => undefined, err: () => undefined, interactive: false };

async function api<T>(s: Segmentum, method: 'GET' | 'POST', url: string, payload?: object): Promise<{ status: number; body: T }> {
  const res = await s.app.inject({ method, url, headers: { authorization: bearer(ADMIN_KEY) }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() as T };
}

describe('analytics on the demo profiles', () => {
  let s: Segmentum;
  beforeAll(async () => {
    // No timers: the test runs the live cluster pass itself.
    s = await startTestSegmentum({ scoring: { models: { liveSeconds: 0, everyHours: 0 } } });
    const day = new Date();
    day.setUTCHours(0, 0, 0, 0);
    await loadDemo(s, { profiles: 800, days: 150, seed: 11, now: day }, quiet);
  }, 180_000);
  afterAll(async () => s?.close());

  it('fits CLV on the orders and writes clv, p_alive and clv_tier scores that segments read', async () => {
    const missing = await api<{ error: { code: string } }>(s, 'GET', '/api/clv');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('model.not_found');
    const fit = await api<ClvRunSummary>(s, 'POST', '/api/clv/fit', { unit: 'week', segments: true });
    expect(fit.status).toBe(200);
    const r = fit.body;
    expect(r.customers).toBeGreaterThan(50);
    expect(r.bgNbd.converged && r.gammaGamma.converged).toBe(true);
    expect(r.tiers.reduce((n, t) => n + t.customers, 0)).toBe(r.customers);
    expect(r.histogram.reduce((n, b) => n + b.customers, 0)).toBe(r.customers);
    // Every customer has the four scores; the top tier holds the highest CLVs.
    let withScores = 0;
    const top: number[] = [];
    const rest: number[] = [];
    await s.store.scanProfiles((p) => {
      const sc = s.engine.scoresOf(p.profileId);
      if (typeof sc?.clv !== 'number') return;
      withScores++;
      expect(sc.p_alive).toBeGreaterThanOrEqual(0);
      expect(sc.p_alive).toBeLessThanOrEqual(1);
      (sc.clv_tier === 1 ? top : rest).push(sc.clv);
    });
    expect(withScores).toBe(r.customers);
    expect(Math.min(...top)).toBeGreaterThanOrEqual(Math.max(...rest));
    const seg = await api<{ id: string }>(s, 'POST', '/api/segments', { name: 'CLV top', definition: 'score.clv_tier = 1' });
    expect(seg.status).toBe(201);
    expect(await s.segments.size(seg.body.id)).toBe(top.length);
    // The value segments made with the fit: one per tier, the top one the same members.
    expect(r.segments.map((x) => x.name)).toEqual(['CLV: top', 'CLV: high', 'CLV: medium', 'CLV: low']);
    expect(await s.segments.size(r.segments[0]?.id as string)).toBe(top.length);
    const refit = await api<ClvRunSummary>(s, 'POST', '/api/clv/fit', { unit: 'week', segments: true });
    expect(refit.body.segments).toEqual([]);
    expect((await api<ClvRunSummary>(s, 'GET', '/api/clv')).body.version).toBe(r.version + 1);

    // The scheduled pass fits CLV again with the settings of the latest fit, and makes no value segment again.
    const six = await api<ClvRunSummary>(s, 'POST', '/api/clv/fit', { unit: 'day', horizonMonths: 6 });
    await s.analytics.refreshAll();
    const scheduled = (await api<ClvRunSummary>(s, 'GET', '/api/clv')).body;
    expect(scheduled).toMatchObject({ version: six.body.version + 1, unit: 'day', horizonMonths: 6, segments: [], customers: six.body.customers });
    expect(scheduled.bgNbd.r).toBeCloseTo(six.body.bgNbd.r, 9);
  });

  it('clusters customers into personas, stores the run, and saves clusters as snapshot and live segments', async () => {
    const run = await api<ClusterSummary>(s, 'POST', '/api/clusters', { name: 'value', k: 4, transform: 'log', seed: 3 });
    expect(run.status).toBe(200);
    const c = run.body;
    expect(c.k).toBe(4);
    expect(c.sizes.reduce((a, b) => a + b, 0)).toBe(c.rows);
    expect(c.personas.map((p) => p.cluster).sort()).toEqual([0, 1, 2, 3]);
    for (const p of c.personas) {
      expect(p.size).toBe(c.sizes[p.cluster]);
      expect(p.name.en.length).toBeGreaterThan(0);
      expect(p.name.fr.length).toBeGreaterThan(0);
      expect(p.traits.length).toBeGreaterThan(0);
    }
    expect(c.silhouette?.perCluster).toHaveLength(4);
    expect(c.projection.points.length).toBe(c.rows);
    // The same seed gives the same clustering.
    const again = await api<ClusterSummary>(s, 'POST', '/api/clusters', { name: 'value', k: 4, transform: 'log', seed: 3 });
    expect(again.body.version).toBe(c.version + 1);
    expect(again.body.sizes).toEqual(c.sizes);
    expect((await api<ClusterSummary>(s, 'GET', `/api/clusters/value?version=${c.version}`)).body.sizes).toEqual(c.sizes);

    const biggest = c.personas.reduce((a, b) => (b.size > a.size ? b : a));
    const snap = await api<{ segmentId: string; members: number }>(s, 'POST', '/api/clusters/value/segments', { cluster: biggest.cluster, mode: 'snapshot' });
    expect(snap.status).toBe(200);
    expect(snap.body.members).toBe(biggest.size);
    expect(await s.segments.size(snap.body.segmentId)).toBe(biggest.size);
    // Live: the nearest centroid of the stored model, recomputed now on the same profiles, is the cluster itself.
    const live = await api<{ segmentId: string; members: number }>(s, 'POST', '/api/clusters/value/segments', { cluster: biggest.cluster, mode: 'live', name: 'value live' });
    expect(live.status).toBe(200);
    expect(live.body.members).toBe(biggest.size);
    // A new customer joins the live segment of its nearest cluster at the next live pass.
    const now = Date.now();
    const batch = [1, 2, 3].map((i) => ({
      type: 'track',
      userId: 'new-customer',
      event: 'Order Completed',
      properties: { revenue: 40 * i },
      timestamp: new Date(now - i * 3 * DAY).toISOString(),
      messageId: `new-customer-${i}`,
    }));
    const res = await s.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(WRITE_KEY) }, payload: { batch } });
    expect(res.statusCode).toBe(200);
    await s.tick();
    const newId = (await s.store.findProfileByIdentity('user_id', 'new-customer')) as ProfileId;
    expect(s.engine.scoresOf(newId)?.cluster_value).toBeUndefined();
    const pass = await s.analytics.clusters.assignTouched();
    expect(pass.profiles).toBeGreaterThanOrEqual(1);
    const assigned = s.engine.scoresOf(newId)?.cluster_value;
    expect(typeof assigned).toBe('number');
    const inLive = (await s.segments.segmentsOf(newId)).some((x) => x.id === live.body.segmentId);
    expect(inLive).toBe(assigned === biggest.cluster);

    // Agglomerative clustering: the dendrogram's top and the same separation figures.
    const tree = await api<ClusterSummary>(s, 'POST', '/api/clusters', { name: 'tree', method: 'hierarchical', k: 3, transform: 'log' });
    expect(tree.status).toBe(200);
    expect(tree.body.k).toBe(3);
    expect(tree.body.dendrogram?.length).toBe(Math.min(50, tree.body.rows - 1));
    expect(tree.body.calinskiHarabasz).toBeGreaterThan(0);
    expect(tree.body.daviesBouldin).toBeGreaterThan(0);
    const list = await api<{ items: ClusterSummary[] }>(s, 'GET', '/api/clusters');
    expect(list.body.items.map((x) => x.name).sort()).toEqual(['tree', 'value']);
    expect(list.body.items.every((x) => x.projection.points.length === 0)).toBe(true);

    const bad = await api<{ error: { code: string } }>(s, 'POST', '/api/clusters/value/segments', { cluster: 9 });
    expect(bad.body.error.code).toBe('cluster.unknown_cluster');
    expect((await api<{ error: { code: string } }>(s, 'GET', '/api/clusters/nope')).body.error.code).toBe('cluster.not_found');
  });

  it('trains a propensity model as of a date, scores every profile, explains a score and makes a top-10% segment', async () => {
    const trained = await api<ModelSummary>(s, 'POST', '/api/models', { name: 'buy_30d', target: { kind: 'event', event: 'Order Completed', days: 30 }, algo: 'logreg' });
    expect(trained.status).toBe(200);
    const m = trained.body;
    expect(new Date(m.at).getTime() - new Date(m.asOf).getTime()).toBe(30 * DAY);
    // Past behaviour predicts orders in the demo: well above a coin, below perfect.
    expect(m.report.metrics.auc).toBeGreaterThan(0.65);
    expect(m.report.metrics.auc).toBeLessThan(1);
    expect(m.report.metrics.averagePrecision).toBeGreaterThan(m.report.metrics.baseRate);
    expect(m.report.converged).toBe(true);
    expect(m.scored?.profiles).toBeGreaterThan(0);
    const scored = m.scored?.profiles ?? 0;

    const top = await api<{ segmentId: string; definition: string; members: number }>(s, 'POST', '/api/models/buy_30d/segments', { percent: 10 });
    expect(top.status).toBe(200);
    expect(top.body.definition).toBe('score.buy_30d_pct >= 90');
    // Ties share a percentile, so the segment holds about, and at most, a tenth of the scored profiles.
    expect(top.body.members).toBeLessThanOrEqual(Math.ceil(scored * 0.1));
    expect(top.body.members).toBeGreaterThan(scored * 0.05);

    // The explanation adds up to the model's log-odds for the profile.
    const member = (await s.segments.members(top.body.segmentId, { limit: 1 })) as { ok: true; value: { items: { profileId: string }[] } };
    const id = member.value.items[0]?.profileId as string;
    const e = await api<Explanation>(s, 'GET', `/api/models/buy_30d/explain/${id}`);
    expect(e.status).toBe(200);
    const logit = e.body.base + e.body.contributions.reduce((a, c) => a + c.contribution, 0);
    expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(e.body.probability, 9);
    expect(s.engine.scoresOf(id as ProfileId)?.buy_30d).toBeCloseTo(e.body.probability, 4);

    // The stored summary holds the latest scoring.
    expect((await api<ModelSummary>(s, 'GET', '/api/models/buy_30d')).body.scored?.profiles).toBe(scored);
    // A second version; the registry keeps both.
    const v2 = await api<ModelSummary>(s, 'POST', '/api/models', { name: 'buy_30d', target: { kind: 'event', event: 'Order Completed', days: 30 }, algo: 'gbdt', score: false });
    expect(v2.body.version).toBe(m.version + 1);
    expect(v2.body.report.metrics.auc).toBeGreaterThan(0.6);
    const versions = await api<{ items: ModelSummary[] }>(s, 'GET', '/api/models/buy_30d/versions');
    expect(versions.body.items.map((x) => x.version)).toEqual([m.version + 1, m.version]);
    const bad = await api<{ error: { code: string } }>(s, 'POST', '/api/models', { name: 'Bad Name', target: { kind: 'event', event: 'X', days: 30 } });
    expect(bad.status).toBe(400);
  });
});

describe('point-in-time feature tables', () => {
  const T = Date.parse('2026-03-01T00:00:00Z');
  let s: Segmentum;
  beforeAll(async () => {
    s = await startTestSegmentum({}, new ManualClock(T));
    const track = (userId: string, event: string, at: string, properties: Record<string, unknown> = {}) => ({ type: 'track', userId, event, timestamp: at, properties, messageId: `${userId}-${event}-${at}` });
    const batch = [
      track('ana', 'Order Completed', '2026-01-10T10:00:00Z', { revenue: 50 }),
      track('ana', 'Page Viewed', '2026-02-20T10:00:00Z'),
      track('ana', 'Order Completed', '2026-02-25T10:00:00Z', { revenue: 30 }),
      track('ben', 'Page Viewed', '2026-01-20T10:00:00Z'),
      track('ben', 'Order Completed', '2026-02-28T10:00:00Z', { revenue: 99 }),
    ];
    const res = await s.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(WRITE_KEY) }, payload: { batch } });
    expect(res.statusCode).toBe(200);
    await s.tick();
  });
  afterAll(async () => s?.close());

  const spec = (asOf: string) => ({
    asOf: new Date(asOf),
    features: ['orders', 'revenue', 'days_since_last_order', 'events_30d', 'count_90d:Page Viewed'],
    orderEvent: 'Order Completed',
    revenueProperty: 'revenue',
    population: 'seen' as const,
    target: { kind: 'event' as const, event: 'Order Completed', days: 30 },
  });

  it('reads only the events before the date as features, and the window after it as the label', async () => {
    const t = await buildProfileTable(s.store, spec('2026-02-15T00:00:00Z'));
    expect(t.profileIds).toHaveLength(2);
    const col = (name: string) => t.columns.find((c) => c.name === name)?.values as Float64Array;
    const row = async (user: string) => t.profileIds.indexOf((await s.store.findProfileByIdentity('user_id', user)) as ProfileId);
    const a = await row('ana');
    const b = await row('ben');
    // Ana: one order (Jan 10, 50) before Feb 15; her Feb 25 order is after the date: in the label, not the features.
    expect(col('orders')[a]).toBe(1);
    expect(col('revenue')[a]).toBe(50);
    expect(col('days_since_last_order')[a]).toBeCloseTo(35 + 14 / 24, 9);
    expect(col('events_30d')[a]).toBe(0);
    expect(col('count_90d:Page Viewed')[a]).toBe(0);
    expect(t.labels?.[a]).toBe(1);
    // Ben: no order before the date (missing recency), one page view; his Feb 28 order is the label.
    expect(col('orders')[b]).toBe(0);
    expect(col('days_since_last_order')[b]).toBeNaN();
    expect(col('count_90d:Page Viewed')[b]).toBe(1);
    expect(t.labels?.[b]).toBe(1);
    // As of Mar 1 everything is in the features and nothing in a label window yet.
    const later = await buildProfileTable(s.store, spec('2026-03-01T00:00:00Z'));
    const colL = (name: string) => later.columns.find((c) => c.name === name)?.values as Float64Array;
    expect(colL('orders')[a]).toBe(2);
    expect(colL('revenue')[a]).toBe(80);
    expect(Array.from(later.labels ?? [])).toEqual([0, 0]);
    // Before anyone's first event, no one is in the table.
    expect((await buildProfileTable(s.store, spec('2026-01-01T00:00:00Z'))).profileIds).toHaveLength(0);
  });
});
