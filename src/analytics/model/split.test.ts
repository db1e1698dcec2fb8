import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLogReg } from './logreg.js';
import { rocAuc } from './metrics.js';
import { crossValidate, gridSearch, parameterGrid, stratifiedKFold, stratifiedSplit, takeRows } from './split.js';
import type { Dataset } from './types.js';

/**
 * Splits are checked by their properties (disjoint, complete, class shares kept to within one row, deterministic
 * for a seed), on the labels of test/fixtures/sklearn/classification.csv (2000 rows, 310 positives) and on small
 * made-up label sets; the grid search by hand-computed means and standard deviations.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
const lines = readFileSync(new URL('classification.csv', FIXTURES), 'utf8').trim().split('\n');
const rows = lines.slice(1).map((l) => l.split(',').map(Number));
const data: Dataset = {
  x: Float64Array.from(rows.flatMap((r) => r.slice(0, 8))),
  n: rows.length,
  d: 8,
  y: Uint8Array.from(rows.map((r) => r[8] as number)),
  features: (lines[0] as string).split(',').slice(0, 8),
};

function count(y: ArrayLike<number>, idx: ArrayLike<number>, label: number): number {
  let c = 0;
  for (let k = 0; k < idx.length; k++) if (y[idx[k] as number] === label) c++;
  return c;
}

function expectPartition(parts: ArrayLike<number>[], n: number): void {
  const seen = new Uint8Array(n);
  for (const p of parts) for (let k = 0; k < p.length; k++) seen[p[k] as number] = (seen[p[k] as number] as number) + 1;
  expect(seen.every((v) => v === 1)).toBe(true);
}

describe('stratified split', () => {
  it('keeps the share of positives in both parts (310 of 2000 -> 62 of 400 in test)', () => {
    const s = stratifiedSplit(data.y, 0.2, 42);
    expect(s.test.length).toBe(400);
    expect(s.train.length).toBe(1600);
    expectPartition([s.train, s.test], data.n);
    expect(count(data.y, s.test, 1)).toBe(62);
    expect(count(data.y, s.train, 1)).toBe(248);
    // Sorted indices, so subsets keep the row order.
    expect(Array.from(s.test)).toEqual(Array.from(s.test).sort((a, b) => a - b));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = stratifiedSplit(data.y, 0.25, 7);
    const b = stratifiedSplit(data.y, 0.25, 7);
    const c = stratifiedSplit(data.y, 0.25, 8);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
  });

  it('shares the leftover rows by largest remainder, for any integer labels', () => {
    // 3 classes of 5, 3 and 2 rows; ceil(0.3 * 10) = 3 test rows: exact shares 1.5, 0.9, 0.6 -> floors 1, 0, 0,
    // then the two leftovers to the largest remainders (0.9 and 0.6).
    const y = [2, 2, 2, 2, 2, 7, 7, 7, 9, 9];
    const s = stratifiedSplit(y, 0.3, 1);
    expect(s.test.length).toBe(3);
    expect([count(y, s.test, 2), count(y, s.test, 7), count(y, s.test, 9)]).toEqual([1, 1, 1]);
    expect(() => stratifiedSplit(y, 0.05, 1)).toThrow(RangeError);
    expect(() => stratifiedSplit(y, 1, 1)).toThrow(RangeError);
  });
});

describe('stratified k-fold', () => {
  it('makes 5 folds of 400 rows with 62 positives each, test sets partitioning the rows', () => {
    const folds = stratifiedKFold(data.y, 5, 3);
    expect(folds.length).toBe(5);
    expectPartition(
      folds.map((f) => f.test),
      data.n,
    );
    for (const f of folds) {
      expect(f.test.length).toBe(400);
      expect(count(data.y, f.test, 1)).toBe(62);
      expectPartition([f.train, f.test], data.n);
    }
  });

  it('on uneven counts, fold sizes and per-class counts differ by at most one row; same seed, same folds', () => {
    const y = Array.from({ length: 103 }, (_, i) => (i % 6 === 0 ? 1 : 0));
    const folds = stratifiedKFold(y, 5, 11);
    const sizes = folds.map((f) => f.test.length);
    const pos = folds.map((f) => count(y, f.test, 1));
    const neg = folds.map((f) => count(y, f.test, 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(103);
    for (const v of [sizes, pos, neg]) expect(Math.max(...v) - Math.min(...v)).toBeLessThanOrEqual(1);
    expect(stratifiedKFold(y, 5, 11).map((f) => Array.from(f.test))).toEqual(folds.map((f) => Array.from(f.test)));
    expect(() => stratifiedKFold([0, 0, 0, 1, 1], 3, 1)).toThrow(/fewer than the 3 folds/);
  });

  it('takeRows copies the chosen rows, labels and weights', () => {
    const w = Float64Array.from({ length: data.n }, (_, i) => i);
    const sub = takeRows({ ...data, weights: w }, [5, 0]);
    expect(sub.n).toBe(2);
    expect(Array.from(sub.x.subarray(0, 8))).toEqual(Array.from(data.x.subarray(40, 48)));
    expect(Array.from(sub.weights ?? [])).toEqual([5, 0]);
    expect(Array.from(sub.y)).toEqual([data.y[5], data.y[0]]);
  });
});

describe('grid search', () => {
  it('lists combinations in scikit-learn order: keys sorted, the last varying fastest', () => {
    expect(parameterGrid({ maxDepth: [3, 5], learningRate: [0.1, 0.3], loss: ['a'] })).toEqual([
      { learningRate: 0.1, loss: 'a', maxDepth: 3 },
      { learningRate: 0.1, loss: 'a', maxDepth: 5 },
      { learningRate: 0.3, loss: 'a', maxDepth: 3 },
      { learningRate: 0.3, loss: 'a', maxDepth: 5 },
    ]);
  });

  it('reports mean and population std per combination and picks the best (first on ties; lowest for a loss)', () => {
    const scores: Record<string, number[]> = { '1': [0.5, 0.7], '2': [0.8, 0.6], '3': [0.4, 0.4] };
    const r = gridSearch({ k: [1, 2, 3] }, ({ k }) => scores[String(k)] ?? []);
    expect(r.results.map((p) => p.mean)).toEqual([0.6, 0.7, 0.4]);
    expect(r.results[0]?.std).toBeCloseTo(0.1, 15);
    expect(r.best.params).toEqual({ k: 2 });
    expect(gridSearch({ k: [1, 2, 3] }, ({ k }) => scores[String(k)] ?? [], { maximize: false }).best.params.k).toBe(3);
    expect(gridSearch({ k: [1, 2] }, () => 1).best.params.k).toBe(1);
    expect(gridSearch({ k: [1, 2] }, ({ k }) => (k === 1 ? Number.NaN : 0.5)).best.params.k).toBe(2);
  });

  it('tunes C of logistic regression by 3-fold cross-validated AUC', () => {
    const folds = stratifiedKFold(data.y, 3, 5);
    const search = gridSearch({ C: [1e-4, 1] }, ({ C }) =>
      crossValidate(folds, (f) => {
        const model = fitLogReg(takeRows(data, f.train), { C });
        const test = takeRows(data, f.test);
        return rocAuc(test.y, model.predictProba(test.x, test.n));
      }),
    );
    expect(search.results.map((r) => r.scores.length)).toEqual([3, 3]);
    const means = search.results.map((r) => r.mean);
    expect(search.best.mean).toBe(Math.max(...means));
    // The data are about linearly separable to AUC 0.73 (in-sample); held-out folds are close to that.
    expect(search.best.mean).toBeGreaterThan(0.68);
  });
});
