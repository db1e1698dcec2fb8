import type { Matrix } from '../cluster/kmeans.js';
import type { ScaleMethod } from '../cluster/scale.js';

/**
 * The shapes of feature preparation: the columns a caller hands in, the spec of what to do with them, and the fitted
 * transform that replays it on new rows. The transform holds plain numbers, strings and arrays only, so that it can be
 * stored as JSON and read back (the caller parses it at that edge); missing numbers inside it are `null`, since JSON
 * has no NaN.
 */

/** One feature column: numbers (NaN = missing) or category labels (null = missing). */
export type FeatureColumn =
  | { name: string; kind: 'numeric'; values: Float64Array }
  | { name: string; kind: 'categorical'; values: readonly (string | null)[] };

/**
 * How a numeric feature's missing values are filled: the training median or mean; the mean of the 5 nearest training
 * rows that have the value (scikit-learn's KNNImputer); a round-robin regression on the other numeric features
 * (scikit-learn's IterativeImputer with a ridge regression); or 'drop', which leaves the row out.
 */
export type ImputeMethod = 'median' | 'mean' | 'knn' | 'iterative' | 'drop';

/** Shape-changing transform of a numeric feature: log1p (non-negative values), Box-Cox (positive), Yeo-Johnson (any). */
export type TransformMethod = 'none' | 'log' | 'boxcox' | 'yeojohnson';

/** Winsorising bounds as quantiles of the training column, e.g. { lower: 0.01, upper: 0.99 }. */
export interface ClipQuantiles {
  lower: number;
  upper: number;
}

export interface NumericFeatureSpec {
  impute?: ImputeMethod;
  transform?: TransformMethod;
  clip?: ClipQuantiles | null;
}

export interface FeatureSpec {
  /** Defaults for every numeric feature (median, none, no clipping); `numeric` overrides them per feature. */
  impute?: ImputeMethod;
  transform?: TransformMethod;
  clip?: ClipQuantiles | null;
  numeric?: Record<string, NumericFeatureSpec>;
  /** Most frequent levels kept per categorical feature (default 10); per feature in `categorical`. */
  maxLevels?: number;
  categorical?: Record<string, { maxLevels?: number }>;
  /** Scaling of the numeric columns (default 'zscore'); one-hot columns stay 0/1 (see pipeline.ts for why). */
  scale?: ScaleMethod;
  /** Neighbours of the 'knn' imputer (default 5, as scikit-learn). */
  knnNeighbors?: number;
  /** The 'iterative' imputer: ridge penalty (default 1), rounds (default 10) and relative tolerance (default 1e-3). */
  iterative?: { alpha?: number; maxIter?: number; tol?: number };
}

/** What was learnt for one numeric feature. */
export interface NumericStep {
  kind: 'numeric';
  name: string;
  impute: ImputeMethod;
  /** The training median or mean for 'median' / 'mean'; null otherwise. */
  fill: number | null;
  /** Winsorising bounds in the feature's units (after imputation); null when not clipped. */
  clip: { lower: number; upper: number } | null;
  transform: { kind: 'none' } | { kind: 'log' } | { kind: 'boxcox'; lambda: number } | { kind: 'yeojohnson'; lambda: number };
  /** scaled = (value - shift) / scale. */
  shift: number;
  scale: number;
}

/** What was learnt for one categorical feature: its output columns are levels, then __other__, then __missing__. */
export interface CategoricalStep {
  kind: 'categorical';
  name: string;
  /** Kept levels, most frequent first (ties by name). */
  levels: string[];
  /** Whether the training rows had levels beyond the cap (an `__other__` column exists). */
  other: boolean;
  /** Whether the training rows had missing values (a `__missing__` column exists). */
  missing: boolean;
}

/** The learnt k-nearest-neighbours imputer: the training rows are its donors. */
export interface KnnState {
  neighbors: number;
  /** The numeric features, in this order, that distances are computed on. */
  features: string[];
  /** Training rows (after dropped rows are left out), row-major, null = missing. */
  donors: (number | null)[];
}

/** One regression of the round-robin imputer: feature = intercept + sum coef[j] * other feature j. */
export interface IterativeStep {
  feature: number;
  /** One coefficient per feature; the feature's own is 0. */
  coef: number[];
  intercept: number;
}

export interface IterativeState {
  features: string[];
  /** Initial fill: the training means. */
  means: number[];
  /** Regressions in the order they were fitted, every round; replayed in that order on new rows. */
  sequence: IterativeStep[];
  rounds: number;
  converged: boolean;
}

/** A fitted pipeline: JSON-safe, replayed by applyFeatures. */
export interface FeatureTransform {
  version: 1;
  /** In the order of the output columns. */
  steps: (NumericStep | CategoricalStep)[];
  names: string[];
  knn: KnnState | null;
  iterative: IterativeState | null;
}

export interface PreparedFeatures {
  matrix: Matrix;
  names: string[];
  /** Indices (into the input columns) of the rows in the matrix: rows with a missing 'drop' feature are left out. */
  rows: Int32Array;
}

export interface FittedFeatures extends PreparedFeatures {
  transform: FeatureTransform;
}

export interface AppliedFeatures extends PreparedFeatures {
  /**
   * Per categorical feature, values of the new rows that had no column of their own: a level unseen in training with
   * no __other__ column, or a missing value with no __missing__ column. Such rows get zeros in that feature's columns.
   */
  unmatched: Record<string, number>;
}
