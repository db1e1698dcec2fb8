import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/rng.js';
import { permutationImportance } from './importance.js';
import { fitLogReg } from './logreg.js';
import { rocAuc } from './metrics.js';
import type { BinaryClassifier, Contributions, Dataset } from './types.js';

/**
 * Permutation importance on simulated data where the answer is known: the target depends strongly on `decisive`,
 * weakly on `weak`, and not at all on `noise`. scikit-learn's values are random, so they are not the reference;
 * instead the noise feature must come out near 0 (within 0.01 AUC), the decisive one near its whole contribution
 * (AUC - 0.5, within 0.05, for a model that is that feature), and a feature the model ignores exactly 0.
 */

function simulate(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const d = 3;
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    const z = -1 + 3 * (x[i * d] as number) + 0.5 * (x[i * d + 2] as number);
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, n, d, y, features: ['decisive', 'noise', 'weak'] };
}

/** A "model" whose score is the first column: permuting it leaves an AUC of 0.5 on average, the others nothing. */
class FirstColumn implements BinaryClassifier {
  readonly algorithm = 'logreg' as const;
  constructor(readonly features: string[]) {}
  predictProba(x: Float64Array, n: number): Float64Array {
    const d = this.features.length;
    return Float64Array.from({ length: n }, (_, i) => 1 / (1 + Math.exp(-(x[i * d] as number))));
  }
  contributions(_x: Float64Array, n: number): Contributions {
    return { base: 0, values: new Float64Array(n * this.features.length), scale: 'log-odds' };
  }
  toJSON(): unknown {
    return {};
  }
}

describe('permutation importance', () => {
  const train = simulate(4000, 1);
  const test = simulate(3000, 2);
  const model = fitLogReg(train);

  it('ranks decisive > weak > noise, with the noise feature near zero (AUC drop within 0.01)', () => {
    const imp = permutationImportance(model, test, { repeats: 5, seed: 3, metric: 'auc' });
    expect(imp.features).toEqual(['decisive', 'noise', 'weak']);
    expect(imp.baseline).toBeCloseTo(rocAuc(test.y, model.predictProba(test.x, test.n)), 15);
    const [decisive, noise, weak] = Array.from(imp.mean);
    expect(decisive).toBeGreaterThan(0.2);
    expect(Math.abs(noise as number)).toBeLessThan(0.01);
    expect(weak).toBeGreaterThan(0.005);
    expect(weak).toBeLessThan(decisive as number);
    expect(imp.drops.length).toBe(15);
    // Mean and population std are those of the recorded drops.
    const d0 = Array.from(imp.drops.subarray(0, 5));
    const m = d0.reduce((a, b) => a + b, 0) / 5;
    expect(imp.mean[0]).toBeCloseTo(m, 14);
    expect(imp.std[0]).toBeCloseTo(Math.sqrt(d0.reduce((a, b) => a + (b - m) ** 2, 0) / 5), 14);
  });

  it('gives the whole signal of a one-feature model to that feature and exactly 0 to the ignored ones', () => {
    const stub = new FirstColumn(test.features);
    const imp = permutationImportance(stub, test, { repeats: 10, seed: 4 });
    const auc = rocAuc(test.y, stub.predictProba(test.x, test.n));
    expect(Math.abs((imp.mean[0] as number) - (auc - 0.5))).toBeLessThan(0.05);
    expect([imp.mean[1], imp.std[1], imp.mean[2], imp.std[2]]).toEqual([0, 0, 0, 0]);
  });

  it('counts a loss going up as a positive importance, is deterministic for a seed, and leaves the data as it was', () => {
    const before = Float64Array.from(test.x);
    const a = permutationImportance(model, test, { repeats: 3, seed: 8, metric: 'logloss' });
    const b = permutationImportance(model, test, { repeats: 3, seed: 8, metric: 'logloss' });
    expect(a.baseline).toBeGreaterThan(0);
    expect(a.mean[0]).toBeGreaterThan(0.2);
    expect(Array.from(a.drops)).toEqual(Array.from(b.drops));
    expect(Array.from(test.x)).toEqual(Array.from(before));
    expect(permutationImportance(model, test, { repeats: 2, seed: 1, metric: 'brier' }).mean[0]).toBeGreaterThan(0);
    expect(() => permutationImportance(model, { ...test, d: 2, x: test.x.subarray(0, test.n * 2), features: ['a', 'b'] })).toThrow(RangeError);
  });

  it('measures on a seeded sample of maxRows rows: its baseline is that sample\'s AUC, and the ranking holds', () => {
    const big = simulate(20_000, 5);
    const all = permutationImportance(model, big, { repeats: 3, seed: 6 });
    expect(all.rows).toBe(20_000);
    // maxRows at or above n changes nothing, bit for bit.
    expect(Array.from(permutationImportance(model, big, { repeats: 3, seed: 6, maxRows: 20_000 }).drops)).toEqual(Array.from(all.drops));
    const part = permutationImportance(model, big, { repeats: 3, seed: 6, maxRows: 5000 });
    expect(part.rows).toBe(5000);
    // The baseline is the AUC of 5,000 of the rows, not of all of them: near it (a 5,000-row AUC's spread is ~0.005).
    expect(part.baseline).not.toBe(all.baseline);
    expect(Math.abs(part.baseline - all.baseline)).toBeLessThan(0.02);
    // The same ranking; each feature's drop within 0.02 of the all-rows one.
    part.mean.forEach((m, j) => expect(Math.abs(m - (all.mean[j] as number))).toBeLessThan(0.02));
    expect(part.mean[0]).toBeGreaterThan(part.mean[2] as number);
    expect(part.mean[2]).toBeGreaterThan(part.mean[1] as number);
    expect(Array.from(permutationImportance(model, big, { repeats: 3, seed: 6, maxRows: 5000 }).drops)).toEqual(Array.from(part.drops));
  });
});
