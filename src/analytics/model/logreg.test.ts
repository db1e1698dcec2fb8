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
