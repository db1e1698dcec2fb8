import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classWeights } from './imbalance.js';
import { rocAuc } from './metrics.js';
import { fitMlp, mlpFromJSON, type MlpJSON, type MlpModel, type MlpSettings } from './mlp.js';
import type { Dataset } from './types.js';

/**
 * The neural network against scikit-learn 1.2.1's MLPClassifier, references in test/fixtures/sklearn/mlp-refs.json
 * written by make_mlp_refs.py (data included):
 * - 'exact': fits from fixed initial weights without shuffling, on 157 x 5 rows with batch sizes that do not divide
 *   157. Weights, intercepts, loss curves and probabilities must agree within 1e-9 relative + 1e-12 absolute (measured:
 *   about 1e-14 relative, 2e-15 absolute: only the summation order of the matrix products differs from BLAS's).
 *   Epoch counts and the converged flag must be equal.
 * - 'quality': a nonlinear problem with random initialisation (ours from Segmentum's Rng, scikit-learn's from numpy).
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);

interface ExactCase {
  params: Pick<MlpSettings, 'hiddenLayerSizes' | 'activation' | 'alpha' | 'batchSize' | 'learningRateInit' | 'maxIter' | 'tol' | 'nIterNoChange'>;
  init: { coefs: number[][]; intercepts: number[][] };
  coefs: number[][];
  intercepts: number[][];
  lossCurve: number[];
  nIter: number;
  converged: boolean;
  proba: number[];
}
interface Refs {
  exactData: { x: number[][]; y: number[] };
  exact: Record<string, ExactCase>;
  qualityData: { x: number[][]; y: number[]; nTrain: number };
  quality: { seeds: number[]; testAuc: number[]; hiddenLayerSizes: number[] };
}
const refs = JSON.parse(readFileSync(new URL('mlp-refs.json', FIXTURES), 'utf8')) as Refs;

function dataset(rows: number[][], y: number[]): Dataset {
  const d = (rows[0] as number[]).length;
  return { x: Float64Array.from(rows.flat()), n: rows.length, d, y: Uint8Array.from(y), features: Array.from({ length: d }, (_, j) => String.fromCharCode(97 + j)) };
}
const exactData = dataset(refs.exactData.x, refs.exactData.y);
const nTrain = refs.qualityData.nTrain;
const qualityTrain = dataset(refs.qualityData.x.slice(0, nTrain), refs.qualityData.y.slice(0, nTrain));
const qualityTest = dataset(refs.qualityData.x.slice(nTrain), refs.qualityData.y.slice(nTrain));

/** Throws at the first index where |actual - expected| > rel |expected| + abs. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number, what = ''): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) throw new Error(`${what} index ${i}: ${a} vs ${e} (error ${Math.abs(a - e)})`);
  }
}

/** A model with the given weights (and otherwise `like`'s settings), through the public JSON entry point. */
function withWeights(like: MlpModel, w: { coefs: ArrayLike<number>[]; intercepts: ArrayLike<number>[] }, patch: Partial<MlpJSON> = {}): MlpModel {
  return mlpFromJSON({ ...like.toJSON(), coefs: w.coefs.map((c) => Array.from(c)), intercepts: w.intercepts.map((b) => Array.from(b)), ...patch });
}

function logitsOf(m: MlpModel, data: Dataset): Float64Array {
  return m.decisionFunction(data.x, data.n);
}

/** The largest |base + sum_j value_ij - logit_i| over the rows. */
function completenessGap(m: MlpModel, data: Dataset): number {
  const c = m.contributions(data.x, data.n);
  const z = logitsOf(m, data);
  let gap = 0;
  for (let i = 0; i < data.n; i++) {
    let s = c.base;
    for (let j = 0; j < data.d; j++) s += c.values[i * data.d + j] as number;
    gap = Math.max(gap, Math.abs(s - (z[i] as number)));
  }
  return gap;
}

