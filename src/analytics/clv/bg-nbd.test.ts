import { describe, expect, it } from 'vitest';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  bgNbdProbabilityOfPurchases,
  bgNbdTotalLogLikelihood,
} from './bg-nbd.js';

/**
 * BG/NBD formulas against the published values of ../shared/REFERENCE_VALUES.md, at fixed parameters (the fit on the
 * CDNOW file itself is checked in cdnow.test.ts). Tolerances are half a unit of the last digit published unless said.
 */

// Fader, Hardie & Lee (2005), Marketing Science 24(2): the published CDNOW estimates, rounded.
const PAPER = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
// The lifetimes library's fit on the same data (its documentation).
const LIFETIMES = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };

describe('BG/NBD log-likelihood', () => {
  it("stays finite and exact where the direct form overflows (Hardie's note 027)", () => {
    const p = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
    // Published to 8 decimals and to 4 decimals.
    expect(Math.abs(bgNbdLogLikelihood(p, 0, 0, 40) - -0.59947382)).toBeLessThanOrEqual(5e-9);
    expect(Math.abs(bgNbdLogLikelihood(p, 200, 38, 40) - 100.7957)).toBeLessThanOrEqual(5e-5);
    // Γ(r + x) alone overflows past x = 171; the log form does not.
    expect(Number.isFinite(bgNbdLogLikelihood(p, 5000, 39.5, 40))).toBe(true);
  });

  it('adds the customers up (the fast path agrees with the one-customer form)', () => {
    const data = { x: Float64Array.of(0, 2, 2, 7), tx: Float64Array.of(0, 30.43, 10, 35), T: Float64Array.of(38.86, 38.86, 20, 36) };
    let sum = 0;
    for (let i = 0; i < 4; i++) sum += bgNbdLogLikelihood(PAPER, data.x[i]!, data.tx[i]!, data.T[i]!);
    expect(bgNbdTotalLogLikelihood(PAPER, data)).toBeCloseTo(sum, 11);
  });
});

describe('BG/NBD expectations', () => {
  it('E[X(t)] for a customer chosen at random (lifetimes tests, from Hardie\'s spreadsheet)', () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    // The spreadsheet's unrounded parameters are not published: at lifetimes' fit the values agree within 4e-4
    // (lifetimes' own test allows 1.5e-3).
    times.forEach((t, i) => expect(Math.abs(bgNbdExpectedPurchases(LIFETIMES, t) - published[i]!), `t = ${t}`).toBeLessThanOrEqual(5e-4));
    expect(bgNbdExpectedPurchases(LIFETIMES, 0)).toBe(0);
  });

  it('E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226 (lifetimes tests)', () => {
    expect(Math.abs(bgNbdConditionalExpectedPurchases(LIFETIMES, 39, 2, 30.43, 38.86) - 1.226)).toBeLessThanOrEqual(5e-4);
  });

  it('P(X(39) = 0) = 0.5737864 for a new customer (R package BTYD)', () => {
    expect(Math.abs(bgNbdProbabilityOfPurchases(PAPER, 39, 0) - 0.5737864)).toBeLessThanOrEqual(5e-8);
  });

  it('P(X(t) = n) adds up to 1 and its mean is E[X(t)]: an independent check of the 2F1 series', () => {
    for (const t of [1, 39, 78]) {
      let total = 0;
      let mean = 0;
      for (let n = 0; n < 1500; n++) {
        const pn = bgNbdProbabilityOfPurchases(PAPER, t, n);
        total += pn;
        mean += n * pn;
      }
      expect(total).toBeCloseTo(1, 10);
      expect(mean).toBeCloseTo(bgNbdExpectedPurchases(PAPER, t), 9);
    }
  });

  it('the conditional expectation of a customer with no history (x = 0, T = 0) is the unconditional one', () => {
    for (const t of [0.5, 39, 300]) expect(bgNbdConditionalExpectedPurchases(PAPER, t, 0, 0, 0)).toBeCloseTo(bgNbdExpectedPurchases(PAPER, t), 12);
  });
});

describe('P(alive)', () => {
  it('is 1 without repeat purchases, and falls as the silence since the last purchase grows', () => {
    expect(bgNbdProbabilityAlive(PAPER, 0, 0, 38.86)).toBe(1);
    const recent = bgNbdProbabilityAlive(PAPER, 5, 38, 38.86);
    const quiet = bgNbdProbabilityAlive(PAPER, 5, 10, 38.86);
    // Even right after a purchase it stays below 1 / (1 + a / (b + x - 1)): the customer may drop out at that purchase.
    expect(recent).toBeGreaterThan(0.85);
    expect(recent).toBeLessThan(1 / (1 + PAPER.a / (PAPER.b + 4)));
    expect(quiet).toBeLessThan(0.2);
    // The closed form: 1 / (1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
    const { r, alpha, a, b } = PAPER;
    expect(quiet).toBeCloseTo(1 / (1 + (a / (b + 4)) * ((alpha + 38.86) / (alpha + 10)) ** (r + 5)), 14);
  });

  it('scales the conditional expectation: a customer certainly gone buys nothing', () => {
    const gone = bgNbdConditionalExpectedPurchases(PAPER, 39, 30, 1, 300);
    expect(bgNbdProbabilityAlive(PAPER, 30, 1, 300)).toBeLessThan(1e-30);
    expect(gone).toBeLessThan(1e-28);
  });
});
