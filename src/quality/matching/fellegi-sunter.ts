import { MISSING } from './comparators.js';

/**
 * The Fellegi-Sunter model (1969): for each field f and agreement level k, m[f][k] = P(level k | match) and
 * u[f][k] = P(level k | non-match). A pair's match weight is log2(prior odds) + sum over fields of
 * log2(m[f][k] / u[f][k]) for its levels; fields missing on either side add nothing. The weight is the log2 of the
 * posterior odds, so the match probability is 1 / (1 + 2^-weight).
 *
 * m, u and the prior are estimated without labels by EM on the candidate pairs (Winkler 1988, Jaro 1989): a
 * two-class latent mixture with fields independent given the class. Pairs are first reduced to their distinct
 * agreement patterns with counts, so each iteration costs the number of patterns, not of pairs.
 */

export interface FieldSpec {
  readonly name: string;
  readonly levels: readonly string[];
}

export interface FieldModel extends FieldSpec {
  readonly m: readonly number[];
  readonly u: readonly number[];
  /** log2(m / u) per level. */
  readonly weights: readonly number[];
}

export interface FsModel {
  /** P(match) among the candidate pairs. */
  readonly prior: number;
  readonly fields: readonly FieldModel[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly logLikelihood: number;
}

export interface Patterns {
  /** Distinct patterns, `fields` levels each (MISSING for a missing field). */
  readonly levels: Uint8Array;
  readonly counts: Float64Array;
  /** For each pair, the index of its pattern. */
  readonly ofPair: Int32Array;
}

export interface EmOptions {
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Starting values; by default prior 0.1, m 0.9 on the top level, u the observed level frequencies. */
  readonly initial?: { prior: number; m: number[][]; u: number[][] };
}

const FLOOR = 1e-6;

/**
 * Distinct agreement patterns of `pairs` pairs whose levels are stored row by row, one per field. A pattern is coded
 * as a mixed-radix number (at most 5^12 for 12 fields of up to 4 levels and "missing"), which keeps the lookup a
 * Map on numbers.
 */
export function collectPatterns(levels: Uint8Array, pairs: number, specs: readonly FieldSpec[]): Patterns {
  const F = specs.length;
  const radix = specs.map((s) => s.levels.length + 1);
  const index = new Map<number, number>();
  const ofPair = new Int32Array(pairs);
  const rows: number[] = [];
  const counts: number[] = [];
  for (let p = 0; p < pairs; p++) {
    let code = 0;
    const base = p * F;
    for (let f = 0; f < F; f++) {
      const l = levels[base + f]!;
      code = code * radix[f]! + (l === MISSING ? radix[f]! - 1 : l);
    }
    let i = index.get(code);
    if (i === undefined) {
      i = counts.length;
      index.set(code, i);
      counts.push(0);
      for (let f = 0; f < F; f++) rows.push(levels[base + f]!);
    }
    counts[i]!++;
    ofPair[p] = i;
  }
  return { levels: Uint8Array.from(rows), counts: Float64Array.from(counts), ofPair };
}

function defaultStart(patterns: Patterns, specs: readonly FieldSpec[]): { prior: number; m: number[][]; u: number[][] } {
  const F = specs.length;
  const m = specs.map((s) => {
    const L = s.levels.length;
    // 0.9 on exact; the rest halves at each level further from it.
    const rest = Array.from({ length: L - 1 }, (_, k) => 0.5 ** (L - 1 - k));
    const total = rest.reduce((x, y) => x + y, 0);
    return [...rest.map((r) => (0.1 * r) / total), 0.9];
  });
  const u = specs.map((s) => new Array<number>(s.levels.length).fill(0));
  for (let p = 0; p < patterns.counts.length; p++) {
    for (let f = 0; f < F; f++) {
      const l = patterns.levels[p * F + f]!;
      if (l !== MISSING) u[f]![l]! += patterns.counts[p]!;
    }
  }
  // Most candidate pairs are non-matches, so the observed frequencies are a fair start for u.
  const uNorm = u.map((row) => {
    const t = row.reduce((x, y) => x + y, 0);
    return row.map((c) => Math.max(FLOOR, t > 0 ? c / t : 1 / row.length));
  });
  return { prior: 0.1, m, u: uNorm };
}

/** m, u and the prior by EM: until no parameter moves by more than `tolerance`, or `maxIterations`. */
export function estimateEm(patterns: Patterns, specs: readonly FieldSpec[], options: EmOptions): FsModel {
  const F = specs.length;
  const P = patterns.counts.length;
  const start = options.initial ?? defaultStart(patterns, specs);
  let prior = start.prior;
  let m = start.m.map((r) => r.slice());
  let u = start.u.map((r) => r.slice());
  const g = new Float64Array(P);
  let iterations = 0;
  // No pairs, nothing to learn from: the starting values stand.
  const empty = patterns.counts.reduce((t, c) => t + c, 0) === 0;
  const maxIterations = empty ? 0 : options.maxIterations;
  let converged = empty;
  let logLikelihood = 0;
  while (iterations < maxIterations) {
    iterations++;
    // E step: posterior probability of a match for each pattern.
    logLikelihood = 0;
    for (let p = 0; p < P; p++) {
      let pm = prior;
      let pu = 1 - prior;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f]!;
        if (l === MISSING) continue;
        pm *= m[f]![l]!;
        pu *= u[f]![l]!;
      }
      g[p] = pm / (pm + pu);
      logLikelihood += patterns.counts[p]! * Math.log(pm + pu);
    }
    // M step: expected level frequencies in each class, over the pairs where the field is present.
    const mNext = specs.map((s) => new Array<number>(s.levels.length).fill(0));
    const uNext = specs.map((s) => new Array<number>(s.levels.length).fill(0));
    let matches = 0;
    let total = 0;
    for (let p = 0; p < P; p++) {
      const c = patterns.counts[p]!;
      const gm = g[p]! * c;
      const gu = c - gm;
      matches += gm;
      total += c;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f]!;
        if (l === MISSING) continue;
        mNext[f]![l]! += gm;
        uNext[f]![l]! += gu;
      }
    }
    const normalise = (rows: number[][]): number[][] =>
      rows.map((row) => {
        const t = row.reduce((x, y) => x + y, 0);
        const r = row.map((x) => Math.max(FLOOR, t > 0 ? x / t : 1 / row.length));
        const t2 = r.reduce((x, y) => x + y, 0);
        return r.map((x) => x / t2);
      });
    mNext.splice(0, F, ...normalise(mNext));
    uNext.splice(0, F, ...normalise(uNext));
    const priorNext = Math.min(1 - FLOOR, Math.max(FLOOR, matches / total));
    let delta = Math.abs(priorNext - prior);
    for (let f = 0; f < F; f++) {
      for (let k = 0; k < specs[f]!.levels.length; k++) {
        delta = Math.max(delta, Math.abs(mNext[f]![k]! - m[f]![k]!), Math.abs(uNext[f]![k]! - u[f]![k]!));
      }
    }
    m = mNext;
    u = uNext;
    prior = priorNext;
    if (delta < options.tolerance) {
      converged = true;
      break;
    }
  }
  // The two classes are exchangeable in the likelihood: the match class is the one that agrees more often.
  const agreeM = m.reduce((s, row) => s + row[row.length - 1]!, 0);
  const agreeU = u.reduce((s, row) => s + row[row.length - 1]!, 0);
  if (agreeU > agreeM) [m, u, prior] = [u, m, 1 - prior];
  return {
    prior,
    fields: specs.map((s, f) => ({
      ...s,
      m: m[f]!,
      u: u[f]!,
      weights: m[f]!.map((mk, k) => Math.log2(mk / u[f]![k]!)),
    })),
    iterations,
    converged,
    logLikelihood,
  };
}

/** The match weight (log2 posterior odds) of an agreement pattern. */
export function matchWeight(model: FsModel, pattern: ArrayLike<number>): number {
  let w = Math.log2(model.prior / (1 - model.prior));
  for (let f = 0; f < model.fields.length; f++) {
    const l = pattern[f]!;
    if (l !== MISSING) w += model.fields[f]!.weights[l]!;
  }
  return w;
}

export const probabilityOf = (weight: number): number => 1 / (1 + 2 ** -weight);

export interface FieldExplanation {
  readonly field: string;
  /** The agreement level's name, or "missing". */
  readonly level: string;
  /** log2(m/u) added to the match weight (0 when missing). */
  readonly weight: number;
}

/** Which fields agreed, at which level, and what each added to the weight. */
export function explainPattern(model: FsModel, pattern: ArrayLike<number>): FieldExplanation[] {
  return model.fields.map((f, i) => {
    const l = pattern[i]!;
    return l === MISSING ? { field: f.name, level: 'missing', weight: 0 } : { field: f.name, level: f.levels[l]!, weight: f.weights[l]! };
  });
}