describe('MLP against scikit-learn from the same initial weights (1e-9 relative + 1e-12 absolute)', () => {
  for (const [name, ref] of Object.entries(refs.exact)) {
    it(`${name}: weights, loss curve, epochs, convergence and probabilities`, () => {
      const m = fitMlp(exactData, { ...ref.params, shuffle: false, init: ref.init });
      const w = m.weights();
      w.coefs.forEach((c, l) => expectClose(c, ref.coefs[l] as number[], 1e-9, 1e-12, `coefs[${l}]`));
      w.intercepts.forEach((b, l) => expectClose(b, ref.intercepts[l] as number[], 1e-9, 1e-12, `intercepts[${l}]`));
      expectClose(m.lossCurve, ref.lossCurve, 1e-9, 1e-12, 'loss curve');
      expectClose(m.predictProba(exactData.x, exactData.n), ref.proba, 1e-9, 1e-12, 'proba');
      expect(m.iterations).toBe(ref.nIter);
      expect(m.converged).toBe(ref.converged);
    });
  }

  it('covers both ways of ending: the tol rule before maxIter (converged) and maxIter reached (not converged)', () => {
    const stop = refs.exact['relu-stop'] as ExactCase;
    expect(stop.converged).toBe(true);
    expect(stop.nIter).toBeLessThan(stop.params.maxIter);
    // scikit-learn stops once more than nIterNoChange epochs in a row failed to improve by tol: check the rule here.
    let best = Number.POSITIVE_INFINITY;
    let count = 0;
    let stopAt = -1;
    stop.lossCurve.forEach((loss, e) => {
      count = loss > best - stop.params.tol ? count + 1 : 0;
      best = Math.min(best, loss);
      if (stopAt < 0 && count > stop.params.nIterNoChange) stopAt = e + 1;
    });
    expect(stopAt).toBe(stop.nIter);
    const full = refs.exact['relu-8'] as ExactCase;
    expect([full.converged, full.nIter]).toEqual([false, full.params.maxIter]);
  });
});

describe('MLP with random initialisation', () => {
  it(`test AUC on a nonlinear problem: mean over 5 seeds within 0.01 of scikit-learn's, each seed within 0.02`, () => {
    // Tolerances: the initial weights and the shuffles come from another generator than numpy's, so single fits
    // differ; scikit-learn's own AUCs spread by about 0.002 across seeds here.
    const skMean = refs.quality.testAuc.reduce((a, b) => a + b, 0) / refs.quality.testAuc.length;
    const ours = refs.quality.seeds.map((seed) => {
      const m = fitMlp(qualityTrain, { hiddenLayerSizes: refs.quality.hiddenLayerSizes, seed });
      return rocAuc(qualityTest.y, m.predictProba(qualityTest.x, qualityTest.n));
    });
    const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
    expect(Math.abs(mean - skMean)).toBeLessThanOrEqual(0.01);
    for (const auc of ours) expect(Math.abs(auc - skMean)).toBeLessThanOrEqual(0.02);
  });

  it('draws Glorot-uniform initial weights and intercepts: uniform in +-sqrt(factor / (fan_in + fan_out)), factor 6 (2 for logistic)', () => {
    for (const activation of ['relu', 'logistic'] as const) {
      // A learning rate of ~0 and no penalty: the weights after one epoch are the initial draws.
      const m = fitMlp(qualityTrain, { activation, hiddenLayerSizes: [40, 30], maxIter: 1, learningRateInit: 1e-300, alpha: 0 });
      const sizes = [qualityTrain.d, 40, 30, 1];
      const w = m.weights();
      for (let l = 0; l < 3; l++) {
        const bound = Math.sqrt((activation === 'logistic' ? 2 : 6) / ((sizes[l] as number) + (sizes[l + 1] as number)));
        for (const values of [w.coefs[l] as Float64Array, w.intercepts[l] as Float64Array]) {
          const abs = Array.from(values, Math.abs);
          expect(Math.max(...abs)).toBeLessThanOrEqual(bound);
          // Uniform on [-bound, bound]: E|w| = bound / 2; the extremes come near the bound (loose: few draws per layer).
          if (values.length >= 30) {
            expect(Math.max(...abs)).toBeGreaterThan(0.8 * bound);
            expect(Math.abs(abs.reduce((a, b) => a + b, 0) / abs.length / bound - 0.5)).toBeLessThan(0.15);
          }
        }
      }
    }
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const a = fitMlp(exactData, { maxIter: 5, seed: 7 });
    const b = fitMlp(exactData, { maxIter: 5, seed: 7 });
    const c = fitMlp(exactData, { maxIter: 5, seed: 8 });
    expect(b.weights()).toEqual(a.weights());
    expect(c.weights()).not.toEqual(a.weights());
  });

  it('early stopping: stops on the validation accuracy and returns the best epoch\'s weights (brute-force re-evaluation)', () => {
    const snapshots: { coefs: Float64Array[]; intercepts: Float64Array[] }[] = [];
    // tol above one validation row's share (1/120): a gain of one row does not count as an improvement.
    const opts = { earlyStopping: true, seed: 3, tol: 0.01, nIterNoChange: 10 };
    const m = fitMlp(qualityTrain, {
      ...opts,
      onEpoch: (e) => snapshots.push({ coefs: e.weights.coefs.map((c) => Float64Array.from(c)), intercepts: e.weights.intercepts.map((b) => Float64Array.from(b)) }),
    });
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThan(200);
    expect(snapshots.length).toBe(m.iterations);
    // The held-out rows: ceil(10 %) of them, stratified (each class's share within one row).
    const val = m.validationRows as Uint32Array;
    expect(val.length).toBe(Math.ceil(0.1 * qualityTrain.n));
    const positives = Array.from(val).filter((i) => qualityTrain.y[i] === 1).length;
    const share = qualityTrain.y.reduce((a, b) => a + b, 0) / qualityTrain.n;
    expect(Math.abs(positives - share * val.length)).toBeLessThanOrEqual(1);
    // Each epoch's accuracy on those rows, recomputed from its weights through predictProba.
    const vx = Float64Array.from(Array.from(val).flatMap((i) => Array.from(qualityTrain.x.subarray(i * qualityTrain.d, (i + 1) * qualityTrain.d))));
    const vy = Array.from(val, (i) => qualityTrain.y[i] as number);
    const accuracies = snapshots.map((w) => {
      const p = withWeights(m, w).predictProba(vx, val.length);
      return vy.filter((y, k) => ((p[k] as number) > 0.5 ? 1 : 0) === y).length / vy.length;
    });
    expect(m.validationScores).toEqual(accuracies);
    // The rule: stop once more than nIterNoChange epochs in a row failed to beat the best score by tol.
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestEpoch = -1;
    let count = 0;
    let stopAt = -1;
    accuracies.forEach((s, e) => {
      if (stopAt >= 0) return;
      count = s < bestScore + opts.tol ? count + 1 : 0;
      if (s > bestScore) [bestScore, bestEpoch] = [s, e];
      if (count > opts.nIterNoChange) stopAt = e + 1;
    });
    expect(m.iterations).toBe(stopAt);
    // The returned weights are the best epoch's (first maximum), not the last epoch's.
    expect(bestEpoch).toBeLessThan(m.iterations - 1);
    expect(m.weights()).toEqual(snapshots[bestEpoch]);
    expect(m.weights()).not.toEqual(snapshots[m.iterations - 1]);
  });
});

