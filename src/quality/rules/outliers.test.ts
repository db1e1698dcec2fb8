import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iqrOutliers, numericColumn, quantile, zScoreOutliers, type NumericSample } from './outliers.js';

const samples = (values: readonly number[]): NumericSample[] => values.map((value, i) => ({ profileId: `p${i}`, value }));
const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

// Tolerance: 1e-12 for exact arithmetic on small integers; 5e-4 where the reference is printed to 4 decimals.
describe('quantile (linear interpolation, numpy default)', () => {
  it('reproduces the numpy and scipy documentation examples', () => {
    // numpy.percentile docs: a = [[10, 7, 4], [3, 2, 1]]; np.percentile(a, 50) = 3.5.
    const a = sorted([10, 7, 4, 3, 2, 1]);
    expect(quantile(a, 0.5)).toBeCloseTo(3.5, 12);
    // scipy.stats.iqr docs, same array: iqr(x) = 4.0; axis=0 (columns [10, 3], [7, 2], [4, 1]) = [3.5, 2.5, 1.5];
    // axis=1 (rows) = [3.0, 1.0]. By hand: h = 5 * 0.25 = 1.25 -> 2 + 0.25 * (3 - 2) = 2.25; h = 3.75 -> 4 + 0.75 * 3 = 6.25.
    expect(quantile(a, 0.25)).toBeCloseTo(2.25, 12);
    expect(quantile(a, 0.75)).toBeCloseTo(6.25, 12);
    const iqr = (values: number[]) => quantile(sorted(values), 0.75) - quantile(sorted(values), 0.25);
    expect([iqr([10, 3]), iqr([7, 2]), iqr([4, 1])]).toEqual([3.5, 2.5, 1.5]);
    expect([iqr([10, 7, 4]), iqr([3, 2, 1])]).toEqual([3, 1]);
  });

  it('answers the ends, a single value and no value', () => {
    expect(quantile([1, 5, 9], 0)).toBe(1);
    expect(quantile([1, 5, 9], 1)).toBe(9);
    expect(quantile([4], 0.3)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([1, 2], 1.5)).toBeNaN();
  });
});

describe('iqrOutliers', () => {
  it('gives the fences and the flagged profiles', () => {
    const result = iqrOutliers(samples([10, 7, 4, 3, 2, 1, 30, -15]));
    // Sorted: -15 1 2 3 4 7 10 30; Q1 (h 1.75) = 1.75, Q3 (h 5.25) = 7.75, IQR 6, fences [-7.25, 16.75].
    expect(result).toMatchObject({ method: 'iqr', k: 1.5, n: 8, q1: 1.75, q3: 7.75, iqr: 6, lower: -7.25, upper: 16.75 });
    expect(result.flagged).toEqual([
      { profileId: 'p6', value: 30, side: 'high', score: (30 - 7.75) / 6 },
      { profileId: 'p7', value: -15, side: 'low', score: (1.75 + 15) / 6 },
    ]);
  });

  it('flags nothing in a constant column, and every other value when the quartiles meet', () => {
    expect(iqrOutliers(samples([5, 5, 5, 5])).flagged).toEqual([]);
    const mostlyFive = iqrOutliers(samples([5, 5, 5, 5, 5, 5, 5, 6]));
    expect(mostlyFive).toMatchObject({ iqr: 0, lower: 5, upper: 5 });
    expect(mostlyFive.flagged).toEqual([{ profileId: 'p7', value: 6, side: 'high', score: Infinity }]);
  });

  it('answers null bounds for no value', () => {
    expect(iqrOutliers([])).toMatchObject({ n: 0, q1: null, lower: null, upper: null, flagged: [] });
  });

  it('has fences that widen with k, so that a larger k flags a subset (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        (values, a, b) => {
          const [k1, k2] = a <= b ? [a, b] : [b, a];
          const narrow = iqrOutliers(samples(values), { k: k1 });
          const wide = iqrOutliers(samples(values), { k: k2 });
          const narrowIds = new Set(narrow.flagged.map((f) => f.profileId));
          return (
            (wide.lower ?? 0) <= (narrow.lower ?? 0) &&
            (wide.upper ?? 0) >= (narrow.upper ?? 0) &&
            wide.flagged.every((f) => narrowIds.has(f.profileId)) &&
            (narrow.q1 ?? 0) <= (narrow.q3 ?? 0)
          );
        },
      ),
    );
  });
});

