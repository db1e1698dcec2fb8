import { Rng } from '../../kernel/rng.js';
import type { Dataset } from './types.js';

/**
 * Validation plumbing shared by every model: a stratified train/test split, stratified k-fold, and a grid search
 * that only sees a scoring function (so logistic regression and the tree models use the same one). Stratified,
 * because positives are rare: a plain random split can leave a fold with a handful of them and a meaningless AUC.
 * Everything is seeded and returns sorted row indices, so a split is reproducible and subsets keep the row order.
 */

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/** Rows grouped by label value (any integer labels, not only 0/1), in the order the values first appear. */
function byClass(y: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isInteger(v)) throw new RangeError(`labels must be integers (row ${i} has ${v})`);
    let g = groups.get(v);
    if (!g) {
      g = [];
      groups.set(v, g);
    }
    g.push(i);
  }
  // Label order, not first-appearance order, so that the result does not depend on how the rows are sorted.
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/**
 * A train/test split that keeps each class's share in both parts, as scikit-learn's StratifiedShuffleSplit: the
 * test part has ceil(testShare * n) rows, shared among the classes in proportion to their sizes (largest remainders
 * get the leftover rows), each class's rows drawn at random with the seed.
 *
 * ```ts
 * const { train, test } = stratifiedSplit(data.y, 0.2, 42);
 * const model = fitLogReg(takeRows(data, train));
 * ```
 */
export function stratifiedSplit(y: ArrayLike<number>, testShare: number, seed: number): Split {
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`testShare must be in (0, 1) (got ${testShare})`);
  const n = y.length;
  const classes = byClass(y);
  const nTest = Math.ceil(testShare * n);
  if (nTest < classes.length || n - nTest < classes.length) {
    throw new RangeError(`a split of ${n} rows into ${n - nTest} train and ${nTest} test rows cannot hold each of the ${classes.length} classes`);
  }
  // Per class: floor of its exact share, then the leftover rows to the largest remainders (ties: lower label).
  const exact = classes.map((rows) => (rows.length * nTest) / n);
  const take = exact.map(Math.floor);
  let left = nTest - take.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => [e - Math.floor(e), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of order) {
    if (left === 0) break;
    take[c] = (take[c] as number) + 1;
    left--;
  }
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((rows, c) => {
    const r = [...rows];
    shuffle(r, rng);
    const t = take[c] as number;
    for (let k = 0; k < r.length; k++) (k < t ? test : train).push(r[k] as number);
  });
  return { train: Uint32Array.from(train).sort(), test: Uint32Array.from(test).sort() };
}

/**
 * k folds that keep each class's share in every fold, as scikit-learn's StratifiedKFold(shuffle=True): each class is
 * dealt across the folds so that fold sizes differ by at most one row, and which rows go where is random with the
 * seed. Fold i's test rows are its `test`; the rest are its `train`. Throws if a class has fewer than k rows (some
 * fold would miss it, and its AUC would be undefined): lower k, or gather more positives.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): Split[] {
  const n = y.length;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`k must be an integer >= 2 (got ${k})`);
  if (k > n) throw new RangeError(`cannot make ${k} folds of ${n} rows`);
  const classes = byClass(y);
  for (const rows of classes) {
    if (rows.length < k) throw new RangeError(`a class has ${rows.length} rows, fewer than the ${k} folds: lower k`);
  }
  // scikit-learn's allocation: the labels sorted, then dealt round-robin to the folds; this fixes how many rows of
  // each class each fold gets.
  const allocation = Array.from({ length: k }, () => new Array<number>(classes.length).fill(0));
  let pos = 0;
  classes.forEach((rows, c) => {
    for (let r = 0; r < rows.length; r++, pos++) (allocation[pos % k] as number[])[c] = ((allocation[pos % k] as number[])[c] as number) + 1;
  });
  const foldOf = new Int32Array(n);
  const rng = new Rng(seed);
  classes.forEach((rows, c) => {
    const folds: number[] = [];
    for (let f = 0; f < k; f++) for (let r = 0; r < ((allocation[f] as number[])[c] as number); r++) folds.push(f);
    shuffle(folds, rng);
    rows.forEach((row, r) => {
      foldOf[row] = folds[r] as number;
    });
  });
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
  });
}

/** The given rows of a row-major n x d matrix, copied into a new one in that order (no index check: callers own them). */
export function copyRows(x: Float64Array, d: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k] as number;
    out.set(x.subarray(i * d, i * d + d), k * d);
  }
  return out;
}

