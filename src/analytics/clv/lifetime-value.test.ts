import { describe, expect, it } from 'vitest';
import { bgNbdConditionalExpectedPurchases } from './bg-nbd.js';
import { assignTiers, DAYS_PER_MONTH, DEFAULT_TIERS, lifetimeValue, parseTiers } from './lifetime-value.js';

const PAPER = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const MONTH_IN_WEEKS = DAYS_PER_MONTH / 7;

describe('lifetimeValue', () => {
  it('matches an independent computation with scipy.special.hyp2f1 (scipy 1.17.1), 12 months at 1% a month, $35 a purchase', () => {
    // Python: sum over i = 1..12 of 35 (E[Y(iL)] - E[Y((i-1)L)]) / 1.01^i with L = 365.2425 / 12 / 7 weeks, E[Y] from
    // the BG/NBD closed form with scipy's 2F1.
    const cases: [number, number, number, number, number][] = [
      [2, 30.43, 38.86, 51.52802923097387, 1.56307339365103],
      [0, 0, 38.86, 8.322239356612812, 0.2528293087032399],
      [10, 36, 38, 275.74447859299244, 8.35352094844525],
    ];
    for (const [x, tx, T, value, purchases] of cases) {
      const v = lifetimeValue(PAPER, x, tx, T, 35, { periods: 12, periodLength: MONTH_IN_WEEKS, discountRate: 0.01 });
      expect(Math.abs(v.value / value - 1), `x = ${x}`).toBeLessThan(1e-10);
      expect(Math.abs(v.purchases / purchases - 1), `x = ${x}`).toBeLessThan(1e-10);
    }
  });

  it('without discount it is the spend times the purchases expected over the horizon', () => {
    const v = lifetimeValue(PAPER, 3, 20, 38, 40, { periods: 24, periodLength: MONTH_IN_WEEKS, discountRate: 0 });
    const purchases = bgNbdConditionalExpectedPurchases(PAPER, 24 * MONTH_IN_WEEKS, 3, 20, 38);
    expect(v.value).toBeCloseTo(40 * purchases, 10);
    expect(v.purchases).toBeCloseTo(purchases, 12);
    // Discounting lowers it, the more so at a higher rate.
    const discounted = lifetimeValue(PAPER, 3, 20, 38, 40, { periods: 24, periodLength: MONTH_IN_WEEKS, discountRate: 0.01 }).value;
    expect(discounted).toBeLessThan(v.value);
    expect(lifetimeValue(PAPER, 3, 20, 38, 40, { periods: 24, periodLength: MONTH_IN_WEEKS, discountRate: 0.05 }).value).toBeLessThan(discounted);
  });
});

describe('tiers', () => {
  it('ranks by value, ties share the higher tier, whatever the input order', () => {
    const tiers = [
      { name: 'top', share: 0.2 },
      { name: 'mid', share: 0.3 },
      { name: 'low', share: 0.5 },
    ];
    const values = Float64Array.of(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    expect(Array.from(assignTiers(values, tiers))).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(Array.from(assignTiers(values.slice().reverse(), tiers))).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 0, 0]);
    // 9 ties with 8 across the boundary: both join the higher tier.
    expect(Array.from(assignTiers(Float64Array.of(10, 8, 8, 7, 6, 5, 4, 3, 2, 1), tiers))).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
    expect(Array.from(assignTiers(new Float64Array(4).fill(3), DEFAULT_TIERS))).toEqual([0, 0, 0, 0]);
  });

  it('reads name:share lists and refuses bad ones', () => {
    expect(parseTiers('gold:0.05, silver:0.25,rest:0.7')).toEqual({
      ok: true,
      value: [
        { name: 'gold', share: 0.05 },
        { name: 'silver', share: 0.25 },
        { name: 'rest', share: 0.7 },
      ],
    });
    expect(parseTiers('gold:0.5,rest:0.6')).toEqual({ ok: false, error: 'the shares add up to 1.1, not 1' });
    expect(parseTiers('gold=0.5')).toMatchObject({ ok: false, error: expect.stringContaining('"gold=0.5" is not name:share') });
    expect(parseTiers('a:0.5,a:0.5')).toMatchObject({ ok: false, error: 'the tier a is named twice' });
    expect(parseTiers('a:0,b:1')).toMatchObject({ ok: false });
  });
});