describe('MLP explanations: integrated gradients on the log-odds from the training means', () => {
  const rows = dataset(refs.qualityData.x.slice(0, 60), refs.qualityData.y.slice(0, 60));

  it('completeness: base + sum of a row = its logit (ReLU/identity: exact path integral, 1e-9; tanh/logistic: 32-node Gauss-Legendre, 1e-8)', () => {
    for (const activation of ['relu', 'identity', 'tanh', 'logistic'] as const) {
      for (const hiddenLayerSizes of [[16], [8, 6]]) {
        const m = fitMlp(qualityTrain, { activation, hiddenLayerSizes, maxIter: 40, seed: 1 });
        const c = m.contributions(rows.x, rows.n);
        expect(c.scale).toBe('log-odds');
        expect(c.base).toBe(logitsOf(m, { ...rows, x: m.mean, n: 1 })[0]);
        expect(completenessGap(m, rows)).toBeLessThanOrEqual(activation === 'relu' || activation === 'identity' ? 1e-9 : 1e-8);
      }
    }
  });

  it('agrees with a brute-force path integral (4000 midpoints, finite-difference gradients) within 2e-3', () => {
    for (const activation of ['relu', 'tanh'] as const) {
      const m = fitMlp(qualityTrain, { activation, hiddenLayerSizes: [16, 8], maxIter: 40, seed: 2 });
      const d = rows.d;
      const M = 4000;
      const h = 1e-6;
      for (const i of [0, 7, 23]) {
        const x = rows.x.subarray(i * d, (i + 1) * d);
        // Points b + alpha (x - b) +- h e_j for every midpoint alpha and feature j, in one batch.
        const pts = new Float64Array(M * 2 * d * d);
        for (let s = 0; s < M; s++) {
          const alpha = (s + 0.5) / M;
          for (let j = 0; j < d; j++) {
            for (let sign = 0; sign < 2; sign++) {
              const at = ((s * d + j) * 2 + sign) * d;
              for (let k = 0; k < d; k++) pts[at + k] = (m.mean[k] as number) + alpha * ((x[k] as number) - (m.mean[k] as number));
              pts[at + j] = (pts[at + j] as number) + (sign === 0 ? h : -h);
            }
          }
        }
        const z = m.decisionFunction(pts, M * 2 * d);
        const brute = new Float64Array(d);
        for (let s = 0; s < M; s++) {
          for (let j = 0; j < d; j++) brute[j] = (brute[j] as number) + ((z[(s * d + j) * 2] as number) - (z[(s * d + j) * 2 + 1] as number)) / (2 * h) / M;
        }
        for (let j = 0; j < d; j++) brute[j] = (brute[j] as number) * ((x[j] as number) - (m.mean[j] as number));
        expectClose(m.contributions(x, 1).values, brute, 0, 2e-3, `${activation} row ${i}`);
      }
    }
  });

  it('gives exactly 0 to a feature the net does not use (zero weights out of it)', () => {
    const m = fitMlp(qualityTrain, { hiddenLayerSizes: [8, 4], maxIter: 20 });
    const w = m.weights();
    const unused = 2;
    const fanOut = (w.coefs[0] as Float64Array).length / qualityTrain.d;
    (w.coefs[0] as Float64Array).fill(0, unused * fanOut, (unused + 1) * fanOut);
    const c = withWeights(m, w).contributions(rows.x, rows.n);
    // Exactly zero (possibly -0: a zero weight times a negative gradient).
    for (let i = 0; i < rows.n; i++) expect(Math.abs(c.values[i * rows.d + unused] as number)).toBe(0);
    expect(completenessGap(withWeights(m, w), rows)).toBeLessThanOrEqual(1e-9);
  });

  it('on a net that is linear over the data, contributions are w_j (x_j - mean_j) as for logistic regression (1e-12)', () => {
    // ReLU units with large biases never switch off here, and identity units are linear: the logit is
    // c + sum_j w_j x_j with w = W0 W1, so integrated gradients must give w_j (x_j - mean_j).
    const base = fitMlp(qualityTrain, { hiddenLayerSizes: [4], maxIter: 5 });
    const w = base.weights();
    const W0 = w.coefs[0] as Float64Array;
    const W1 = w.coefs[1] as Float64Array;
    for (const [activation, bias] of [['relu', 100], ['identity', 0.3]] as const) {
      const m = withWeights(base, { coefs: w.coefs, intercepts: [new Float64Array(4).fill(bias), w.intercepts[1] as Float64Array] }, { options: { ...base.options, activation } });
      const c = m.contributions(rows.x, rows.n);
      for (let i = 0; i < rows.n; i++) {
        for (let j = 0; j < rows.d; j++) {
          let wj = 0;
          for (let u = 0; u < 4; u++) wj += (W0[j * 4 + u] as number) * (W1[u] as number);
          const expected = wj * ((rows.x[i * rows.d + j] as number) - (m.mean[j] as number));
          expect(Math.abs((c.values[i * rows.d + j] as number) - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)));
        }
      }
    }
  });
});

