import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/rng.js';
import { classWeights, smote } from './imbalance.js';
import type { Dataset } from './types.js';

/**
 * Class weights against scikit-learn's definition (n / (classes * count)); SMOTE by its properties, against an
 * independent brute-force neighbour search: counts as imbalanced-learn's float sampling_strategy, every synthetic row
 * on a segment from a minority row to one of its k nearest minority neighbours (to 1e-12), originals untouched and
 * first, the same rows for the same seed.
 */

function makeData(n: number, nMin: number, d: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % Math.floor(n / nMin) === 0 && i / Math.floor(n / nMin) < nMin ? 1 : 0;
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal(y[i] === 1 ? 1.5 : 0, 1);
  }
  return { x, n, d, y, features: Array.from({ length: d }, (_, j) => `f${j}`) };
}

/** The k nearest other minority rows of minority row a (by sorting all distances: independent of smote's search). */
function bruteNeighbours(data: Dataset, minority: number[], a: number, k: number): number[] {
  const { d, x } = data;
  return minority
    .filter((b) => b !== a)
    .map((b) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += ((x[a * d + j] as number) - (x[b * d + j] as number)) ** 2;
      return [s, b] as const;
    })
    .sort((p, q) => p[0] - q[0] || p[1] - q[1])
    .slice(0, k)
    .map(([, b]) => b);
}

describe('class weights', () => {
  it("'balanced' gives each class the same total weight, n / (2 count)", () => {
    const y = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
    const w = classWeights(y, 'balanced');
    expect(w[0]).toBeCloseTo(8 / 12, 15);
    expect(w[7]).toBeCloseTo(8 / 4, 15);
    expect(w.slice(0, 6).reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    expect(w.slice(6).reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    expect(Array.from(classWeights(y, { 0: 1, 1: 5 }))).toEqual([1, 1, 1, 1, 1, 1, 5, 5]);
    // One class only: scikit-learn counts the classes present, so the weights are 1.
    expect(Array.from(classWeights(Uint8Array.from([1, 1]), 'balanced'))).toEqual([1, 1]);
    expect(() => classWeights(Uint8Array.from([0, 2]), 'balanced')).toThrow(RangeError);
  });
});

describe('SMOTE', () => {
  const data = makeData(200, 30, 3, 4);
  const minority = Array.from({ length: data.n }, (_, i) => i).filter((i) => data.y[i] === 1);

  it('adds int(ratio * majority - minority) minority rows after the untouched originals', () => {
    expect(minority.length).toBe(30);
    const out = smote(data, { k: 5, ratio: 1, seed: 1 });
    expect(out.n).toBe(340);
    expect(out.x.length).toBe(340 * 3);
    expect(Array.from(out.x.subarray(0, 600))).toEqual(Array.from(data.x));
    expect(Array.from(out.y.subarray(0, 200))).toEqual(Array.from(data.y));
    expect(out.y.subarray(200).every((v) => v === 1)).toBe(true);
    expect(smote(data, { ratio: 0.5, seed: 1 }).n).toBe(200 + Math.trunc(0.5 * 170 - 30));
    expect(() => smote(data, { ratio: 0.1 })).toThrow(/only adds rows/);
  });

  it('puts every synthetic row on a segment from a minority row to one of its k nearest minority neighbours', () => {
    const k = 3;
    const out = smote(data, { k, seed: 2 });
    const { d } = data;
    const neighbours = new Map(minority.map((a) => [a, bruteNeighbours(data, minority, a, k)]));
    let usedFarNeighbour = 0;
    for (let s = data.n; s < out.n; s++) {
      let found = false;
      for (const a of minority) {
        for (const b of minority) {
          if (a === b) continue;
          // The fraction t along a -> b that best fits the point, then the distance of the point to a + t (b - a).
          let num = 0;
          let den = 0;
          for (let j = 0; j < d; j++) {
            const ab = (data.x[b * d + j] as number) - (data.x[a * d + j] as number);
            num += ((out.x[s * d + j] as number) - (data.x[a * d + j] as number)) * ab;
            den += ab * ab;
          }
          const t = num / den;
          if (t < -1e-12 || t > 1 + 1e-12) continue;
          let err = 0;
          for (let j = 0; j < d; j++) {
            const onSegment = (data.x[a * d + j] as number) + t * ((data.x[b * d + j] as number) - (data.x[a * d + j] as number));
            err = Math.max(err, Math.abs((out.x[s * d + j] as number) - onSegment));
          }
          if (err > 1e-12) continue;
          if (neighbours.get(a)?.includes(b) || neighbours.get(b)?.includes(a)) found = true;
          else usedFarNeighbour++;
        }
      }
      expect(found).toBe(true);
    }
    // Points on a segment between minority rows that are not neighbours would show the search is wrong.
    expect(usedFarNeighbour).toBe(0);
  });

  it('is deterministic for a seed; another seed gives other rows', () => {
    const a = smote(data, { seed: 9 });
    const b = smote(data, { seed: 9 });
    const c = smote(data, { seed: 10 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it('carries the weight of the row each synthetic row grew from, and refuses what it cannot do', () => {
    const weights = Float64Array.from({ length: data.n }, (_, i) => (data.y[i] === 1 ? 2 + i : 1));
    const out = smote({ ...data, weights }, { seed: 3 });
    const minorityWeights = new Set(minority.map((i) => weights[i]));
    for (let s = data.n; s < out.n; s++) expect(minorityWeights.has(out.weights?.[s])).toBe(true);
    const x = Float64Array.from(data.x);
    x[(minority[4] as number) * 3 + 1] = Number.NaN;
    expect(() => smote({ ...data, x })).toThrow(/feature "f1" is missing/);
    const few = makeData(40, 4, 2, 1);
    expect(() => smote(few, { k: 5 })).toThrow(/needs more than 5 minority rows/);
  });
});