describe('zScoreOutliers', () => {
  it('reproduces the scipy.stats.zscore documentation example (population SD, ddof 0)', () => {
    const a = [0.7972, 0.0767, 0.4383, 0.7866, 0.8091, 0.1954, 0.6307, 0.6599, 0.1065, 0.0508];
    const expected = [1.1273, -1.247, -0.0552, 1.0923, 1.1664, -0.8559, 0.5786, 0.6748, -1.1488, -1.3324];
    const result = zScoreOutliers(samples(a), { threshold: 1.2 });
    // Flagged at |z| > 1.2: the two values whose documented z is below -1.2.
    expect(result.flagged.map((f) => f.profileId)).toEqual(['p1', 'p9']);
    for (const f of result.flagged) expect(Math.abs(f.score - (expected[Number(f.profileId.slice(1))] ?? 0))).toBeLessThan(5e-4);
    const { mean, standardDeviation } = result;
    for (const [i, x] of a.entries()) expect(Math.abs((x - (mean ?? 0)) / (standardDeviation ?? 1) - (expected[i] ?? 0))).toBeLessThan(5e-4);
  });

  it('uses the sample SD on request', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population SD 2 (the textbook example), sample SD sqrt(32 / 7).
    expect(zScoreOutliers(samples([2, 4, 4, 4, 5, 5, 7, 9])).standardDeviation).toBeCloseTo(2, 12);
    expect(zScoreOutliers(samples([2, 4, 4, 4, 5, 5, 7, 9]), { sd: 'sample' }).standardDeviation).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('flags a far value among enough others, and nothing in a constant column', () => {
    const result = zScoreOutliers(samples([...Array.from({ length: 20 }, (_, i) => 50 + (i % 5)), 400]));
    expect(result.flagged.map((f) => [f.profileId, f.side])).toEqual([['p20', 'high']]);
    expect(zScoreOutliers(samples([3, 3, 3])).flagged).toEqual([]);
    expect(zScoreOutliers(samples([3, 3, 3])).standardDeviation).toBe(0);
  });

  it('cannot flag at |z| > 3 with ten values or fewer (population SD), as max |z| = sqrt(n - 1)', () => {
    expect(zScoreOutliers(samples([1, 1, 1, 1, 1, 1, 1, 1, 1, 1000])).flagged).toEqual([]);
    expect(zScoreOutliers(samples([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1000])).flagged).toHaveLength(1);
  });

  it('answers null with too few values', () => {
    expect(zScoreOutliers([])).toMatchObject({ n: 0, mean: null, standardDeviation: null, flagged: [] });
    expect(zScoreOutliers(samples([7]), { sd: 'sample' })).toMatchObject({ n: 1, mean: 7, standardDeviation: null, lower: null });
  });
});

describe('numericColumn', () => {
  it('keeps numbers and decimal text, and lists missing and non-numeric values apart', () => {
    const column = numericColumn(
      [
        { id: 'a', values: { basket: 12.5 } },
        { id: 'b', values: { basket: ' 40 ' } },
        { id: 'c', values: { basket: '' } },
        { id: 'd', values: {} },
        { id: 'e', values: { basket: '12,50 €' } },
        { id: 'f', values: { basket: Number.NaN } },
      ],
      'basket',
    );
    expect(column).toEqual({
      samples: [
        { profileId: 'a', value: 12.5 },
        { profileId: 'b', value: 40 },
      ],
      missing: ['c', 'd'],
      notNumeric: ['e', 'f'],
    });
  });
});
