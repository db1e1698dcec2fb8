import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { MISSING } from './comparators.js';
import { collectPatterns, estimateEm, explainPattern, matchWeight, probabilityOf, type FieldSpec } from './fellegi-sunter.js';

/**
 * EM against a synthetic mixture whose m, u and prior are known: pairs drawn from the Fellegi-Sunter model itself
 * (seeded), with 5 % of values missing at random in each field. With 200,000 pairs of which 15 % match, the sampling
 * error of an m probability is at most sqrt(0.25 / 30,000) ~ 0.003 and of a u probability ~ 0.0012, so the
 * estimates must be within 0.015 of the truth (about five standard errors), the prior within 0.005.
 */

const SPECS: FieldSpec[] = [
  { name: 'given_name', levels: ['disagree', 'similar', 'close', 'exact'] },
  { name: 'date_of_birth', levels: ['disagree', 'near', 'exact'] },
  { name: 'postcode', levels: ['disagree', 'one_edit', 'exact'] },
  { name: 'state', levels: ['disagree', 'exact'] },
  { name: 'surname', levels: ['disagree', 'similar', 'close', 'exact'] },
];
const TRUE = {
  prior: 0.15,
  m: [
    [0.05, 0.05, 0.15, 0.75],
    [0.04, 0.08, 0.88],
    [0.06, 0.04, 0.9],
    [0.1, 0.9],
    [0.04, 0.06, 0.2, 0.7],
  ],
  u: [
    [0.85, 0.1, 0.03, 0.02],
    [0.97, 0.02, 0.01],
    [0.9, 0.06, 0.04],
    [0.7, 0.3],
    [0.6, 0.25, 0.1, 0.05],
  ],
};

function draw(rng: Rng, probabilities: number[]): number {
  return rng.weighted(probabilities.map((p, k) => [k, p] as const));
}

function mixture(pairs: number, seed: number): { levels: Uint8Array; matches: Uint8Array } {
  const rng = new Rng(seed);
  const F = SPECS.length;
  const levels = new Uint8Array(pairs * F);
  const matches = new Uint8Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const match = rng.chance(TRUE.prior);
    matches[p] = match ? 1 : 0;
    for (let f = 0; f < F; f++) levels[p * F + f] = rng.chance(0.05) ? MISSING : draw(rng, (match ? TRUE.m : TRUE.u)[f]!);
  }
  return { levels, matches };
}

const OPTIONS = { tolerance: 1e-7, maxIterations: 1000 };

describe('collectPatterns', () => {
  it('counts each distinct agreement pattern once and maps every pair to its pattern', () => {
    const levels = Uint8Array.from([3, 2, 2, 1, 3, 3, 2, 2, 1, 3, 0, MISSING, 0, 0, 0]);
    const p = collectPatterns(levels, 3, SPECS);
    expect(Array.from(p.counts)).toEqual([2, 1]);
    expect(Array.from(p.ofPair)).toEqual([0, 0, 1]);
    expect(Array.from(p.levels)).toEqual([3, 2, 2, 1, 3, 0, MISSING, 0, 0, 0]);
  });
});

describe('estimateEm', () => {
  const { levels } = mixture(200_000, 20_260_601);
  const patterns = collectPatterns(levels, 200_000, SPECS);
  const model = estimateEm(patterns, SPECS, OPTIONS);

  it('recovers m, u and the prior of a known mixture without labels', () => {
    expect(model.converged).toBe(true);
    expect(Math.abs(model.prior - TRUE.prior)).toBeLessThanOrEqual(0.005);
    model.fields.forEach((f, i) => {
      f.m.forEach((m, k) => expect(Math.abs(m - TRUE.m[i]![k]!), `m ${f.name} ${f.levels[k]}`).toBeLessThanOrEqual(0.015));
      f.u.forEach((u, k) => expect(Math.abs(u - TRUE.u[i]![k]!), `u ${f.name} ${f.levels[k]}`).toBeLessThanOrEqual(0.015));
    });
  });

  it('gives each level the weight log2(m/u) and a pair the prior odds plus its fields', () => {
    for (const f of model.fields) f.weights.forEach((w, k) => expect(w).toBeCloseTo(Math.log2(f.m[k]! / f.u[k]!), 12));
    const pattern = [3, MISSING, 0, 1, 2];
    const w = matchWeight(model, pattern);
    const expected =
      Math.log2(model.prior / (1 - model.prior)) +
      model.fields[0]!.weights[3]! +
      model.fields[2]!.weights[0]! +
      model.fields[3]!.weights[1]! +
      model.fields[4]!.weights[2]!;
    expect(w).toBeCloseTo(expected, 12);
    expect(probabilityOf(w)).toBeCloseTo(1 / (1 + 2 ** -expected), 12);
    expect(explainPattern(model, pattern)[1]).toEqual({ field: 'date_of_birth', level: 'missing', weight: 0 });
    expect(explainPattern(model, pattern)[0]).toMatchObject({ field: 'given_name', level: 'exact' });
  });

  it('separates the classes as well as the true model does', () => {
    // The posterior from the fitted model and from the true parameters agree on nearly every pair.
    const truth = { ...model, prior: TRUE.prior, fields: SPECS.map((s, i) => ({ ...s, m: TRUE.m[i]!, u: TRUE.u[i]!, weights: TRUE.m[i]!.map((m, k) => Math.log2(m / TRUE.u[i]![k]!)) })) };
    let disagree = 0;
    for (let p = 0; p < patterns.counts.length; p++) {
      const row = patterns.levels.subarray(p * SPECS.length, (p + 1) * SPECS.length);
      if (probabilityOf(matchWeight(model, row)) >= 0.5 !== probabilityOf(matchWeight(truth, row)) >= 0.5) disagree += patterns.counts[p]!;
    }
    expect(disagree / 200_000).toBeLessThan(0.002);
  });

  it('names the class that agrees more often the match class, whatever the starting values', () => {
    // Start from the classes swapped: EM converges to the mirror solution, which must be turned back.
    const swapped = estimateEm(patterns, SPECS, { ...OPTIONS, initial: { prior: 0.85, m: TRUE.u.map((r) => r.slice()), u: TRUE.m.map((r) => r.slice()) } });
    expect(swapped.prior).toBeCloseTo(model.prior, 3);
    swapped.fields.forEach((f, i) => expect(f.m.at(-1)!).toBeCloseTo(model.fields[i]!.m.at(-1)!, 3));
  });

  it('stops at the iteration limit and says it did not converge', () => {
    const short = estimateEm(patterns, SPECS, { tolerance: 1e-12, maxIterations: 2 });
    expect(short).toMatchObject({ iterations: 2, converged: false });
  });

  it('keeps its starting values when there is no pair to learn from', () => {
    const empty = estimateEm(collectPatterns(new Uint8Array(0), 0, SPECS), SPECS, OPTIONS);
    expect(empty).toMatchObject({ iterations: 0, converged: true, prior: 0.1 });
    for (const f of empty.fields) expect(f.m.every((x) => Number.isFinite(x))).toBe(true);
  });
});
