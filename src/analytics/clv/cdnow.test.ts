import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyse } from './analyse.js';
import { bgNbdConditionalExpectedPurchases, bgNbdExpectedPurchases, bgNbdTotalLogLikelihood, fitBgNbd, type BgNbdFit } from './bg-nbd.js';
import { fitGammaGamma } from './gamma-gamma.js';
import { DAYS_PER_MONTH } from './lifetime-value.js';
import { summarise, type RfmSummary } from './summary.js';
import { parseCdnowLog, parseDay } from './transactions.js';

/**
 * The CDNOW sample (../shared/datasets/cdnow-sample.txt, read-only: 2,357 customers who first bought in Q1 1997) with
 * the 39-week calibration ending 1997-09-30, in weeks, against the published values of ../shared/REFERENCE_VALUES.md:
 * Fader, Hardie & Lee (2005), Marketing Science 24(2) for BG/NBD; Hardie's note 025 for Gamma-Gamma; the lifetimes
 * library's tests (from Hardie's spreadsheet) for the expectations.
 */

const FILE = join(fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url)), 'cdnow-sample.txt');
const noData = !existsSync(FILE);
if (noData) console.warn(`CDNOW reference tests skipped: ${FILE} is absent (the shared datasets are not checked out next to the repository)`);

const within = (actual: number, published: number, relative: number): void => {
  expect(Math.abs(actual / published - 1), `${actual} vs ${published}`).toBeLessThanOrEqual(relative);
};

describe.skipIf(noData)('CLV models on the CDNOW sample, 39-week calibration, weeks', () => {
  let summary: RfmSummary;
  let bg: BgNbdFit;
  beforeAll(() => {
    const log = parseCdnowLog(readFileSync(FILE, 'utf8'));
    if (!log.ok) throw new Error(log.error.message);
    summary = summarise(log.value, { calibrationEnd: parseDay('1997-09-30', 'auto')!, unit: 'week' });
    bg = fitBgNbd(summary);
  });

  it('summarises 2,357 customers, 946 of them with repeat purchases; customer 00004 is lifetimes\' first row', () => {
    expect(summary.ids).toHaveLength(2357);
    expect(summary.leftOut).toBe(0);
    expect(summary.x.filter((x) => x > 0)).toHaveLength(946);
    // lifetimes' CDNOW summary, first customer: frequency 2, recency 30.43, T 38.86 (weeks, two decimals).
    const i = summary.ids.indexOf('00004');
    expect([summary.x[i], summary.tx[i]!.toFixed(2), summary.T[i]!.toFixed(2)]).toEqual([2, '30.43', '38.86']);
  });

  it('fits BG/NBD within 1% of the published r 0.243, alpha 4.414, a 0.793, b 2.426, log-likelihood -9582.4 within 0.1', () => {
    expect(bg.converged).toBe(true);
    within(bg.params.r, 0.243, 0.01);
    within(bg.params.alpha, 4.414, 0.01);
    within(bg.params.a, 0.793, 0.01);
    within(bg.params.b, 2.426, 0.01);
    expect(Math.abs(bg.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.1);
    // lifetimes' fit (r 0.242593, alpha 4.413532, a 0.792886, b 2.425752) stops at a looser tolerance: within 2e-4.
    within(bg.params.r, 0.242593, 2e-4);
    within(bg.params.alpha, 4.413532, 2e-4);
    within(bg.params.a, 0.792886, 2e-4);
    within(bg.params.b, 2.425752, 2e-4);
    // A maximum: no better than the published point, and a flat gradient.
    expect(bg.logLikelihood).toBeGreaterThanOrEqual(bgNbdTotalLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, summary));
    expect(bg.gradientMax).toBeLessThan(1e-5);
  });

  it('fits Gamma-Gamma on the 946 repeat customers within 1% of p 6.25, q 3.74, gamma 15.44', () => {
    const repeat = Array.from(summary.x.keys()).filter((i) => summary.x[i]! > 0);
    const gg = fitGammaGamma(Float64Array.from(repeat, (i) => summary.x[i]!), Float64Array.from(repeat, (i) => summary.monetary[i]!));
    expect(gg.customers).toBe(946);
    expect(gg.converged).toBe(true);
    within(gg.params.p, 6.25, 0.01);
    within(gg.params.q, 3.74, 0.01);
    within(gg.params.gamma, 15.44, 0.01);
  });

  it('reproduces the expectations at the fitted parameters: E[Y(39) | 2, 30.43, 38.86] = 1.226 and the E[X(t)] list', () => {
    // Half a unit of the last digit published for the conditional expectation; 5e-4 for E[X(t)] (see bg-nbd.test.ts).
    expect(Math.abs(bgNbdConditionalExpectedPurchases(bg.params, 39, 2, 30.43, 38.86) - 1.226)).toBeLessThanOrEqual(5e-4);
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => expect(Math.abs(bgNbdExpectedPurchases(bg.params, t) - published[i]!), `t = ${t}`).toBeLessThanOrEqual(5e-4));
  });

  it('gives the same model in days: alpha seven times larger, the log-likelihood lower by (Σ x) ln 7, the same CLV', () => {
    const log = parseCdnowLog(readFileSync(FILE, 'utf8'));
    if (!log.ok) throw new Error(log.error.message);
    const days = summarise(log.value, { calibrationEnd: parseDay('1997-09-30', 'auto')!, unit: 'day' });
    const fit = fitBgNbd(days);
    within(fit.params.alpha, 7 * bg.params.alpha, 1e-5);
    for (const k of ['r', 'a', 'b'] as const) within(fit.params[k], bg.params[k], 1e-5);
    // Each repeat purchase time is a density in the time unit: x of them change by a factor 7^x.
    const repeats = summary.x.reduce((t, x) => t + x, 0);
    expect(fit.logLikelihood).toBeCloseTo(bg.logLikelihood - repeats * Math.log(7), 4);
    const options = (perUnit: number) => ({ lifetime: { periods: 12, periodLength: DAYS_PER_MONTH / perUnit, discountRate: 0.01 }, forecast: 364 / perUnit });
    const [w, d] = [analyse(summary, options(7)), analyse(days, options(1))];
    expect(w.ok && d.ok).toBe(true);
    if (!w.ok || !d.ok) return;
    within(d.value.figures.totalClv, w.value.figures.totalClv, 1e-5);
    within(d.value.figures.forecastPurchases, w.value.figures.forecastPurchases, 1e-5);
  });

  it('analyses the whole base: same fits, and the CLV tiers hold their shares of customers', () => {
    const a = analyse(summary, { lifetime: { periods: 12, periodLength: DAYS_PER_MONTH / 7, discountRate: 0.01 }, forecast: 52 });
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    within(a.value.bgNbd.params.r, bg.params.r, 1e-6);
    expect(a.value.gammaGamma).toMatchObject({ customers: 946, excluded: 0 });
    within(a.value.gammaGamma.params.p, 6.25, 0.01);
    expect(a.value.figures).toMatchObject({ customers: 2357, repeatCustomers: 946 });
    expect(a.value.tiers.map((t) => t.customers)).toEqual([236, 472, 720, 929]);
    // CLV is concentrated: the top 10% of customers hold about half of it.
    expect(a.value.tiers[0]!.clvShare).toBeGreaterThan(0.4);
  });
});
