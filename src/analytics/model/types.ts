/**
 * The shapes every propensity model shares: a dense row-major feature matrix with a 0/1 target, and a fitted binary
 * classifier that gives P(y = 1) per row and, where the algorithm allows it, per-row additive contributions.
 */

export interface Dataset {
  /** Row-major: row i is x[i*d .. i*d + d). NaN marks a missing value (the tree models route it; logreg refuses it). */
  x: Float64Array;
  n: number;
  d: number;
  /** 0 or 1 per row. */
  y: Uint8Array;
  features: string[];
  /** Optional weight per row (class weights are applied by multiplying into these). */
  weights?: Float64Array;
}

export type Algorithm = 'logreg' | 'forest' | 'gbdt' | 'mlp';

/** Per-row explanation: base value + sum(contributions) = the model's raw output (log-odds for logreg, gbdt and mlp, probability for forest). */
export interface Contributions {
  base: number;
  /** n x d, row-major. */
  values: Float64Array;
  /** What `base` and the sums are in. */
  scale: 'log-odds' | 'probability';
}

export interface BinaryClassifier {
  algorithm: Algorithm;
  features: string[];
  /** P(y = 1) for each of the n rows of x (row-major, d = features.length). */
  predictProba(x: Float64Array, n: number): Float64Array;
  /** Per-row contributions (linear terms for logreg, TreeSHAP for trees, integrated gradients for mlp). */
  contributions(x: Float64Array, n: number): Contributions;
  /** A JSON-safe description of the fitted model, enough to rebuild it with the algorithm's `fromJSON`. */
  toJSON(): unknown;
}
