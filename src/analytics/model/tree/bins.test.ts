import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/index.js';
import { binRows, fitBins, missingFeatures, RadixSorter } from './bins.js';

/**
 * Quantile binning against scikit-learn 1.2.1's `_BinMapper` (HistGradientBoosting's), fitted by
 * test/fixtures/sklearn/make_tree_refs.py on the training rows of trees.csv with NaN in x1 and x2: the thresholds must
 * be identical (exact equality: same quantile formula), and so must the bins of the first test rows.
 */

const FIXTURES = new URL('../../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('tree-refs.json', FIXTURES), 'utf8')) as {
  bins: {
    thresholds: number[][];
    nBinsNonMissing: number[];
    binnedFirst5Test: number[][];
    fewDistinct: { values: number[]; thresholds: number[] };
    maxBins16: number[];
  };
};
const lines = readFileSync(new URL('trees.csv', FIXTURES), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const D = 10;

function matrix(part: string): { x: Float64Array; n: number } {
  const rows = lines.filter((c) => c[11] === part);
  const x = new Float64Array(rows.length * D);
  rows.forEach((c, i) => {
    for (let j = 0; j < D; j++) x[i * D + j] = Number(c[j]);
    if (c[12] === '1') x[i * D] = Number.NaN;
    if (c[13] === '1') x[i * D + 1] = Number.NaN;
  });
  return { x, n: rows.length };
}

describe('binning against scikit-learn _BinMapper', () => {
  const train = matrix('train');
  const m = fitBins(train.x, train.n, D);

  it('places the same thresholds (255 bins: quantile midpoints), to the last bit', () => {
    expect(Array.from(m.nBinsNonMissing)).toEqual(refs.bins.nBinsNonMissing);
    m.thresholds.forEach((t, f) => expect(Array.from(t)).toEqual(refs.bins.thresholds[f]));
    expect(m.missingBin).toBe(255);
  });

  it('bins test rows as scikit-learn does (NaN in bin 255)', () => {
    const test = matrix('test');
    const binned = binRows(m, test.x.subarray(0, 5 * D), 5);
    const rows = Array.from({ length: 5 }, (_, i) => Array.from(binned.subarray(i * D, i * D + D)));
    expect(rows).toEqual(refs.bins.binnedFirst5Test);
    expect(Array.from(missingFeatures(binRows(m, train.x, train.n), train.n, D, 255))).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives few distinct values one bin each (thresholds halfway), and honours a small maxBins', () => {
    const few = Float64Array.from(lines.filter((c) => c[11] === 'train'), (c) => Math.round(Number(c[2])));
    const mf = fitBins(few, few.length, 1);
    expect(Array.from(mf.thresholds[0] as Float64Array)).toEqual(refs.bins.fewDistinct.thresholds);
    expect(mf.nBinsNonMissing[0]).toBe(refs.bins.fewDistinct.values.length);
    const x1 = Float64Array.from({ length: train.n }, (_, i) => train.x[i * D] as number);
    expect(Array.from(fitBins(x1, train.n, 1, { maxBins: 16 }).thresholds[0] as Float64Array)).toEqual(refs.bins.maxBins16);
  });
});

describe('binning rules', () => {
  it('puts v in the bin counting the thresholds strictly below it (brute force), NaN in the missing bin', () => {
    const rng = new Rng(9);
    const n = 3000;
    const x = Float64Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? rng.normal() : Math.floor(rng.next() * 7)));
    const m = fitBins(x, n, 2);
    const probe: number[] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN, -1e308, 1e308];
    for (const t of m.thresholds) for (const v of t) probe.push(v, v + 1e-9, v - 1e-9);
    for (let k = 0; k < 500; k++) probe.push(rng.normal() * 3);
    const rows = Float64Array.from(probe.flatMap((v) => [v, v]));
    const binned = binRows(m, rows, probe.length);
    for (let f = 0; f < 2; f++) {
      const t = m.thresholds[f] as Float64Array;
      probe.forEach((v, i) => {
        const expected = Number.isNaN(v) ? 255 : t.filter((th) => th < v).length;
        expect(binned[i * 2 + f]).toBe(expected);
      });
    }
    // The 7 distinct values of column 1 get 7 bins, 6 thresholds halfway between them.
    expect(Array.from(m.thresholds[1] as Float64Array)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
  });

  it('above `subsample` rows places thresholds from a seeded sample: deterministic, close to the full quantiles', () => {
    const rng = new Rng(4);
    const n = 20_000;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const a = fitBins(x, n, 1, { subsample: 5000, seed: 1 });
    const b = fitBins(x, n, 1, { subsample: 5000, seed: 1 });
    const c = fitBins(x, n, 1, { subsample: 5000, seed: 2 });
    expect(Array.from(a.thresholds[0] as Float64Array)).toEqual(Array.from(b.thresholds[0] as Float64Array));
    expect(Array.from(a.thresholds[0] as Float64Array)).not.toEqual(Array.from(c.thresholds[0] as Float64Array));
    // Uniform data: the k-th of 255 quantiles is near k / 255 (a 5,000-row sample: within 0.03).
    (a.thresholds[0] as Float64Array).forEach((t, k) => expect(Math.abs(t - (k + 1) / 255)).toBeLessThan(0.03));
  });

  it('handles a column that is all NaN or constant (one bin) and refuses a bad maxBins', () => {
    const x = Float64Array.from([Number.NaN, 1, Number.NaN, 1, Number.NaN, 1]);
    const m = fitBins(x, 3, 2);
    expect(Array.from(m.nBinsNonMissing)).toEqual([1, 1]);
    expect(Array.from(binRows(m, x, 3))).toEqual([255, 0, 255, 0, 255, 0]);
    expect(() => fitBins(x, 3, 2, { maxBins: 256 })).toThrow(RangeError);
  });
});

