import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { analyse, type AnalysisOptions } from './analyse.js';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive } from './bg-nbd.js';
import { gammaGammaExpectedSpend } from './gamma-gamma.js';
import { DAYS_PER_MONTH, lifetimeValue } from './lifetime-value.js';
import { summarise, type RfmSummary } from './summary.js';
import { TransactionLogBuilder } from './transactions.js';

const OPTIONS: AnalysisOptions = { lifetime: { periods: 12, periodLength: DAYS_PER_MONTH / 7, discountRate: 0.01 }, forecast: 52 };

/**
 * A small base drawn with a seeded generator, following the BG/NBD story loosely: each customer buys at a rate of
 * their own, and may drop out after each repeat purchase with a probability of their own. In days; the calibration
 * ends on day 273 (39 weeks), the holdout on day 546.
 */
function base(seed: number, customers: number, dropout: (rng: Rng) => number): RfmSummary {
  const rng = new Rng(seed);
  const log = new TransactionLogBuilder();
  for (let c = 0; c < customers; c++) {
    let day = rng.int(0, 90);
    const meanGap = rng.exponential(40) + 3;
    const p = dropout(rng);
    log.add(`c${c}`, day, 10 + rng.int(0, 50));
    for (;;) {
      day += Math.round(rng.exponential(meanGap));
      if (day > 546) break;
      log.add(`c${c}`, day, 5 + rng.int(0, 80) + (c % 3) * 10);
      if (rng.chance(p)) break;
    }
  }
  return summarise(log.build(), { calibrationEnd: 273, unit: 'week', holdoutEnd: 546 });
}

describe('analyse', () => {
  it('refuses a base without customers or without repeat purchases, with the code to show', () => {
    const log = new TransactionLogBuilder();
    log.add('a', 10, 5);
    log.add('a', 10, 5);
    log.add('b', 12, 5);
    log.add('late', 400, 5);
    const onlyFirst = summarise(log.build(), { calibrationEnd: 100, unit: 'day' });
    expect(analyse(onlyFirst, OPTIONS)).toMatchObject({ ok: false, error: { code: 'clv.no_repeat_customers', message: expect.stringContaining('none of the 2 customers') } });
    const none = summarise(log.build(), { calibrationEnd: 5, unit: 'day' });
    expect(analyse(none, OPTIONS)).toMatchObject({ ok: false, error: { code: 'clv.no_customers' } });
  });

  it('refuses when no repeat customer has a positive spend', () => {
    const log = new TransactionLogBuilder();
    log.add('a', 10, 5);
    log.add('a', 20, 0);
    log.add('b', 12, 5);
    expect(analyse(summarise(log.build(), { calibrationEnd: 100, unit: 'day' }), OPTIONS)).toMatchObject({
      ok: false,
      error: { code: 'clv.no_repeat_customers', message: expect.stringContaining('positive mean repeat spend') },
    });
  });

  it('refuses a spend model whose mean is infinite (q <= 1): mean spends with a tail as heavy as a Pareto of index 1/2', () => {
    const rng = new Rng(11);
    const n = 2000;
    const summary: RfmSummary = {
      unit: 'week',
      calibrationEnd: 273,
      ids: Array.from({ length: n }, (_, i) => `c${i}`),
      x: Float64Array.from({ length: n }, (_, i) => 1 + (i % 5)),
      tx: Float64Array.from({ length: n }, (_, i) => 10 + (i % 20)),
      T: new Float64Array(n).fill(39),
      monetary: Float64Array.from({ length: n }, () => 10 / (1e-6 + rng.next()) ** 2),
      firstDay: new Int32Array(n),
      transactions: { total: 0, calibration: 0 },
      leftOut: 0,
    };
    const r = analyse(summary, OPTIONS);
    expect(r).toMatchObject({ ok: false, error: { code: 'clv.unbounded_spend', message: expect.stringContaining('(at most 1)') } });
    expect(!r.ok && r.error.code === 'clv.unbounded_spend' && r.error.q).toBeLessThanOrEqual(1);
  });

  it('gives each customer P(alive), expected purchases and spend, CLV and a tier from the fitted models', () => {
    const s = base(7, 600, (rng) => rng.next() ** 2);
    const r = analyse(s, OPTIONS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = r.value;
    expect(a.bgNbd.converged && a.gammaGamma.converged).toBe(true);
    const c = a.perCustomer;
    for (const i of [0, 1, 2, 50, 599]) {
      const [x, tx, T, m] = [s.x[i]!, s.tx[i]!, s.T[i]!, s.monetary[i]!];
      expect(c.probabilityAlive[i]).toBe(bgNbdProbabilityAlive(a.bgNbd.params, x, tx, T));
      expect(c.forecastPurchases[i]).toBe(bgNbdConditionalExpectedPurchases(a.bgNbd.params, 52, x, tx, T));
      const spend = x > 0 ? gammaGammaExpectedSpend(a.gammaGamma.params, x, m) : a.gammaGamma.populationMeanSpend;
      expect(c.expectedSpend[i]).toBe(spend);
      expect(c.clv[i]).toBe(lifetimeValue(a.bgNbd.params, x, tx, T, spend, OPTIONS.lifetime).value);
    }
    // Tiers follow CLV: every customer of a tier is worth at least every customer of the tiers below.
    for (let k = 1; k < a.tiers.length; k++) expect(a.tiers[k - 1]!.minClv!).toBeGreaterThanOrEqual(a.tiers[k]!.maxClv!);
    expect(a.tiers.reduce((t, x) => t + x.customers, 0)).toBe(600);
    expect(a.tiers.reduce((t, x) => t + x.clvShare, 0)).toBeCloseTo(1, 12);
    expect(a.figures.totalClv).toBeCloseTo(c.clv.reduce((t, v) => t + v, 0), 8);
    expect(a.holdout).toMatchObject({ length: 39, actual: s.holdout!.purchases.reduce((t, v) => t + v, 0) });
    expect(a.holdout!.expected).toBeGreaterThan(0);
    expect(a.figures.newCustomerNoPurchase).toBeGreaterThan(0);
    expect(a.figures.newCustomerNoPurchase).toBeLessThan(1);
  });

  it('reports a BG/NBD fit that does not settle: where nobody drops out, the mean dropout a / (a + b) slides to 0', () => {
    const r = analyse(base(7, 600, () => 0), OPTIONS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { params, converged } = r.value.bgNbd;
    expect(converged).toBe(false);
    expect(params.a / (params.a + params.b)).toBeLessThan(1e-6);
  });
});
