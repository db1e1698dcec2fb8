import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/rng.js';
import { classWeights } from './imbalance.js';
import { fitLogReg, logRegFromJSON, type LogisticRegressionModel } from './logreg.js';
import type { Dataset } from './types.js';

/**
 * Logistic regression against scikit-learn 1.2.1 on test/fixtures/sklearn/classification.csv (make_classification,
 * 2000 x 8, 15 % positives, seed 11), references in model-refs.json, both written by
 * test/fixtures/sklearn/make_model_refs.py (solver newton-cholesky at tol 1e-12, checked against newton-cg).
 * Tolerance on coefficients: 1e-4 relative or 1e-6 absolute, whichever is looser; probabilities 1e-6 absolute.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
interface FitRef {
  coef: number[];
  intercept: number;
  probaFirst20: number[];
  coefOriginal?: number[];
  interceptOriginal?: number;
}
const refs = JSON.parse(readFileSync(new URL('model-refs.json', FIXTURES), 'utf8')) as {
  logreg: Record<string, { standardized: FitRef; raw: FitRef }>;
  scaler: { mean: number[]; scale: number[] };
  balancedWeights: { '0': number; '1': number };
};

function readCsv(): Dataset {
  const lines = readFileSync(new URL('classification.csv', FIXTURES), 'utf8').trim().split('\n');
  const header = (lines[0] as string).split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const d = header.length - 1;
  return {
    x: Float64Array.from(rows.flatMap((r) => r.slice(0, d))),
    n: rows.length,
    d,
    y: Uint8Array.from(rows.map((r) => r[d] as number)),
    features: header.slice(0, d),
  };
}
const data = readCsv();

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const err = Math.abs(a - e);
    if (err > Math.max(abs, rel * Math.abs(e))) throw new Error(`index ${i}: ${a} vs ${e} (error ${err})`);
  }
}

describe('logistic regression against scikit-learn (coefficients 1e-4 relative or 1e-6 absolute)', () => {
  for (const C of [1, 0.01]) {
    for (const cw of ['none', 'balanced'] as const) {
      const key = `C=${C === 1 ? '1.0' : C},classWeight=${cw}`;
      const ref = refs.logreg[key];
      if (!ref) throw new Error(`missing reference ${key}`);
      const classWeight = cw === 'balanced' ? 'balanced' : null;

      it(`${key}, standardised (Pipeline(StandardScaler, LogisticRegression)), in both units`, () => {
        const m = fitLogReg(data, { C, classWeight });
        expect(m.converged).toBe(true);
        expect(m.maxGradient).toBeLessThanOrEqual(1e-6);
        expectClose(m.coefStandardized, ref.standardized.coef, 1e-4, 1e-6);
        expectClose([m.interceptStandardized], [ref.standardized.intercept], 1e-4, 1e-6);
        expectClose(m.coef, ref.standardized.coefOriginal ?? [], 1e-4, 1e-6);
        expectClose([m.intercept], [ref.standardized.interceptOriginal ?? Number.NaN], 1e-4, 1e-6);
        expectClose(m.predictProba(data.x.subarray(0, 20 * data.d), 20), ref.standardized.probaFirst20, 0, 1e-6);
        expectClose(m.mean, refs.scaler.mean, 1e-12, 1e-12);
        expectClose(m.scale, refs.scaler.scale, 1e-12, 1e-12);
      });

      it(`${key}, on the raw features (standardize: false)`, () => {
        const m = fitLogReg(data, { C, classWeight, standardize: false });
        expect(m.converged).toBe(true);
        expectClose(m.coef, ref.raw.coef, 1e-4, 1e-6);
        expectClose([m.intercept], [ref.raw.intercept], 1e-4, 1e-6);
        expectClose(m.predictProba(data.x.subarray(0, 20 * data.d), 20), ref.raw.probaFirst20, 0, 1e-6);
      });
    }
  }

  it('treats class weights as sample weights: classWeight balanced = weights n / (2 count) passed by hand', () => {
    const w = classWeights(data.y, 'balanced');
    expect(w[data.y.indexOf(0)]).toBeCloseTo(refs.balancedWeights['0'], 12);
    expect(w[data.y.indexOf(1)]).toBeCloseTo(refs.balancedWeights['1'], 12);
    const a = fitLogReg(data, { classWeight: 'balanced' });
    const b = fitLogReg({ ...data, weights: w }, {});
    expectClose(a.coef, b.coef, 1e-9, 1e-12);
    // Weights double the rows they stand for: weight 2 on every row = the data twice, i.e. C doubled.
    const twice = fitLogReg({ ...data, weights: new Float64Array(data.n).fill(2) }, { C: 0.01 });
    const c2 = fitLogReg(data, { C: 0.02 });
    expectClose(twice.coef, c2.coef, 1e-6, 1e-9);
  });
});

describe('logistic regression: convergence, explanations, storage, refusals', () => {
  it('reports no convergence when maxIter is too small, and the gradient it stopped at', () => {
    const m = fitLogReg(data, { maxIter: 1 });
    expect(m.converged).toBe(false);
    expect(m.iterations).toBe(1);
    expect(m.maxGradient).toBeGreaterThan(1e-6);
    const full = fitLogReg(data);
    expect(full.converged).toBe(true);
    // Newton converges in a handful of iterations here.
    expect(full.iterations).toBeLessThanOrEqual(10);
  });

  it('contributions: base + sum of the row = the logit, and a value is coef * (x - mean)', () => {
    const m = fitLogReg(data, { C: 0.5 });
    const n = 50;
    const x = data.x.subarray(0, n * data.d);
    const c = m.contributions(x, n);
    expect(c.scale).toBe('log-odds');
    const logit = m.decisionFunction(x, n);
    const p = m.predictProba(x, n);
    for (let i = 0; i < n; i++) {
      let s = c.base;
      for (let j = 0; j < data.d; j++) s += c.values[i * data.d + j] as number;
      expect(Math.abs(s - (logit[i] as number))).toBeLessThan(1e-12);
      expect(Math.abs(1 / (1 + Math.exp(-s)) - (p[i] as number))).toBeLessThan(1e-12);
    }
    const j = 3;
    expect(c.values[7 * data.d + j]).toBeCloseTo((m.coef[j] as number) * ((x[7 * data.d + j] as number) - (m.mean[j] as number)), 14);
  });

  it('round-trips through JSON (with an unpenalised C = Infinity) to identical predictions', () => {
    const m = fitLogReg(data, { C: Number.POSITIVE_INFINITY });
    expect(m.converged).toBe(true);
    const back = logRegFromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.C).toBe(Number.POSITIVE_INFINITY);
    expect(Array.from(back.predictProba(data.x, data.n))).toEqual(Array.from(m.predictProba(data.x, data.n)));
    expect(() => logRegFromJSON({ ...m.toJSON(), coef: [1] })).toThrow(TypeError);
    expect(() => logRegFromJSON({ algorithm: 'gbdt' })).toThrow(TypeError);
  });

  it('refuses a missing value, naming the feature and the row, in fitting and in predicting', () => {
    const x = Float64Array.from(data.x);
    x[5 * data.d + 2] = Number.NaN;
    expect(() => fitLogReg({ ...data, x })).toThrow(/feature "f3" is missing \(NaN\) in row 5/);
    const m = fitLogReg(data);
    expect(() => m.predictProba(x.subarray(0, 10 * data.d), 10)).toThrow(/"f3".*row 5/);
    expect(() => fitLogReg({ ...data, y: new Uint8Array(data.n) })).toThrow(/both classes/);
  });

  it('recovers known coefficients from simulated data (independent check, 3 standard errors)', () => {
    // 20,000 rows from logit = -1 + 2 x1 - x2 + 0 x3: unpenalised ML estimates are within a few standard errors
    // (about 0.03 here) of the truth.
    const rng = new Rng(42);
    const n = 20_000;
    const d = 3;
    const x = new Float64Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
      const z = -1 + 2 * (x[i * d] as number) - (x[i * d + 1] as number);
      y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const m: LogisticRegressionModel = fitLogReg({ x, n, d, y, features: ['a', 'b', 'c'] }, { C: Number.POSITIVE_INFINITY });
    expect(Math.abs(m.intercept + 1)).toBeLessThan(0.1);
    expect(Math.abs((m.coef[0] as number) - 2)).toBeLessThan(0.1);
    expect(Math.abs((m.coef[1] as number) + 1)).toBeLessThan(0.1);
    expect(Math.abs(m.coef[2] as number)).toBeLessThan(0.1);
  });
});

describe('logistic regression on many rows (the Hessian of a row sample steers the first iterations)', () => {
  // 30,000 rows, 7 features in mixed units (means up to 50, one rare 0/1 flag at 3 %), weights in [0.5, 2]. Below
  // 40,000 rows the solver is plain Newton; the same rows given twice (60,000 rows) take the sampled Hessian. Both
  // describe the same objective (two copies of a row = the row with twice its weight), so both must reach the same
  // optimum: checked to tol 1e-9 on the gradient, and against a brute-force gradient computed here.
  const n0 = 30_000;
  const d = 7;
  const rng = new Rng(7);
  const x0 = new Float64Array(n0 * d);
  const y0 = new Uint8Array(n0);
  const w0 = new Float64Array(n0);
  const centre = [50, -3, 0, 1000, 0.5, 0, 7];
  const spread = [10, 0.2, 1, 300, 2, 1, 1];
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < d; j++) x0[i * d + j] = (centre[j] as number) + (spread[j] as number) * rng.normal();
    x0[i * d + 5] = rng.next() < 0.03 ? 1 : 0;
    const s = (j: number): number => ((x0[i * d + j] as number) - (centre[j] as number)) / (spread[j] as number);
    const logit = -1.5 + 0.8 * s(0) - 0.5 * s(1) + 0.3 * s(3) + 1.2 * (x0[i * d + 5] as number) + 0.2 * s(6);
    y0[i] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    w0[i] = 0.5 + 1.5 * rng.next();
  }
  const features = Array.from({ length: d }, (_, j) => `f${j}`);
  const x2 = new Float64Array(2 * n0 * d);
  x2.set(x0);
  x2.set(x0, n0 * d);
  const y2 = new Uint8Array(2 * n0);
  y2.set(y0);
  y2.set(y0, n0);
  const w2 = new Float64Array(2 * n0);
  w2.set(w0);
  w2.set(w0, n0);

  /** max |gradient| of the weight-normalised objective in standardised units, by plain loops over the rows. */
  function bruteGradient(m: LogisticRegressionModel, data: Dataset, C: number, cw: Float64Array): number {
    const g = new Float64Array(d + 1);
    const beta = m.coefStandardized;
    let wSum = 0;
    for (let i = 0; i < data.n; i++) {
      let z = m.interceptStandardized;
      for (let j = 0; j < d; j++) z += (beta[j] as number) * (((data.x[i * d + j] as number) - (m.mean[j] as number)) / (m.scale[j] as number));
      const yi = data.y[i] as number;
      const wi = (data.weights?.[i] ?? 1) * (cw[yi] as number);
      const r = wi * (1 / (1 + Math.exp(-z)) - yi);
      for (let j = 0; j < d; j++) g[j] = (g[j] as number) + r * (((data.x[i * d + j] as number) - (m.mean[j] as number)) / (m.scale[j] as number));
      g[d] = (g[d] as number) + r;
      wSum += wi;
    }
    let max = 0;
    for (let j = 0; j <= d; j++) max = Math.max(max, Math.abs(((g[j] as number) + (j < d ? (beta[j] as number) / C : 0)) / wSum));
    return max;
  }

  for (const classWeight of [null, 'balanced'] as const) {
    it(`same optimum as plain Newton, classWeight ${classWeight} (coefficients 1e-6 relative or 1e-8 absolute)`, () => {
      const C = 0.5;
      const small: Dataset = { x: x0, n: n0, d, y: y0, features, weights: w0.map((v) => 2 * v) };
      const big: Dataset = { x: x2, n: 2 * n0, d, y: y2, features, weights: w2 };
      const a = fitLogReg(small, { C, classWeight, tol: 1e-9 });
      const b = fitLogReg(big, { C, classWeight, tol: 1e-9 });
      expect(a.converged).toBe(true);
      expect(b.converged).toBe(true);
      // The sampled Hessian is nearly the exact one: no more than a couple of extra iterations.
      expect(b.iterations).toBeLessThanOrEqual(a.iterations + 2);
      expectClose(b.coef, a.coef, 1e-6, 1e-8);
      expectClose([b.intercept], [a.intercept], 1e-6, 1e-8);
      expectClose(b.mean, a.mean, 1e-12, 1e-12);
      expectClose(b.scale, a.scale, 1e-12, 1e-12);
      const pos = y0.reduce((s, v) => s + v, 0);
      const cw = classWeight ? Float64Array.of(n0 / (2 * (n0 - pos)), n0 / (2 * pos)) : Float64Array.of(1, 1);
      const g = bruteGradient(b, big, C, cw);
      expect(g).toBeLessThanOrEqual(1e-9 * 1.01);
      expect(Math.abs(g - b.maxGradient)).toBeLessThan(1e-11);
    });
  }

  it('refuses an infinite value and a negative weight, naming the row', () => {
    const x = Float64Array.from(x2);
    x[45_000 * d + 6] = Number.POSITIVE_INFINITY;
    expect(() => fitLogReg({ x, n: 2 * n0, d, y: y2, features })).toThrow(/feature "f6" is Infinity in row 45000/);
    const w = Float64Array.from(w2);
    w[41_000] = -1;
    expect(() => fitLogReg({ x: x2, n: 2 * n0, d, y: y2, features, weights: w })).toThrow(/weight of row 41000/);
  });
});
