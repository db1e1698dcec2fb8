import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFeatures, fitFeatures, type FeatureColumn, type FeatureTransform } from './index.js';

/**
 * The feature pipeline against scikit-learn 1.2.1 / numpy 1.24 on a fixed table with gaps:
 * test/fixtures/sklearn/features.csv (200 rows: 4 numeric traits, a city with 14 levels) and the values computed on it,
 * feature-refs.json, both written by test/fixtures/sklearn/make_feature_refs.py. Tolerances are stated per test.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
interface Refs {
  columns: string[];
  knn: number[][];
  iterative: { nIter: number; imputed: number[][] };
  newRows: { input: (number | null)[][]; knn: number[][]; iterative: number[][] };
  median: number[];
  mean: number[];
  clip: { lower: number[]; upper: number[] };
  boxcox: { observed: number[]; pipeline: number[] };
  yeojohnson: { centred: number };
  pipelineLogZ: number[][];
  pipelineBoxcoxMinmax: number[][];
}
const refs = JSON.parse(readFileSync(new URL('feature-refs.json', FIXTURES), 'utf8')) as Refs;
const lines = readFileSync(new URL('features.csv', FIXTURES), 'utf8').trim().split('\n');
const header = (lines[0] as string).split(',');
const cells = lines.slice(1).map((l) => l.split(','));
const numericNames = header.slice(0, 4);
const numericColumns: FeatureColumn[] = numericNames.map((name, j) => ({
  name,
  kind: 'numeric',
  values: Float64Array.from(cells, (r) => (r[j] === '' ? Number.NaN : Number(r[j]))),
}));
const cityValues = cells.map((r) => (r[4] === '' ? null : (r[4] as string)));
const city: FeatureColumn = { name: 'city', kind: 'categorical', values: cityValues };
const table = [...numericColumns, city];
const n = cells.length;

/** Column j of a row-major matrix with d columns. */
const column = (data: Float64Array, d: number, j: number): number[] => Array.from({ length: data.length / d }, (_, i) => data[i * d + j] as number);
/** Largest |a - b| over two tables of rows. */
function maxAbsDiff(data: Float64Array, d: number, cols: number[], expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, i) => cols.forEach((c, t) => (worst = Math.max(worst, Math.abs((data[i * d + c] as number) - (row[t] as number))))));
  return worst;
}
const newRowColumns = (): FeatureColumn[] =>
  numericNames.map((name, j) => ({ name, kind: 'numeric', values: Float64Array.from(refs.newRows.input, (r) => r[j] ?? Number.NaN) }));

describe('imputation against scikit-learn', () => {
  it('the fixture has gaps in every numeric column and in the city', () => {
    numericColumns.forEach((c) => expect((c.values as Float64Array).some(Number.isNaN)).toBe(true));
    expect(cityValues.includes(null)).toBe(true);
    expect(n).toBe(200);
  });

  it("'knn' equals KNNImputer(n_neighbors=5) on the training rows and on new rows (absolute 1e-9)", () => {
    const fitted = fitFeatures(numericColumns, { impute: 'knn', scale: 'none' });
    expect(fitted.names).toEqual(numericNames);
    expect(maxAbsDiff(fitted.matrix.data, 4, [0, 1, 2, 3], refs.knn)).toBeLessThan(1e-9);
    const live = applyFeatures(fitted.transform, newRowColumns());
    expect(maxAbsDiff(live.matrix.data, 4, [0, 1, 2, 3], refs.newRows.knn)).toBeLessThan(1e-9);
  });

  it("'iterative' matches IterativeImputer(Ridge(alpha=1), max_iter=10, tol=1e-3) within 1e-4 (absolute), on training and new rows", () => {
    const fitted = fitFeatures(numericColumns, { impute: 'iterative', scale: 'none' });
    expect(fitted.transform.iterative?.rounds).toBe(refs.iterative.nIter);
    expect(fitted.transform.iterative?.sequence.length).toBe(refs.iterative.nIter * 4);
    expect(maxAbsDiff(fitted.matrix.data, 4, [0, 1, 2, 3], refs.iterative.imputed)).toBeLessThan(1e-4);
    const live = applyFeatures(fitted.transform, newRowColumns());
    expect(maxAbsDiff(live.matrix.data, 4, [0, 1, 2, 3], refs.newRows.iterative)).toBeLessThan(1e-4);
  });

  it("'median' and 'mean' fill with SimpleImputer's statistics (relative 1e-12)", () => {
    for (const [impute, stats] of [['median', refs.median], ['mean', refs.mean]] as const) {
      const fitted = fitFeatures(numericColumns, { impute, scale: 'none' });
      fitted.transform.steps.forEach((s, j) => {
        expect(s.kind === 'numeric' && s.fill).toBeCloseTo(stats[j] as number, 9);
        // Every gap of the column holds the statistic.
        const col = column(fitted.matrix.data, 4, j);
        (numericColumns[j] as { values: Float64Array }).values.forEach((v, i) => {
          if (Number.isNaN(v)) expect(Math.abs((col[i] as number) / (stats[j] as number) - 1)).toBeLessThan(1e-12);
        });
      });
    }
  });

  it("'drop' leaves out exactly the rows missing that feature and reports the kept ones", () => {
    const fitted = fitFeatures(table, { numeric: { order_count: { impute: 'drop' } } });
    const expected = cells.flatMap((r, i) => (r[1] === '' ? [] : [i]));
    expect(Array.from(fitted.rows)).toEqual(expected);
    expect(fitted.matrix.n).toBe(expected.length);
    expect(expected.length).toBeLessThan(n);
  });
});

