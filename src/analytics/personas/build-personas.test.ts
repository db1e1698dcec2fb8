import { describe, expect, it } from 'vitest';
import type { FeatureColumn } from '../features/index.js';
import { buildPersonas, humanise, type FeatureLabel, type Persona, type PersonaInput } from './index.js';

/**
 * Personas on a hand-built table whose clusters are known by construction:
 * - cluster 0, 20 rows: high spenders who ordered a few days ago, mostly in Paris, all on the web;
 * - cluster 1, 50 rows: small spenders, average recency, spread over three cities;
 * - cluster 2, 30 rows: lapsed customers (200+ days), in Lyon or unknown city, in store;
 * - 5 noise rows (-1).
 * Expected numbers are recomputed in the test by plain loops over the rows (an independent implementation of the
 * definitions in build-personas.ts), with floating-point tolerance 1e-12 unless stated.
 */

interface Row {
  label: number;
  spent: number;
  days: number;
  orders: number;
  city: string | null;
  channel: string;
  clv: number;
}
const rows: Row[] = [];
for (let i = 0; i < 20; i++) rows.push({ label: 0, spent: 1000 + 10 * (i % 5), days: 5 + (i % 3), orders: 4 + (i % 3), city: i < 12 ? 'Paris' : 'Lyon', channel: 'web', clv: 300 });
for (let i = 0; i < 50; i++) rows.push({ label: 1, spent: 100 + 2 * (i % 10), days: 60 + (i % 7), orders: 4 + (i % 3), city: ['Paris', 'Lyon', 'Nice', 'Nice', 'Lyon'][i % 5] as string, channel: i % 5 === 0 ? 'store' : 'web', clv: 400 });
for (let i = 0; i < 30; i++) rows.push({ label: 2, spent: 150 + (i % 4), days: 200 + (i % 5), orders: 3, city: i < 25 ? 'Lyon' : null, channel: 'store', clv: 20 });
for (let i = 0; i < 5; i++) rows.push({ label: -1, spent: 500, days: 100, orders: 5, city: null, channel: 'web', clv: 50 });
// A gap in a numeric feature: a cluster mean or median skips it, as the population one does.
rows[3] = { ...(rows[3] as Row), days: Number.NaN };
const n = rows.length;

const columns: FeatureColumn[] = [
  { name: 'total_spent', kind: 'numeric', values: Float64Array.from(rows, (r) => r.spent) },
  { name: 'days_since_last_order', kind: 'numeric', values: Float64Array.from(rows, (r) => r.days) },
  { name: 'order_count', kind: 'numeric', values: Float64Array.from(rows, (r) => r.orders) },
  { name: 'city', kind: 'categorical', values: rows.map((r) => r.city) },
  { name: 'channel', kind: 'categorical', values: rows.map((r) => r.channel) },
];
const input: PersonaInput = { columns, labels: Int32Array.from(rows, (r) => r.label), revenue: Float64Array.from(rows, (r) => r.spent) };
const labels: Record<string, FeatureLabel> = {
  total_spent: { en: 'total spent', fr: 'dépenses totales', higher: { en: 'High spenders', fr: 'Gros acheteurs' }, lower: { en: 'Small spenders', fr: 'Petits acheteurs' } },
  days_since_last_order: { en: 'days since last order', fr: 'jours depuis la dernière commande', higher: { en: 'lapsed', fr: 'inactifs' }, lower: { en: 'recent', fr: 'récents' } },
};

// The independent implementation of the definitions.
const known = (xs: number[]): number[] => xs.filter((x) => !Number.isNaN(x));
const mean = (xs: number[]): number => known(xs).reduce((a, b) => a + b, 0) / known(xs).length;
const sd = (xs: number[]): number => Math.sqrt(known(xs).reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / known(xs).length);
const medianOf = (xs: number[]): number => {
  const s = known(xs).sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const numericOf: Record<string, (r: Row) => number> = { total_spent: (r) => r.spent, days_since_last_order: (r) => r.days, order_count: (r) => r.orders };
const categoricalOf: Record<string, (r: Row) => string | null> = { city: (r) => r.city, channel: (r) => r.channel };
const members = (c: number): Row[] => rows.filter((r) => r.label === c);
/** Every feature's effect for cluster c: d for numeric ones, the strongest level's indicator d for categorical ones. */
function expectedEffects(c: number): { feature: string; effect: number; level: string | null; lift: number | null }[] {
  const out = Object.entries(numericOf).map(([feature, get]) => ({ feature, effect: (mean(members(c).map(get)) - mean(rows.map(get))) / sd(rows.map(get)), level: null as string | null, lift: null as number | null }));
  for (const [feature, get] of Object.entries(categoricalOf)) {
    const levels = [...new Set(rows.map(get).filter((v): v is string => v !== null))];
    const scored = levels.map((level) => {
      const p = rows.filter((r) => get(r) === level).length / n;
      const pc = members(c).filter((r) => get(r) === level).length / members(c).length;
      return { feature, level, effect: (pc - p) / Math.sqrt(p * (1 - p)), lift: pc / p };
    });
    out.push(scored.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0] as (typeof out)[number]);
  }
  return out.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect));
}
const byCluster = (personas: readonly Persona[], c: number): Persona => personas.find((p) => p.cluster === c) as Persona;

