import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/index.js';
import { rocAuc } from '../metrics.js';
import type { Dataset } from '../types.js';
import { fitForest, forestFromJSON } from './forest.js';

/**
 * The random forest against scikit-learn 1.2.1's RandomForestClassifier(n_estimators=100, random_state=0) on
 * test/fixtures/sklearn/trees.csv (complete data: scikit-learn 1.2's forest refuses NaN), references in
 * tree-refs.json, both written by test/fixtures/sklearn/make_tree_refs.py. The two forests draw different bootstrap
 * samples and features, and ours splits on bin edges: the test AUC must be within 0.01 of scikit-learn's. The split
 * search and the leaf probabilities are checked exactly against brute force on stumps.
 */

const FIXTURES = new URL('../../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('tree-refs.json', FIXTURES), 'utf8')) as {
  forest: { complete: { auc: number }; balanced: { auc: number } };
};
const lines = readFileSync(new URL('trees.csv', FIXTURES), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const D = 10;
const features = Array.from({ length: D }, (_, j) => `x${j + 1}`);

function load(part: 'train' | 'test', missing: boolean): Dataset {
  const rows = lines.filter((c) => c[11] === part);
  const x = new Float64Array(rows.length * D);
  rows.forEach((c, i) => {
    for (let j = 0; j < D; j++) x[i * D + j] = Number(c[j]);
    if (missing && c[12] === '1') x[i * D] = Number.NaN;
    if (missing && c[13] === '1') x[i * D + 1] = Number.NaN;
  });
  return { x, n: rows.length, d: D, y: Uint8Array.from(rows, (c) => Number(c[10])), features };
}

const train = load('train', false);
const test = load('test', false);

describe('random forest against scikit-learn RandomForestClassifier', () => {
  it('test AUC within 0.01 of scikit-learn (100 trees, sqrt features, bootstrap, grown to purity)', () => {
    const model = fitForest(train, { seed: 0 });
    expect(model.trees.nTrees).toBe(100);
    expect(Math.abs(rocAuc(test.y, model.predictProba(test.x, test.n)) - refs.forest.complete.auc)).toBeLessThan(0.01);
  });

  it("class_weight='balanced': test AUC within 0.01", () => {
    const model = fitForest(train, { seed: 0, classWeight: 'balanced' });
    expect(Math.abs(rocAuc(test.y, model.predictProba(test.x, test.n)) - refs.forest.balanced.auc)).toBeLessThan(0.01);
  });
});

/** A stump (one split, all rows, every feature tried) and the rows sent left, read off the fitted model. */
function stump(data: Dataset, weights?: Float64Array) {
  const model = fitForest({ ...data, weights }, { nEstimators: 1, bootstrap: false, maxFeatures: 'all', maxDepth: 1 });
  const e = model.trees;
  const f = e.feature[0] as number;
  const t = e.threshold[0] as number;
  const left = (i: number): boolean => {
    const v = data.x[i * data.d + f] as number;
    return Number.isNaN(v) ? e.missingLeft[0] === 1 : v <= t;
  };
  return { model, f, left };
}

/** Weighted Gini impurity decrease proxy of a partition (sum over children of sum_c w_c^2 / W). */
function giniProxy(y: Uint8Array, w: Float64Array, left: (i: number) => boolean): number {
  const s = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < y.length; i++) {
    const side = s[left(i) ? 0 : 1] as number[];
    side[y[i] as number] = (side[y[i] as number] as number) + (w[i] as number);
  }
  return s.reduce((acc, [a, b]) => acc + ((a as number) ** 2 + (b as number) ** 2) / ((a as number) + (b as number)), 0);
}

