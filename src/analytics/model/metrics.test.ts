import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/rng.js';
import {
  averagePrecision,
  brierScore,
  calibrationCurve,
  confusionAt,
  logLoss,
  prCurve,
  precisionRecallF1,
  rocAuc,
  rocCurve,
  thinCurve,
  tuneThreshold,
} from './metrics.js';

/**
 * Classification metrics against scikit-learn 1.2.1 (test/fixtures/sklearn/model-refs.json, written by
 * make_model_refs.py): on the probabilities of a logistic regression over classification.csv (2000 rows, stored in
 * the JSON to 9 decimals so both sides read the same numbers) and on a 20-row set with many tied scores.
 * The algorithms are exact, so AUC and AP agree within 1e-12; Brier and log-loss within 1e-12 relative; curve points
 * within 1e-15 (ratios of the same integers); calibration bins exactly.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
type Point = [number, number, number];
const refs = JSON.parse(readFileSync(new URL('model-refs.json', FIXTURES), 'utf8')) as {
  proba: number[];
  balancedWeights: { '0': number; '1': number };
  metrics: {
    rocAuc: number;
    averagePrecision: number;
    brier: number;
    logLoss: number;
    weighted: { rocAuc: number; averagePrecision: number; brier: number; logLoss: number };
    roc: { length: number; lengthDropIntermediate: number; points: Record<string, Point> };
    rocDropIntermediate: { points: Record<string, Point> };
    pr: { length: number; points: Record<string, Point>; last: [number, number] };
  };
  calibration: Record<'uniform' | 'quantile', { probTrue: number[]; probPred: number[] }>;
  ties: {
    y: number[];
    score: number[];
    rocAuc: number;
    averagePrecision: number;
    roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr: { precision: number[]; recall: number[]; thresholds: number[] };
    calibrationUniform5: { probTrue: number[]; probPred: number[] };
    calibrationQuantile4: { probTrue: number[]; probPred: number[] };
  };
};
const y = Uint8Array.from(
  readFileSync(new URL('classification.csv', FIXTURES), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.slice(l.lastIndexOf(',') + 1))),
);
const p = Float64Array.from(refs.proba);
const w = Float64Array.from(y, (v) => (v === 1 ? refs.balancedWeights['1'] : refs.balancedWeights['0']));

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('ranking metrics against scikit-learn', () => {
  it('ROC AUC and average precision, unweighted and weighted (1e-12)', () => {
    expect(p.length).toBe(y.length);
    expect(Math.abs(rocAuc(y, p) - refs.metrics.rocAuc)).toBeLessThan(1e-12);
    expect(Math.abs(averagePrecision(y, p) - refs.metrics.averagePrecision)).toBeLessThan(1e-12);
    expect(Math.abs(rocAuc(y, p, w) - refs.metrics.weighted.rocAuc)).toBeLessThan(1e-12);
    expect(Math.abs(averagePrecision(y, p, w) - refs.metrics.weighted.averagePrecision)).toBeLessThan(1e-12);
  });

  it('ROC curve: every distinct score is a point, or only the bends with dropIntermediate', () => {
    const full = rocCurve(y, p);
    expect(full.fpr.length).toBe(refs.metrics.roc.length);
    expect(full.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
    expect([full.fpr[0], full.tpr[0]]).toEqual([0, 0]);
    for (const [k, [fpr, tpr, thr]] of Object.entries(refs.metrics.roc.points)) {
      const i = Number(k);
      expect(Math.abs((full.fpr[i] as number) - fpr)).toBeLessThan(1e-15);
      expect(Math.abs((full.tpr[i] as number) - tpr)).toBeLessThan(1e-15);
      expect(full.thresholds[i]).toBe(thr);
    }
    const dropped = rocCurve(y, p, { dropIntermediate: true });
    expect(dropped.fpr.length).toBe(refs.metrics.roc.lengthDropIntermediate);
    for (const [k, [fpr, tpr, thr]] of Object.entries(refs.metrics.rocDropIntermediate.points)) {
      const i = Number(k);
      expect(Math.abs((dropped.fpr[i] as number) - fpr)).toBeLessThan(1e-15);
      expect(Math.abs((dropped.tpr[i] as number) - tpr)).toBeLessThan(1e-15);
      expect(dropped.thresholds[i]).toBe(thr);
    }
  });

  it('precision-recall curve points, lowest threshold first, ending at (recall 0, precision 1)', () => {
    const pr = prCurve(y, p);
    expect(pr.precision.length).toBe(refs.metrics.pr.length);
    expect(pr.thresholds.length).toBe(refs.metrics.pr.length - 1);
    for (const [k, [prec, recall, thr]] of Object.entries(refs.metrics.pr.points)) {
      const i = Number(k);
      expect(Math.abs((pr.precision[i] as number) - prec)).toBeLessThan(1e-15);
      expect(Math.abs((pr.recall[i] as number) - recall)).toBeLessThan(1e-15);
      expect(pr.thresholds[i]).toBe(thr);
    }
    expect([pr.precision[pr.precision.length - 1], pr.recall[pr.recall.length - 1]]).toEqual(refs.metrics.pr.last);
  });

  it('handles tied scores as scikit-learn: whole curves, AUC and AP on the tie set', () => {
    const t = refs.ties;
    expect(rocAuc(t.y, t.score)).toBeCloseTo(t.rocAuc, 14);
    expect(averagePrecision(t.y, t.score)).toBeCloseTo(t.averagePrecision, 14);
    const roc = rocCurve(t.y, t.score);
    expect(Array.from(roc.fpr)).toEqual(t.roc.fpr);
    expect(Array.from(roc.tpr)).toEqual(t.roc.tpr);
    expect(Array.from(roc.thresholds.subarray(1))).toEqual(t.roc.thresholds);
    const pr = prCurve(t.y, t.score);
    expect(Array.from(pr.precision)).toEqual(t.pr.precision);
    expect(Array.from(pr.recall)).toEqual(t.pr.recall);
    expect(Array.from(pr.thresholds)).toEqual(t.pr.thresholds);
    // The weighted path (an index sort) and the unweighted one (two sorts merged) agree on unit weights.
    const ones = new Float64Array(t.y.length).fill(1);
    expect(Array.from(rocCurve(t.y, t.score, { weights: ones }).tpr)).toEqual(t.roc.tpr);
    expect(Array.from(prCurve(t.y, t.score, ones).precision)).toEqual(t.pr.precision);
    expect(rocAuc(t.y, t.score, ones)).toBeCloseTo(t.rocAuc, 14);
  });

  it('AUC equals the Mann-Whitney pair count (ties half) and AP the mean precision at each positive (brute force)', () => {
    const rng = new Rng(3);
    for (const distinct of [5, 1_000_000]) {
      const n = 300;
      const yy = Uint8Array.from({ length: n }, () => (rng.chance(0.3) ? 1 : 0));
      // Few distinct values: many ties; many: almost none.
      const s = Float64Array.from(yy, (v) => Math.floor((rng.next() + 0.3 * v) * distinct) / distinct);
      let pairs = 0;
      let good = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (yy[i] !== 1 || yy[j] !== 0) continue;
          pairs++;
          good += (s[i] as number) > (s[j] as number) ? 1 : (s[i] as number) === (s[j] as number) ? 0.5 : 0;
        }
      }
      expect(Math.abs(rocAuc(yy, s) - good / pairs)).toBeLessThan(1e-12);
      // AP by its definition: over positives, the precision among rows scoring at least as high (ties included).
      let ap = 0;
      let positives = 0;
      for (let i = 0; i < n; i++) {
        if (yy[i] !== 1) continue;
        positives++;
        let flagged = 0;
        let tp = 0;
        for (let j = 0; j < n; j++) {
          if ((s[j] as number) >= (s[i] as number)) {
            flagged++;
            tp += yy[j] as number;
          }
        }
        ap += tp / flagged;
      }
      expect(Math.abs(averagePrecision(yy, s) - ap / positives)).toBeLessThan(1e-12);
    }
  });

  it('refuses a single-class target for the AUC, and NaN scores', () => {
    expect(() => rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toThrow(RangeError);
    expect(() => rocAuc([0, 1], [0.2, Number.NaN])).toThrow(/NaN/);
    expect(() => averagePrecision([0, 0], [0.2, 0.3])).toThrow(RangeError);
  });

  it('thins a curve to at most 200 points for a chart, keeping the ends and the order', () => {
    const roc = rocCurve(y, p);
    const thin = thinCurve(roc.fpr, roc.tpr, roc.thresholds, 200);
    expect(thin.x.length).toBeLessThanOrEqual(200);
    expect(thin.x.length).toBeGreaterThan(150);
    expect([thin.x[0], thin.y[0]]).toEqual([0, 0]);
    expect([thin.x[thin.x.length - 1], thin.y[thin.y.length - 1]]).toEqual([1, 1]);
    // Every point is a point of the full curve, in the same order.
    let k = 0;
    for (let i = 0; i < thin.x.length; i++) {
      while (k < roc.fpr.length && !(roc.fpr[k] === thin.x[i] && roc.tpr[k] === thin.y[i] && roc.thresholds[k] === thin.thresholds[i])) k++;
      expect(k).toBeLessThan(roc.fpr.length);
    }
    const pr = prCurve(y, p);
    const thinPr = thinCurve(pr.recall, pr.precision, pr.thresholds, 50);
    expect(thinPr.x.length).toBeLessThanOrEqual(50);
    expect(thinPr.thresholds[thinPr.thresholds.length - 1]).toBeNaN();
    expect(thinCurve([0, 1], [0, 1], [2, 1], 200).x).toEqual([0, 1]);
  });
});

describe('probability metrics against scikit-learn', () => {
  it('Brier score and log-loss, unweighted and weighted (1e-12 relative)', () => {
    expect(rel(brierScore(y, p), refs.metrics.brier)).toBeLessThan(1e-12);
    expect(rel(logLoss(y, p), refs.metrics.logLoss)).toBeLessThan(1e-12);
    expect(rel(brierScore(y, p, w), refs.metrics.weighted.brier)).toBeLessThan(1e-12);
    expect(rel(logLoss(y, p, w), refs.metrics.weighted.logLoss)).toBeLessThan(1e-12);
    // Clipping: a confident miss costs -log(eps), not Infinity.
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(Number.EPSILON), 12);
  });

  it('calibration curve, 10 uniform and 10 quantile bins: identical bins', () => {
    for (const strategy of ['uniform', 'quantile'] as const) {
      const c = calibrationCurve(y, p, 10, strategy);
      expect(Array.from(c.probTrue)).toEqual(refs.calibration[strategy].probTrue);
      const ref = refs.calibration[strategy].probPred;
      // Bin means are sums in row order on both sides; allow the last bit.
      Array.from(c.probPred).forEach((v, i) => expect(rel(v, ref[i] as number)).toBeLessThan(1e-15));
      expect(c.counts.reduce((a, b) => a + b, 0)).toBe(y.length);
    }
    // Quantile bins hold (about) the same number of rows.
    const q = calibrationCurve(y, p, 10, 'quantile');
    expect(Array.from(q.counts)).toEqual(new Array(10).fill(200));
  });

  it('calibration curve on the tie set: probabilities on bin edges go to the lower bin, as numpy searchsorted', () => {
    const t = refs.ties;
    const u = calibrationCurve(t.y, t.score, 5, 'uniform');
    expect(Array.from(u.probTrue)).toEqual(t.calibrationUniform5.probTrue);
    Array.from(u.probPred).forEach((v, i) => expect(v).toBeCloseTo(t.calibrationUniform5.probPred[i] as number, 15));
    const q = calibrationCurve(t.y, t.score, 4, 'quantile');
    expect(Array.from(q.probTrue)).toEqual(t.calibrationQuantile4.probTrue);
    Array.from(q.probPred).forEach((v, i) => expect(v).toBeCloseTo(t.calibrationQuantile4.probPred[i] as number, 15));
    expect(() => calibrationCurve([0, 1], [0.5, 1.2])).toThrow(/outside \[0, 1\]/);
  });
});

describe('thresholds', () => {
  // Hand-checked: 4 positives, 6 negatives. Rule score >= t gives (tp, fp) =
  // 0.9:(1,0) 0.8:(2,0) 0.7:(2,1) 0.6:(3,1) 0.55:(3,2) 0.5:(3,3) 0.4:(4,3) 0.3:(4,4) 0.2:(4,5) 0.1:(4,6).
  const hy = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];
  const hs = [0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0.2, 0.1];

  it('confusion matrix and precision / recall / F1 at a threshold', () => {
    const c = confusionAt(hy, hs, 0.6);
    expect(c).toEqual({ tp: 3, fp: 1, tn: 5, fn: 1 });
    const s = precisionRecallF1(c);
    expect(s.precision).toBeCloseTo(0.75, 15);
    expect(s.recall).toBeCloseTo(0.75, 15);
    expect(s.f1).toBeCloseTo(0.75, 15);
    expect(s.accuracy).toBeCloseTo(0.8, 15);
    expect(s.flaggedShare).toBeCloseTo(0.4, 15);
    expect(precisionRecallF1({ tp: 0, fp: 0, tn: 3, fn: 2 })).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(confusionAt(hy, hs, 0.6, [2, 1, 1, 1, 1, 1, 1, 1, 1, 1]).tp).toBe(4);
  });

  it('picks the best F1, the most recall at a precision, the most precision at a recall', () => {
    expect(tuneThreshold(hy, hs, { goal: 'f1' })).toMatchObject({ threshold: 0.6, f1: 0.75, confusion: { tp: 3, fp: 1, tn: 5, fn: 1 } });
    expect(tuneThreshold(hy, hs, { goal: 'precision', target: 0.8 })?.threshold).toBe(0.8);
    expect(tuneThreshold(hy, hs, { goal: 'precision', target: 0.7 })?.threshold).toBe(0.6);
    const r = tuneThreshold(hy, hs, { goal: 'recall', target: 1 });
    expect(r?.threshold).toBe(0.4);
    expect(r?.precision).toBeCloseTo(4 / 7, 15);
    expect(tuneThreshold(hy, hs, { goal: 'recall', target: 0.7 })?.threshold).toBe(0.6);
    expect(tuneThreshold([0, 1], [0.9, 0.1], { goal: 'precision', target: 0.6 })).toBeNull();
  });

  it('agrees with a scan of every threshold by confusionAt on random data', () => {
    const rng = new Rng(9);
    const yy = Array.from({ length: 200 }, () => (rng.chance(0.2) ? 1 : 0));
    const s = yy.map((v) => Math.round((rng.next() + 0.4 * v) * 50) / 50);
    let bestF1 = -1;
    let bestT = Number.NaN;
    for (const t of [...new Set(s)].sort((a, b) => b - a)) {
      const f1 = precisionRecallF1(confusionAt(yy, s, t)).f1;
      if (f1 > bestF1) {
        bestF1 = f1;
        bestT = t;
      }
    }
    const got = tuneThreshold(yy, s, { goal: 'f1' });
    expect(got?.threshold).toBe(bestT);
    expect(got?.f1).toBeCloseTo(bestF1, 14);
  });
});
