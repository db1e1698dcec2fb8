import { fieldValue, isPresent, numberOf, type RuleProfile } from './profile-values.js';

/** One profile's value of a numeric field. */
export interface NumericSample {
  readonly profileId: string;
  readonly value: number;
}

/** The numeric values of a field, and the profiles where it is missing or not a number (left out of the statistics). */
export interface NumericColumn {
  readonly samples: readonly NumericSample[];
  readonly missing: readonly string[];
  readonly notNumeric: readonly string[];
}

export function numericColumn(profiles: readonly RuleProfile[], field: string): NumericColumn {
  const samples: NumericSample[] = [];
  const missing: string[] = [];
  const notNumeric: string[] = [];
  for (const profile of profiles) {
    const raw = fieldValue(profile, field);
    if (!isPresent(raw)) {
      missing.push(profile.id);
      continue;
    }
    const value = numberOf(raw);
    if (value === null) notNumeric.push(profile.id);
    else samples.push({ profileId: profile.id, value });
  }
  return { samples, missing, notNumeric };
}

/**
 * The p-quantile (0 <= p <= 1) of sorted values by linear interpolation between closest ranks: h = (n - 1) p, then
 * x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). This is numpy's default method ("linear"), R's type 7 and
 * Excel's PERCENTILE.INC. NaN for no values.
 *
 * ```ts
 * quantile([1, 2, 3, 4, 7, 10], 0.25); // 2.25, as np.percentile([[10, 7, 4], [3, 2, 1]], 25)
 * ```
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || !(p >= 0 && p <= 1)) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  if (lo + 1 >= n) return low;
  const high = sorted[lo + 1] as number;
  return low + (h - lo) * (high - low);
}

export interface OutlierFlag {
  readonly profileId: string;
  readonly value: number;
  readonly side: 'low' | 'high';
  /** The z-score (method zscore), or how many IQRs beyond the nearer quartile (method iqr; Infinity when the IQR is 0). */
  readonly score: number;
}

interface OutlierBase {
  /** How many numeric values the statistics were computed on. */
  readonly n: number;
  /** Values outside [lower, upper] are flagged; both are null when there are too few values to say. */
  readonly lower: number | null;
  readonly upper: number | null;
  /** In the order of the input. */
  readonly flagged: readonly OutlierFlag[];
}

export interface IqrOutliers extends OutlierBase {
  readonly method: 'iqr';
  readonly k: number;
  readonly q1: number | null;
  readonly q3: number | null;
  readonly iqr: number | null;
}

export interface ZScoreOutliers extends OutlierBase {
  readonly method: 'zscore';
  readonly threshold: number;
  readonly sd: 'population' | 'sample';
  readonly mean: number | null;
  /** The standard deviation used; null with fewer than 1 (population) or 2 (sample) values. */
  readonly standardDeviation: number | null;
}

/**
 * Tukey's fences: values below Q1 - k IQR or above Q3 + k IQR (k = 1.5 by default), quartiles by `quantile` (numpy's
 * linear method). A constant column has IQR 0 and flags nothing; a column where most values are equal flags every
 * other value, as the fences then close on that value.
 */
export function iqrOutliers(samples: readonly NumericSample[], options: { k?: number } = {}): IqrOutliers {
  const k = options.k ?? 1.5;
  if (samples.length === 0) return { method: 'iqr', k, n: 0, q1: null, q3: null, iqr: null, lower: null, upper: null, flagged: [] };
  const sorted = Float64Array.from(samples, (s) => s.value).sort();
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const lower = q1 - k * iqr;
  const upper = q3 + k * iqr;
  const flagged: OutlierFlag[] = [];
  for (const s of samples) {
    if (s.value < lower) flagged.push({ profileId: s.profileId, value: s.value, side: 'low', score: iqr === 0 ? Infinity : (q1 - s.value) / iqr });
    else if (s.value > upper) flagged.push({ profileId: s.profileId, value: s.value, side: 'high', score: iqr === 0 ? Infinity : (s.value - q3) / iqr });
  }
  return { method: 'iqr', k, n: samples.length, q1, q3, iqr, lower, upper, flagged };
}

/**
 * Values with |z| > threshold (3 by default), z = (x - mean) / SD. The SD is the population one (divide by n, as
 * numpy's std and scipy.stats.zscore by default) unless `sd: 'sample'` (divide by n - 1). Note that with n values no
 * |z| can exceed sqrt(n - 1) with the population SD, (n - 1) / sqrt(n) with the sample one (Shiffler 1988): with 10
 * values or fewer a threshold of 3 flags nothing. A constant column has SD 0 and flags nothing.
 */
export function zScoreOutliers(samples: readonly NumericSample[], options: { threshold?: number; sd?: 'population' | 'sample' } = {}): ZScoreOutliers {
  const threshold = options.threshold ?? 3;
  const sdKind = options.sd ?? 'population';
  const n = samples.length;
  const empty = { method: 'zscore', threshold, sd: sdKind, n, lower: null, upper: null, flagged: [] } as const;
  if (n === 0) return { ...empty, mean: null, standardDeviation: null };
  let sum = 0;
  for (const s of samples) sum += s.value;
  const mean = sum / n;
  // Two passes: the sum of squared deviations from the mean does not lose the precision that sum(x^2) - n mean^2 does.
  let squares = 0;
  for (const s of samples) squares += (s.value - mean) ** 2;
  const divisor = sdKind === 'population' ? n : n - 1;
  if (divisor === 0) return { ...empty, mean, standardDeviation: null };
  const sd = Math.sqrt(squares / divisor);
  const lower = mean - threshold * sd;
  const upper = mean + threshold * sd;
  const flagged: OutlierFlag[] = [];
  if (sd > 0) {
    for (const s of samples) {
      const z = (s.value - mean) / sd;
      if (Math.abs(z) > threshold) flagged.push({ profileId: s.profileId, value: s.value, side: z < 0 ? 'low' : 'high', score: z });
    }
  }
  return { ...empty, mean, standardDeviation: sd, lower, upper, flagged };
}