describe('random forest mechanics (exact, against brute force)', () => {
  // 250 rows: at most 255 distinct values per feature, so the bin edges are all the midpoints between distinct values.
  const small: Dataset = { ...train, x: train.x.subarray(0, 250 * D), n: 250, y: train.y.subarray(0, 250) };

  it('a stump takes the best Gini split among all bin edges of all features, and predicts its leaves’ (weighted) positive shares', () => {
    for (const weights of [undefined, Float64Array.from({ length: small.n }, (_, i) => 1 + (i % 3))]) {
      const w = weights ?? new Float64Array(small.n).fill(1);
      const { model, left } = stump(small, weights);
      // Brute force: every threshold halfway between consecutive distinct values of every feature.
      let best = 0;
      for (let f = 0; f < D; f++) {
        const vals = [...new Set(Array.from({ length: small.n }, (_, i) => small.x[i * D + f] as number))].sort((a, b) => a - b);
        for (let k = 0; k + 1 < vals.length; k++) {
          const t = ((vals[k] as number) + (vals[k + 1] as number)) / 2;
          best = Math.max(best, giniProxy(small.y, w, (i) => (small.x[i * D + f] as number) <= t));
        }
      }
      const ours = giniProxy(small.y, w, left);
      expect(Math.abs(ours - best) / best).toBeLessThan(1e-12);
      // Leaf values: the weighted positive share on each side.
      const share = [0, 0];
      const total = [0, 0];
      for (let i = 0; i < small.n; i++) {
        const s = left(i) ? 0 : 1;
        total[s] = (total[s] as number) + (w[i] as number);
        share[s] = (share[s] as number) + (w[i] as number) * (small.y[i] as number);
      }
      const p = model.predictProba(small.x, small.n);
      for (let i = 0; i < small.n; i++) {
        const s = left(i) ? 0 : 1;
        expect(p[i]).toBeCloseTo((share[s] as number) / (total[s] as number), 14);
      }
    }
  });

  it('grown to purity without bootstrap, a tree reproduces the training labels', () => {
    const model = fitForest(small, { nEstimators: 1, bootstrap: false, maxFeatures: 'all' });
    expect(Array.from(model.predictProba(small.x, small.n))).toEqual(Array.from(small.y));
  });

  it('respects minSamplesLeaf and maxDepth', () => {
    const model = fitForest(small, { nEstimators: 3, minSamplesLeaf: 30, maxDepth: 4, seed: 2 });
    const e = model.trees;
    for (let i = 0; i < e.feature.length; i++) if ((e.feature[i] as number) < 0) expect(e.cover[i]).toBeGreaterThanOrEqual(30);
    // Depth: count edges from each tree's root.
    for (let t = 0; t < e.nTrees; t++) {
      const depth = new Map<number, number>([[e.treeStart[t] as number, 0]]);
      for (let i = e.treeStart[t] as number; i < (e.treeStart[t + 1] as number); i++) {
        const dd = depth.get(i) as number;
        expect(dd).toBeLessThanOrEqual(4);
        if ((e.feature[i] as number) >= 0) {
          depth.set(i + 1, dd + 1);
          depth.set(e.right[i] as number, dd + 1);
        }
      }
    }
  });
});

describe('random forest behaviour', () => {
  it('is deterministic for a seed, and another seed gives another forest', () => {
    const a = fitForest(train, { nEstimators: 15, seed: 5 }).predictProba(test.x, test.n);
    const b = fitForest(train, { nEstimators: 15, seed: 5 }).predictProba(test.x, test.n);
    const c = fitForest(train, { nEstimators: 15, seed: 6 }).predictProba(test.x, test.n);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('routes missing values: trained with NaN it stays within 0.02 of the complete-data AUC; NaN alone carries signal', () => {
    const model = fitForest(load('train', true), { seed: 0 });
    const tm = load('test', true);
    const p = model.predictProba(tm.x, tm.n);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(rocAuc(tm.y, p)).toBeGreaterThan(refs.forest.complete.auc - 0.02);
    // y = 1 exactly where the second column is missing; the first is noise.
    const rng = new Rng(3);
    const n = 1000;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i * 2] = rng.next();
      y[i] = rng.chance(0.3) ? 1 : 0;
      x[i * 2 + 1] = y[i] ? Number.NaN : rng.next();
    }
    const m = fitForest({ x, n, d: 2, y, features: ['noise', 'gap'] }, { nEstimators: 10, maxDepth: 2, seed: 1 });
    expect(rocAuc(y, m.predictProba(x, n))).toBeGreaterThan(0.999);
  });

  it('survives a JSON round trip with identical predictions and contributions', () => {
    const model = fitForest(train, { nEstimators: 20, seed: 1 });
    const text = JSON.stringify(model.toJSON());
    const back = forestFromJSON(JSON.parse(text));
    expect(Array.from(back.predictProba(test.x, test.n))).toEqual(Array.from(model.predictProba(test.x, test.n)));
    const a = model.contributions(test.x.subarray(0, 3 * D), 3);
    const b = back.contributions(test.x.subarray(0, 3 * D), 3);
    expect(b.base).toBe(a.base);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    // Fully grown trees on 2,100 rows: about 400 nodes each, under 20 bytes a node once encoded.
    expect(text.length / model.trees.feature.length).toBeLessThan(20);
    expect(() => forestFromJSON({ ...model.toJSON(), algorithm: 'gbdt' })).toThrow(/algorithm/);
  });

  it('contributions add up to the probability (TreeSHAP averaged over trees, to 1e-9)', () => {
    const model = fitForest(train, { nEstimators: 10, seed: 2 });
    const n = 20;
    const c = model.contributions(test.x.subarray(0, n * D), n);
    const p = model.predictProba(test.x.subarray(0, n * D), n);
    expect(c.scale).toBe('probability');
    for (let i = 0; i < n; i++) {
      let s = c.base;
      for (let j = 0; j < D; j++) s += c.values[i * D + j] as number;
      expect(Math.abs(s - (p[i] as number))).toBeLessThan(1e-9);
    }
  });

  it('refuses bad options', () => {
    expect(() => fitForest(train, { nEstimators: 0 })).toThrow(RangeError);
    expect(() => fitForest(train, { maxFeatures: 11 })).toThrow(RangeError);
    expect(() => fitForest(train, { minSamplesSplit: 1 })).toThrow(RangeError);
  });
});