describe('persona statistics', () => {
  const report = buildPersonas(input, { labels });

  it('sizes and shares of the population, noise apart', () => {
    expect(report.personas.map((p) => p.cluster).sort()).toEqual([0, 1, 2]);
    for (const c of [0, 1, 2]) {
      expect(byCluster(report.personas, c).size).toBe(members(c).length);
      expect(byCluster(report.personas, c).share).toBeCloseTo(members(c).length / n, 12);
    }
    expect(report.noise).toMatchObject({ size: 5 });
    expect(report.noise?.share).toBeCloseTo(5 / n, 12);
  });

  it('centroids in original units: mean and median skip gaps; the top level and its share', () => {
    for (const c of [0, 1, 2]) {
      const p = byCluster(report.personas, c);
      for (const [feature, get] of Object.entries(numericOf)) {
        const centroid = p.numeric.find((x) => x.feature === feature);
        expect(centroid?.mean).toBeCloseTo(mean(members(c).map(get)), 12);
        expect(centroid?.median).toBeCloseTo(medianOf(members(c).map(get)), 12);
      }
    }
    expect(byCluster(report.personas, 0).numeric.find((x) => x.feature === 'days_since_last_order')?.missing).toBe(1);
    expect(byCluster(report.personas, 0).categorical).toEqual([
      { feature: 'city', topLevel: 'Paris', topShare: 12 / 20 },
      { feature: 'channel', topLevel: 'web', topShare: 1 },
    ]);
    expect(byCluster(report.personas, 2).categorical[0]).toEqual({ feature: 'city', topLevel: 'Lyon', topShare: 25 / 30 });
  });

  it('distinguishing traits: order, sign, effect size and lift as recomputed by hand', () => {
    for (const c of [0, 1, 2]) {
      const expected = expectedEffects(c);
      const traits = byCluster(report.personas, c).traits;
      expect(traits.length).toBeGreaterThanOrEqual(3);
      traits.forEach((t, i) => {
        const e = expected[i] as (typeof expected)[number];
        expect(t.feature).toBe(e.feature);
        expect(t.level).toBe(e.level);
        expect(t.effect).toBeCloseTo(e.effect, 12);
        expect(t.direction).toBe(e.effect >= 0 ? 'higher' : 'lower');
        if (e.lift === null) expect(t.lift).toBeNull();
        else expect(t.lift).toBeCloseTo(e.lift, 12);
      });
    }
    const top = byCluster(report.personas, 0).traits;
    expect(top[0]).toMatchObject({ feature: 'total_spent', direction: 'higher', strength: 'strong' });
    expect(top[1]).toMatchObject({ feature: 'days_since_last_order', direction: 'lower', strength: 'strong' });
    const paris = top.find((t) => t.feature === 'city');
    expect(paris).toMatchObject({ level: 'Paris', direction: 'higher' });
    expect(paris?.lift).toBeCloseTo(12 / 20 / (rows.filter((r) => r.city === 'Paris').length / n), 12);
    expect(byCluster(report.personas, 2).traits[0]).toMatchObject({ feature: 'days_since_last_order', direction: 'higher' });
  });

  it('strength follows |effect| thresholds 0.2 / 0.5 / 0.8, on an exact small case (d = +-1, lift 2)', () => {
    const small = buildPersonas({
      columns: [
        { name: 'x', kind: 'numeric', values: Float64Array.from([0, 0, 2, 2]) },
        { name: 'y', kind: 'numeric', values: Float64Array.from([0, 1, 0, 1]) },
        { name: 'tier', kind: 'categorical', values: ['gold', 'gold', 'basic', 'basic'] },
      ],
      labels: Int32Array.from([0, 0, 1, 1]),
    });
    const c1 = byCluster(small.personas, 1);
    expect(c1.traits.map((t) => [t.feature, t.effect, t.strength, t.lift])).toEqual([
      ['x', 1, 'strong', null],
      ['tier', 1, 'strong', 2],
      ['y', 0, 'negligible', null],
    ]);
    expect(byCluster(small.personas, 0).traits[0]).toMatchObject({ feature: 'x', effect: -1, direction: 'lower' });
    const graded = buildPersonas({ columns: [{ name: 'v', kind: 'numeric', values: Float64Array.from([0, 0, 0, 0, 0.3, 0.3, 0.3, 0.3]) }], labels: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]) });
    // mean 0.15, sd 0.15: d = +-1 again; the threshold boundaries are checked on the phrase table below.
    expect(byCluster(graded.personas, 1).traits[0]?.effect).toBeCloseTo(1, 12);
  });

  it('value: totals, means and shares of revenue and CLV, noise in the denominator', () => {
    const withClv = buildPersonas({ ...input, clv: Float64Array.from(rows, (r) => r.clv) }, { labels });
    const totalRevenue = rows.reduce((a, r) => a + r.spent, 0);
    const totalClv = rows.reduce((a, r) => a + r.clv, 0);
    for (const c of [0, 1, 2]) {
      const v = byCluster(withClv.personas, c).value;
      const spent = members(c).reduce((a, r) => a + r.spent, 0);
      expect(v.revenue?.total).toBeCloseTo(spent, 9);
      expect(v.revenue?.mean).toBeCloseTo(spent / members(c).length, 9);
      expect(v.revenue?.share).toBeCloseTo(spent / totalRevenue, 12);
      expect(v.clv?.share).toBeCloseTo(members(c).reduce((a, r) => a + r.clv, 0) / totalClv, 12);
    }
    expect(withClv.noise?.revenue?.share).toBeCloseTo(2500 / totalRevenue, 12);
    expect(byCluster(report.personas, 0).value.clv).toBeNull();
  });
});