describe('RadixSorter', () => {
  it('sorts exactly as TypedArray sort: duplicates, -0 before +0, infinities, subnormals, NaN (either sign) last', () => {
    const rng = new Rng(5);
    const n = 20_000;
    const values = new Float64Array(n);
    const specials = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE];
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      values[i] = u < 0.05 ? (specials[rng.int(0, specials.length - 1)] as number) : u < 0.3 ? rng.int(-20, 20) : rng.normal(0, 1e3);
    }
    // A NaN with its sign bit set, which a plain bit-pattern order would put first.
    new DataView(values.buffer).setUint32(8 * 7 + 4, 0xfff80000, true);
    new DataView(values.buffer).setUint32(8 * 7, 0, true);
    expect(Number.isNaN(values[7] as number)).toBe(true);
    const expected = Float64Array.from(values).sort();
    const sorter = new RadixSorter(n);
    const got = sorter.sort(Float64Array.from(values));
    for (let i = 0; i < n; i++) if (!Object.is(got[i], expected[i]) && !(Number.isNaN(got[i] as number) && Number.isNaN(expected[i] as number))) throw new Error(`index ${i}: ${got[i]} vs ${expected[i]}`);
    // The same sorter again, on a subarray at an offset, on equal values (every pass skipped), and on a short column.
    const inner = Float64Array.from(values).subarray(1000, 9000);
    expect(Array.from(sorter.sort(inner))).toEqual(Array.from(Float64Array.from(values.subarray(1000, 9000)).sort()));
    expect(Array.from(sorter.sort(new Float64Array(6000).fill(2.5)))).toEqual(Array.from(new Float64Array(6000).fill(2.5)));
    expect(Array.from(sorter.sort(Float64Array.of(3, -1, 2)))).toEqual([-1, 2, 3]);
    expect(sorter.sort(new Float64Array(5000).fill(Number.NaN)).every((v) => Number.isNaN(v))).toBe(true);
    // fitBins sorts its columns with it: a 6,000-row column with NaN gets the thresholds of the built-in sort's order.
    const col = Float64Array.from({ length: 6000 }, (_, i) => (i % 13 === 0 ? Number.NaN : rng.normal()));
    const sorted = Float64Array.from(col).sort().filter((v) => !Number.isNaN(v));
    const t = fitBins(col, 6000, 1).thresholds[0] as Float64Array;
    // The first threshold: numpy's midpoint percentile at 1/255 of the non-missing values.
    const at = (sorted.length - 1) / 255;
    const lo = Math.floor(0.5 * (Math.floor(at) + Math.ceil(at)));
    expect(t[0]).toBe((sorted[lo + 1] as number) - ((sorted[lo + 1] as number) - (sorted[lo] as number)) * 0.5);
  });
});