describe('MLP storage, refusals, sample weights', () => {
  it('JSON round trip: the same probabilities and contributions to the bit', () => {
    const m = fitMlp(qualityTrain, { hiddenLayerSizes: [8, 4], earlyStopping: true, maxIter: 30 });
    const back = mlpFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.algorithm).toBe('mlp');
    expect(back.features).toEqual(m.features);
    expect(back.options).toEqual(m.options);
    expect([back.converged, back.iterations, back.lossCurve, back.validationScores]).toEqual([m.converged, m.iterations, m.lossCurve, m.validationScores]);
    const p = m.predictProba(qualityTest.x, qualityTest.n);
    const q = back.predictProba(qualityTest.x, qualityTest.n);
    for (let i = 0; i < p.length; i++) expect(Object.is(p[i], q[i])).toBe(true);
    const few = qualityTest.x.subarray(0, 10 * qualityTest.d);
    expect(back.contributions(few, 10)).toEqual(m.contributions(few, 10));
  });

  it('refuses malformed JSON with a TypeError', () => {
    const good = fitMlp(exactData, { hiddenLayerSizes: [3], maxIter: 2 }).toJSON();
    const bad: unknown[] = [
      null,
      { ...good, algorithm: 'logreg' },
      { ...good, version: 2 },
      { ...good, coefs: [good.coefs[0]] },
      { ...good, coefs: [good.coefs[0]?.slice(1), good.coefs[1]] },
      { ...good, intercepts: [good.intercepts[0], ['x']] },
      { ...good, mean: good.mean.slice(1) },
      { ...good, options: { ...good.options, activation: 'softmax' } },
      { ...good, options: { ...good.options, hiddenLayerSizes: [4] } },
      { ...good, options: { ...good.options, alpha: -1 } },
      { ...good, converged: 'yes' },
    ];
    for (const b of bad) expect(() => mlpFromJSON(b)).toThrow(TypeError);
  });

  it('refuses NaN and infinite values, naming the feature and the row, in fit, predictProba and contributions', () => {
    const x = Float64Array.from(exactData.x);
    x[3 * exactData.d + 2] = Number.NaN;
    expect(() => fitMlp({ ...exactData, x })).toThrow(/feature "c" is missing \(NaN\) in row 3/);
    x[3 * exactData.d + 2] = Number.POSITIVE_INFINITY;
    expect(() => fitMlp({ ...exactData, x })).toThrow(/feature "c" is Infinity in row 3/);
    x[3 * exactData.d + 2] = Number.NaN;
    const m = fitMlp(exactData, { maxIter: 2 });
    expect(() => m.predictProba(x, exactData.n)).toThrow(/feature "c" is missing \(NaN\) in row 3/);
    expect(() => m.contributions(x, exactData.n)).toThrow(RangeError);
  });

  it('refuses a bad target and bad options', () => {
    expect(() => fitMlp({ ...exactData, y: new Uint8Array(exactData.n) })).toThrow(/both classes/);
    expect(() => fitMlp({ ...exactData, y: Uint8Array.from(exactData.y, (v, i) => (i === 4 ? 2 : v)) })).toThrow(/row 4/);
    expect(() => fitMlp(exactData, { hiddenLayerSizes: [] })).toThrow(/hiddenLayerSizes/);
    expect(() => fitMlp(exactData, { alpha: -1 })).toThrow(/alpha/);
    expect(() => fitMlp(exactData, { maxIter: 0 })).toThrow(/maxIter/);
    expect(() => fitMlp(exactData, { init: { coefs: [[1]], intercepts: [[1]] } })).toThrow(/init/);
  });

  it('sample weights: all ones = no weights (bits); integer weights = duplicated rows (full batch, no shuffle; 1e-9)', () => {
    const opts = { hiddenLayerSizes: [6], maxIter: 25, shuffle: false, tol: 0, batchSize: 10_000, learningRateInit: 0.01, alpha: 1e-3, seed: 5 };
    const plain = fitMlp(exactData, opts);
    const ones = fitMlp({ ...exactData, weights: new Float64Array(exactData.n).fill(1) }, opts);
    expect(ones.weights()).toEqual(plain.weights());
    expect(ones.lossCurve).toEqual(plain.lossCurve);

    // Weights 0..3; the duplicated set repeats each row that many times (so weight 0 drops it).
    const w = Float64Array.from({ length: exactData.n }, (_, i) => (i * 7) % 4);
    const rowsDup: number[][] = [];
    const yDup: number[] = [];
    for (let i = 0; i < exactData.n; i++) {
      for (let r = 0; r < (w[i] as number); r++) {
        rowsDup.push(refs.exactData.x[i] as number[]);
        yDup.push(refs.exactData.y[i] as number);
      }
    }
    const weighted = fitMlp({ ...exactData, weights: w }, opts);
    const duplicated = fitMlp(dataset(rowsDup, yDup), opts);
    const a = weighted.weights();
    const b = duplicated.weights();
    a.coefs.forEach((c, l) => expectClose(c, b.coefs[l] as Float64Array, 1e-9, 1e-12, `coefs[${l}]`));
    a.intercepts.forEach((c, l) => expectClose(c, b.intercepts[l] as Float64Array, 1e-9, 1e-12, `intercepts[${l}]`));
    expectClose(weighted.lossCurve, duplicated.lossCurve, 1e-9, 1e-12, 'loss curve');
    // And weights do change the fit.
    expect(weighted.weights()).not.toEqual(plain.weights());
  });

  it("classWeight 'balanced' = the balanced weights passed by hand", () => {
    const a = fitMlp(exactData, { classWeight: 'balanced', maxIter: 10 });
    const b = fitMlp({ ...exactData, weights: classWeights(exactData.y, 'balanced') }, { maxIter: 10 });
    expect(a.weights()).toEqual(b.weights());
  });

  it('warm start: init from a fitted model continues from its weights', () => {
    const first = fitMlp(exactData, { maxIter: 5, shuffle: false, seed: 4 });
    // Learning rate ~0 and no penalty: the weights stay where init put them.
    const still = fitMlp(exactData, { maxIter: 1, init: first.weights(), learningRateInit: 1e-300, alpha: 0 });
    expect(still.weights()).toEqual(first.weights());
    expect(fitMlp(exactData, { maxIter: 1, seed: 4 }).weights()).not.toEqual(first.weights());
  });
});