/** The given rows of a dataset, as a new dataset (weights included when present). */
export function takeRows(data: Dataset, rows: ArrayLike<number>): Dataset {
  const { d } = data;
  const m = rows.length;
  const x = new Float64Array(m * d);
  const y = new Uint8Array(m);
  const weights = data.weights ? new Float64Array(m) : undefined;
  for (let r = 0; r < m; r++) {
    const i = rows[r] as number;
    if (!(Number.isInteger(i) && i >= 0 && i < data.n)) throw new RangeError(`row ${i} is not in the dataset (n = ${data.n})`);
    x.set(data.x.subarray(i * d, (i + 1) * d), r * d);
    y[r] = data.y[i] as number;
    if (weights && data.weights) weights[r] = data.weights[i] as number;
  }
  return weights ? { x, n: m, d, y, features: [...data.features], weights } : { x, n: m, d, y, features: [...data.features] };
}

/** Scores a fit on each fold: `fitScore(fold, i)` trains on fold.train and returns a score on fold.test. */
export function crossValidate(folds: readonly Split[], fitScore: (fold: Split, index: number) => number): number[] {
  return folds.map((fold, i) => fitScore(fold, i));
}

export type ParamGrid = Readonly<Record<string, readonly number[] | readonly string[]>>;
/** One combination of a grid: each key takes one of its values. */
export type ParamsOf<G extends ParamGrid> = { [K in keyof G]: G[K][number] };

/**
 * Every combination of a grid, in scikit-learn's ParameterGrid order: keys sorted by name, the last key varying
 * fastest.
 */
export function parameterGrid<G extends ParamGrid>(grid: G): ParamsOf<G>[] {
  const keys = Object.keys(grid).sort();
  let combos: Record<string, number | string>[] = [{}];
  for (const key of keys) {
    const values = grid[key] as readonly (number | string)[];
    if (values.length === 0) throw new RangeError(`grid key "${key}" has no values`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos as ParamsOf<G>[];
}

export interface GridPoint<P> {
  params: P;
  /** The scores `evaluate` returned (one per fold, or a single one). */
  scores: number[];
  mean: number;
  /** Population standard deviation of the scores (numpy's default, as scikit-learn's std_test_score). */
  std: number;
}

export interface GridSearchResult<P> {
  /** Every combination, in parameterGrid order. */
  results: GridPoint<P>[];
  /** The combination with the best mean score (the first one on ties, as scikit-learn's rank). */
  best: GridPoint<P>;
}

/**
 * Tries every combination of a grid. `evaluate` returns a score, or one score per fold (see `crossValidate`);
 * combinations are compared by their mean, higher is better unless `maximize: false` (for a loss). A combination
 * whose mean is NaN (a failed fit) is reported but never chosen.
 *
 * ```ts
 * const folds = stratifiedKFold(train.y, 5, 1);
 * const search = gridSearch({ C: [0.01, 0.1, 1, 10] }, ({ C }) =>
 *   crossValidate(folds, (f) => {
 *     const model = fitLogReg(takeRows(train, f.train), { C });
 *     const test = takeRows(train, f.test);
 *     return rocAuc(test.y, model.predictProba(test.x, test.n));
 *   }),
 * );
 * search.best.params.C;
 * ```
 */
export function gridSearch<G extends ParamGrid>(
  grid: G,
  evaluate: (params: ParamsOf<G>) => number | readonly number[],
  opts: { maximize?: boolean } = {},
): GridSearchResult<ParamsOf<G>> {
  const maximize = opts.maximize ?? true;
  const results = parameterGrid(grid).map((params): GridPoint<ParamsOf<G>> => {
    const got = evaluate(params);
    const scores = typeof got === 'number' ? [got] : [...got];
    if (scores.length === 0) throw new RangeError('evaluate returned no score');
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    return { params, scores, mean, std };
  });
  let best: GridPoint<ParamsOf<G>> | undefined;
  for (const r of results) {
    if (Number.isNaN(r.mean)) continue;
    if (!best || (maximize ? r.mean > best.mean : r.mean < best.mean)) best = r;
  }
  if (!best) throw new RangeError('every combination of the grid scored NaN');
  return { results, best };
}