describe('persona names and descriptions', () => {
  const report = buildPersonas(input, { labels });

  it('names come from the two strongest traits, with the caller words, in both languages', () => {
    expect(byCluster(report.personas, 0).name).toEqual({ en: 'High spenders, recent', fr: 'Gros acheteurs, récents' });
    expect(byCluster(report.personas, 2).name.en).toMatch(/^Lapsed, /);
    expect(byCluster(report.personas, 2).name.fr).toMatch(/^Inactifs, /);
  });

  it('without labels, names and phrases humanise the feature names from the template table', () => {
    const plain = buildPersonas(input);
    const c0 = byCluster(plain.personas, 0);
    expect(c0.name).toEqual({ en: 'Very high total spent, very low days since last order', fr: 'Total spent : niveau très élevé, days since last order : niveau très bas' });
    expect(c0.traits[0]?.phrase.en).toMatch(/^Total spent much higher than average \(1,020 vs 3\d\d\)$/);
    expect(c0.traits[0]?.phrase.fr).toMatch(/^Total spent nettement au-dessus de la moyenne \(1\u202f020 contre 3\d\d\)$/);
    const city = c0.traits.find((t) => t.feature === 'city');
    expect(city?.phrase.en).toMatch(/^Share of Paris \(city\) (much )?higher than average \(60% vs 2\d(\.\d)?%, ×\d\.\d\)$/);
    expect(city?.phrase.fr).toMatch(/^Part de «\u00a0Paris\u00a0» \(city\) (nettement )?au-dessus de la moyenne \(60\u00a0% contre 2\d(,\d)?\u00a0%, ×\d,\d\)$/);
    expect(humanise('daysSinceLastOrder')).toBe('days since last order');
    expect(humanise('RFM_score')).toBe('RFM score');
  });

  it('descriptions give the size, the traits and the value, with no unfilled slot', () => {
    const c0 = byCluster(report.personas, 0);
    expect(c0.description.en).toMatch(/^20 profiles, 19(\.\d)?% of the population\. Compared with the whole population: total spent much higher than average/);
    expect(c0.description.en).toContain('This group brings 6');
    expect(c0.description.fr).toMatch(/^20 profils, soit 19(,\d)?\u00a0% de la population\. Par rapport à l'ensemble : dépenses totales nettement au-dessus de la moyenne/);
    expect(c0.description.fr).toContain("du chiffre d'affaires");
    for (const p of report.personas) for (const text of [p.name.en, p.name.fr, p.description.en, p.description.fr]) expect(text).not.toMatch(/[{}]|undefined|NaN/);
  });

  it('a cluster like the population is named as average; template slots stay text (no evaluation)', () => {
    const same = buildPersonas({
      columns: [{ name: '${process.exit()}', kind: 'categorical', values: ['{feature}', '{feature}', 'b', 'b'] }],
      labels: Int32Array.from([0, 1, 0, 1]),
    });
    for (const p of same.personas) {
      expect(p.name).toEqual({ en: 'Average profile', fr: 'Profil moyen' });
      expect(p.description.en).toContain('No trait stands out');
    }
  });
});

describe('priority grid', () => {
  it('relevance from the traits, impact from the revenue share, both scaled to 0..1 by the largest; quadrants at 0.5', () => {
    const report = buildPersonas(input, { labels });
    const meanAbs = (c: number): number => {
      const e = expectedEffects(c).filter((x, i) => i < 3 || Math.abs(x.effect) >= 0.2).slice(0, 5);
      return e.reduce((a, x) => a + Math.abs(x.effect), 0) / e.length;
    };
    const rel = [0, 1, 2].map(meanAbs);
    const imp = [0, 1, 2].map((c) => members(c).reduce((a, r) => a + r.spent, 0));
    for (const c of [0, 1, 2]) {
      const g = byCluster(report.personas, c).grid;
      expect(g.relevance).toBeCloseTo((rel[c] as number) / Math.max(...rel), 12);
      expect(g.impact).toBeCloseTo((imp[c] as number) / Math.max(...imp), 12);
      expect(g.score).toBeCloseTo(0.5 * g.relevance + 0.5 * g.impact, 12);
    }
    expect(byCluster(report.personas, 0).grid).toMatchObject({ quadrant: 'priority', relevance: 1, impact: 1, label: { en: 'Priority', fr: 'Prioritaire' } });
    expect(byCluster(report.personas, 1).grid.quadrant).toBe('monitor');
    expect(byCluster(report.personas, 2).grid.quadrant).toBe('niche');
    expect(report.personas.map((p) => p.rank)).toEqual([1, 2, 3]);
    expect(report.personas[0]?.cluster).toBe(0);
    expect(report.impactBasis).toBe('revenue');
  });

  it('size as impact makes the big average cluster one to grow; weights reorder the ranking', () => {
    const bySize = buildPersonas(input, { impactBasis: 'size' });
    expect(byCluster(bySize.personas, 1).grid).toMatchObject({ impact: 1, quadrant: 'grow' });
    const relevanceFirst = buildPersonas(input, { impactBasis: 'size', weights: { relevance: 1, impact: 0 } });
    const impactFirst = buildPersonas(input, { impactBasis: 'size', weights: { relevance: 0, impact: 1 } });
    const order = (ps: readonly Persona[], key: 'relevance' | 'impact'): number[] => [...ps].sort((a, b) => b.grid[key] - a.grid[key]).map((p) => p.cluster);
    expect(relevanceFirst.personas.map((p) => p.cluster)).toEqual(order(relevanceFirst.personas, 'relevance'));
    expect(impactFirst.personas.map((p) => p.cluster)).toEqual([1, 2, 0]);
    expect(relevanceFirst.personas[0]?.cluster).toBe(0);
    expect(relevanceFirst.personas.map((p) => p.cluster)).not.toEqual(impactFirst.personas.map((p) => p.cluster));
  });

  it('a silhouette per cluster scales relevance (negative counts as 0)', () => {
    const plain = buildPersonas(input);
    const tight = buildPersonas({ ...input, silhouette: { 0: -0.2, 1: 0.9, 2: 0.6 } });
    expect(byCluster(tight.personas, 0).grid.relevance).toBe(0);
    const raw = (c: number, s: number): number => (byCluster(plain.personas, c).grid.relevance as number) * s;
    expect(byCluster(tight.personas, 2).grid.relevance).toBeCloseTo(raw(2, 0.6) / Math.max(raw(1, 0.9), raw(2, 0.6)), 12);
    expect(() => buildPersonas({ ...input, silhouette: { 0: 0.5 } })).toThrow(/lacks cluster\(s\) 1, 2/);
  });

  it('is deterministic and refuses inputs it cannot use', () => {
    expect(buildPersonas(input, { labels })).toEqual(buildPersonas(input, { labels }));
    expect(() => buildPersonas({ ...input, labels: Int32Array.from(rows, () => -2) })).toThrow(/-1 for noise/);
    expect(() => buildPersonas(input, { weights: { relevance: -1, impact: 1 } })).toThrow(/weights/);
    expect(() => buildPersonas(input, { impactBasis: 'clv' })).toThrow(/needs the clv column/);
    expect(() => buildPersonas({ ...input, revenue: Float64Array.of(1) })).toThrow(/revenue has 1 values/);
  });
});