describe('clipping, power transforms and scaling against numpy / scipy / scikit-learn', () => {
  it('learns np.quantile 1 % / 99 % bounds on the median-imputed columns (relative 1e-12)', () => {
    const fitted = fitFeatures(numericColumns, { impute: 'median', clip: { lower: 0.01, upper: 0.99 }, scale: 'none' });
    fitted.transform.steps.forEach((s, j) => {
      if (s.kind !== 'numeric' || s.clip === null) throw new Error('expected a clipped numeric step');
      expect(Math.abs(s.clip.lower / (refs.clip.lower[j] as number) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(s.clip.upper / (refs.clip.upper[j] as number) - 1)).toBeLessThan(1e-12);
      const col = column(fitted.matrix.data, 4, j);
      expect(Math.min(...col)).toBeCloseTo(refs.clip.lower[j] as number, 9);
      expect(Math.max(...col)).toBeCloseTo(refs.clip.upper[j] as number, 9);
    });
  });

  it('median -> clip -> log1p -> z-score equals the numpy / StandardScaler pipeline (absolute 1e-9)', () => {
    const fitted = fitFeatures(numericColumns, { impute: 'median', clip: { lower: 0.01, upper: 0.99 }, transform: 'log', scale: 'zscore' });
    expect(maxAbsDiff(fitted.matrix.data, 4, [0, 1, 2, 3], refs.pipelineLogZ)).toBeLessThan(1e-9);
  });

  it('Box-Cox lambdas by maximum likelihood equal scipy.stats.boxcox (absolute 1e-4), and the min-max scaled result follows (1e-6)', () => {
    const fitted = fitFeatures(numericColumns, { impute: 'median', clip: { lower: 0.01, upper: 0.99 }, transform: 'boxcox', scale: 'minmax' });
    fitted.transform.steps.forEach((s, j) => {
      if (s.kind !== 'numeric' || s.transform.kind !== 'boxcox') throw new Error('expected a Box-Cox step');
      expect(Math.abs(s.transform.lambda - (refs.boxcox.pipeline[j] as number))).toBeLessThan(1e-4);
    });
    expect(maxAbsDiff(fitted.matrix.data, 4, [0, 1, 2, 3], refs.pipelineBoxcoxMinmax)).toBeLessThan(1e-6);
  });

  it('Yeo-Johnson takes negative values: lambda within 1e-4 of scipy.stats.yeojohnson on a centred column', () => {
    const clipped = fitFeatures([numericColumns[0] as FeatureColumn], { impute: 'median', clip: { lower: 0.01, upper: 0.99 }, scale: 'none' }).matrix.data;
    const sorted = Float64Array.from(clipped).sort();
    const median = ((sorted[99] as number) + (sorted[100] as number)) / 2;
    const centred: FeatureColumn = { name: 'spent_vs_median', kind: 'numeric', values: clipped.map((v) => v - median) };
    expect(centred.values.some((v) => v < 0)).toBe(true);
    const fitted = fitFeatures([centred], { transform: 'yeojohnson', scale: 'none' });
    const step = fitted.transform.steps[0];
    if (step?.kind !== 'numeric' || step.transform.kind !== 'yeojohnson') throw new Error('expected a Yeo-Johnson step');
    expect(Math.abs(step.transform.lambda - refs.yeojohnson.centred)).toBeLessThan(1e-4);
  });

  it("refuses 'log' on negative values and 'boxcox' on zero, naming the feature and the row", () => {
    const bad: FeatureColumn = { name: 'balance', kind: 'numeric', values: Float64Array.from([3, -2, 5, 1]) };
    expect(() => fitFeatures([bad], { transform: 'log' })).toThrow(RangeError);
    expect(() => fitFeatures([bad], { transform: 'log' })).toThrow(/feature 'balance'.*row 1 has -2/);
    const zero: FeatureColumn = { name: 'order_count', kind: 'numeric', values: Float64Array.from([3, 0, 5, 1]) };
    expect(() => fitFeatures([zero], { transform: 'boxcox' })).toThrow(/feature 'order_count'.*'boxcox' needs values > 0/);
    // Yeo-Johnson accepts both, and a clip can make log usable.
    expect(fitFeatures([bad], { transform: 'yeojohnson' }).matrix.n).toBe(4);
    const fitted = fitFeatures([zero], { transform: 'log' });
    expect(() => applyFeatures(fitted.transform, [{ name: 'order_count', kind: 'numeric', values: Float64Array.from([-1]) }])).toThrow(/feature 'order_count'.*row 0 has -1/);
  });
});

describe('one-hot encoding with a cap on levels', () => {
  // Brute-force counts of the city column, most frequent first, ties by name.
  const counts = new Map<string, number>();
  for (const v of cityValues) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

  it('keeps the 10 most frequent levels, sends the rest to __other__ and gaps to __missing__', () => {
    const fitted = fitFeatures([city], { maxLevels: 10 });
    const kept = ranked.slice(0, 10).map(([l]) => l);
    expect(fitted.names).toEqual([...kept.map((l) => `city=${l}`), 'city=__other__', 'city=__missing__']);
    // The fixture has a tie at the cap (Lille and Rennes, 5 rows each): the first by name is kept.
    expect(counts.get('Lille')).toBe(counts.get('Rennes'));
    expect(kept).toContain('Lille');
    expect(kept).not.toContain('Rennes');
    const d = fitted.matrix.d;
    const sums = fitted.names.map((_, j) => column(fitted.matrix.data, d, j).reduce((a, b) => a + b, 0));
    kept.forEach((l, j) => expect(sums[j]).toBe(counts.get(l)));
    expect(sums[10]).toBe(ranked.slice(10).reduce((a, [, c]) => a + c, 0));
    expect(sums[11]).toBe(cityValues.filter((v) => v === null).length);
    // Exactly one 1 per row, in the right column.
    cityValues.forEach((v, i) => {
      const row = Array.from(fitted.matrix.data.subarray(i * d, i * d + d));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      const expected = v === null ? 11 : kept.includes(v) ? kept.indexOf(v) : 10;
      expect(row[expected]).toBe(1);
    });
  });

  it('a per-feature cap overrides the global one; new rows with an unseen level go to __other__, or count as unmatched without one', () => {
    const capped = fitFeatures([city], { maxLevels: 10, categorical: { city: { maxLevels: 3 } } });
    expect(capped.names).toEqual([...ranked.slice(0, 3).map(([l]) => `city=${l}`), 'city=__other__', 'city=__missing__']);
    const live = applyFeatures(capped.transform, [{ name: 'city', kind: 'categorical', values: ['Ajaccio', null, ranked[0]?.[0] ?? ''] }]);
    expect(Array.from(live.matrix.data)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect(live.unmatched).toEqual({});
    const uncapped = fitFeatures([{ name: 'channel', kind: 'categorical', values: ['web', 'store', 'web'] }]);
    expect(uncapped.names).toEqual(['channel=web', 'channel=store']);
    const seen = applyFeatures(uncapped.transform, [{ name: 'channel', kind: 'categorical', values: ['app', null, 'store'] }]);
    expect(Array.from(seen.matrix.data)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(seen.unmatched).toEqual({ channel: 2 });
  });
});

describe('the fitted transform replays', () => {
  const spec = {
    impute: 'knn',
    numeric: { order_count: { impute: 'iterative', transform: 'log' }, avg_basket: { impute: 'drop', transform: 'boxcox', clip: { lower: 0.05, upper: 0.95 } }, days_since_last_order: { transform: 'yeojohnson' } },
    clip: { lower: 0.01, upper: 0.99 },
    scale: 'robust',
    maxLevels: 6,
  } as const;

  it('through JSON, on the same columns, gives back the fitted matrix exactly', () => {
    const fitted = fitFeatures(table, spec);
    const stored = JSON.parse(JSON.stringify(fitted.transform)) as FeatureTransform;
    const again = applyFeatures(stored, table);
    expect(again.names).toEqual(fitted.names);
    expect(Array.from(again.rows)).toEqual(Array.from(fitted.rows));
    expect(Array.from(again.matrix.data)).toEqual(Array.from(fitted.matrix.data));
    expect(fitted.names).toEqual(['total_spent', 'order_count', 'days_since_last_order', 'avg_basket', ...fitted.names.slice(4)]);
    expect(fitted.names.filter((c) => c.startsWith('city='))).toHaveLength(8);
  });

  it('uses the training parameters on new rows, not statistics of the new rows', () => {
    const fitted = fitFeatures(numericColumns, { impute: 'median', clip: { lower: 0.01, upper: 0.99 }, scale: 'none' });
    // Three new rows: a gap, a value past the upper bound, a value below the lower one. Their own median of
    // total_spent would be 5000; the training median is used, and the training bounds clip.
    const fresh: FeatureColumn[] = numericNames.map((name, j) => ({ name, kind: 'numeric', values: j === 0 ? Float64Array.from([Number.NaN, 1e6, 5000, -4]) : Float64Array.from([Number.NaN, Number.NaN, Number.NaN, Number.NaN]) }));
    const live = applyFeatures(fitted.transform, fresh);
    const first = column(live.matrix.data, 4, 0);
    expect(first[0]).toBeCloseTo(refs.median[0] as number, 9);
    expect(first[1]).toBeCloseTo(refs.clip.upper[0] as number, 9);
    expect(first[2]).toBeCloseTo(refs.clip.upper[0] as number, 9);
    expect(first[3]).toBeCloseTo(refs.clip.lower[0] as number, 9);
    for (let j = 1; j < 4; j++) column(live.matrix.data, 4, j).forEach((v) => expect(v).toBeCloseTo(refs.median[j] as number, 9));
    // One training row alone is scaled with the training scales: a z-score of one row on its own would be 0.
    const z = fitFeatures(numericColumns, { impute: 'median', transform: 'log', scale: 'zscore' });
    const one = applyFeatures(z.transform, numericNames.map((name, j) => ({ name, kind: 'numeric', values: Float64Array.of((numericColumns[j] as { values: Float64Array }).values[2] as number) })));
    expect(Array.from(one.matrix.data)).toEqual(Array.from(z.matrix.data.subarray(2 * 4, 3 * 4)));
    expect(one.matrix.data.some((v) => Math.abs(v) > 0.1)).toBe(true);
  });

  it('rejects specs and columns it cannot use, naming what is wrong', () => {
    expect(() => fitFeatures(table, { numeric: { revenue: { impute: 'mean' } } })).toThrow(/'revenue', which is not among the columns/);
    expect(() => fitFeatures(table, { numeric: { city: { impute: 'mean' } } })).toThrow(/treats feature 'city' as numeric/);
    expect(() => fitFeatures(table, { clip: { lower: 0.9, upper: 0.1 } })).toThrow(/clip quantiles/);
    expect(() => fitFeatures([{ name: 'x', kind: 'numeric', values: Float64Array.from([Number.NaN, Number.NaN]) }])).toThrow(/feature 'x': no value/);
    const fitted = fitFeatures(table);
    expect(() => applyFeatures(fitted.transform, numericColumns)).toThrow(/feature 'city' is missing/);
  });
});
