import { scaleColumns, type ScaleMethod } from '../cluster/scale.js';
import { fitIterative, imputeIterative } from './impute-iterative.js';
import { fitKnn, imputeKnn } from './impute-knn.js';
import { fitOneHot, oneHotIndex, oneHotNames } from './one-hot.js';
import { boxcox, boxcoxLambda, yeojohnson, yeojohnsonLambda } from './power.js';
import type {
  AppliedFeatures,
  ClipQuantiles,
  FeatureColumn,
  FeatureSpec,
  FeatureTransform,
  FittedFeatures,
  ImputeMethod,
  NumericStep,
  TransformMethod,
} from './types.js';

/**
 * The feature-matrix pipeline: from the columns a marketer picked to the numeric matrix a model needs, fitted once on
 * the training rows and replayed on new ones with the same learnt numbers.
 *
 * Numeric features go through, in this order:
 * 1. impute: quantiles, lambdas and scales need complete columns, and a regression or a neighbour search fills a gap
 *    best in the units the data was recorded in;
 * 2. clip (winsorise at training quantiles): after imputation so that the bounds are those of the column the later
 *    steps see, and so that a far-fetched regression imputation is pulled back in range too; before the transform so
 *    that a handful of outliers do not decide the Box-Cox lambda;
 * 3. transform (log1p, Box-Cox, Yeo-Johnson): on the winsorised values, so that its lambda fits the bulk;
 * 4. scale (reusing the clustering's scaleColumns): last, so that the scale is that of the values the model sees.
 * Categorical features are one-hot encoded (one-hot.ts) and not scaled: z-scoring the 0/1 indicator of a level held
 * by 2 % of the rows would make it worth 7 standard deviations and let rare levels decide the distances.
 *
 * Output columns follow the input columns; a categorical expands in place into its level columns.
 *
 * ```ts
 * const { matrix, names, transform } = fitFeatures(columns, { impute: 'median', transform: 'log', clip: { lower: 0.01, upper: 0.99 } });
 * const live = applyFeatures(transform, newColumns); // same columns, training medians / bounds / scales
 * ```
 */

const IMPUTES: readonly ImputeMethod[] = ['median', 'mean', 'knn', 'iterative', 'drop'];
const TRANSFORMS: readonly TransformMethod[] = ['none', 'log', 'boxcox', 'yeojohnson'];
const SCALES: readonly ScaleMethod[] = ['zscore', 'minmax', 'robust', 'none'];

type NumericColumn = Extract<FeatureColumn, { kind: 'numeric' }>;
type CategoricalColumn = Extract<FeatureColumn, { kind: 'categorical' }>;

/** numpy's default (linear) quantile of sorted values. */
function quantileSorted(s: Float64Array, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number));
}

function rowCount(columns: readonly FeatureColumn[]): number {
  if (columns.length === 0) throw new RangeError('no feature columns given');
  const n = columns[0]?.values.length ?? 0;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new RangeError(`feature '${c.name}' is given twice`);
    seen.add(c.name);
    if (c.values.length !== n) throw new RangeError(`feature '${c.name}' has ${c.values.length} values, the first column has ${n}`);
    if (c.kind === 'numeric') {
      c.values.forEach((v, i) => {
        if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) throw new RangeError(`feature '${c.name}': row ${i} is infinite; use NaN for a missing value`);
      });
    }
  }
  return n;
}

function checkClip(name: string, clip: ClipQuantiles | null): void {
  if (clip === null) return;
  const { lower, upper } = clip;
  if (!(lower >= 0 && upper <= 1 && lower < upper)) throw new RangeError(`feature '${name}': clip quantiles need 0 <= lower < upper <= 1, got ${lower} and ${upper}`);
}

interface Resolved {
  column: NumericColumn;
  impute: ImputeMethod;
  transform: TransformMethod;
  clip: ClipQuantiles | null;
}

function resolve(columns: readonly FeatureColumn[], spec: FeatureSpec): Resolved[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const [key, kind] of [...Object.keys(spec.numeric ?? {}).map((k) => [k, 'numeric'] as const), ...Object.keys(spec.categorical ?? {}).map((k) => [k, 'categorical'] as const)]) {
    const c = byName.get(key);
    if (c === undefined) throw new RangeError(`the spec names feature '${key}', which is not among the columns (${[...byName.keys()].join(', ')})`);
    if (c.kind !== kind) throw new RangeError(`the spec treats feature '${key}' as ${kind}, but its column is ${c.kind}`);
  }
  if (spec.scale !== undefined && !SCALES.includes(spec.scale)) throw new RangeError(`scale must be one of ${SCALES.join(', ')}, got '${String(spec.scale)}'`);
  return columns
    .filter((c): c is NumericColumn => c.kind === 'numeric')
    .map((column) => {
      const own = spec.numeric?.[column.name] ?? {};
      const r: Resolved = {
        column,
        impute: own.impute ?? spec.impute ?? 'median',
        transform: own.transform ?? spec.transform ?? 'none',
        clip: own.clip !== undefined ? own.clip : (spec.clip ?? null),
      };
      if (!IMPUTES.includes(r.impute)) throw new RangeError(`feature '${column.name}': impute must be one of ${IMPUTES.join(', ')}, got '${String(r.impute)}'`);
      if (!TRANSFORMS.includes(r.transform)) throw new RangeError(`feature '${column.name}': transform must be one of ${TRANSFORMS.join(', ')}, got '${String(r.transform)}'`);
      checkClip(column.name, r.clip);
      return r;
    });
}

/** The rows kept: those with a value for every numeric feature imputed by 'drop'. */
function keptRows(n: number, numeric: readonly NumericColumn[], drop: readonly boolean[]): Int32Array {
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (numeric.every((c, j) => !drop[j] || !Number.isNaN(c.values[i] as number))) kept.push(i);
  return Int32Array.from(kept);
}

/** The numeric columns of the kept rows, row-major (rows x p), NaN = missing. */
function numericBlock(numeric: readonly NumericColumn[], rows: Int32Array): Float64Array {
  const p = numeric.length;
  const out = new Float64Array(rows.length * p);
  rows.forEach((r, i) => numeric.forEach((c, j) => (out[i * p + j] = c.values[r] as number)));
  return out;
}

/** Fills every gap of the raw numeric block with the learnt imputers (knn and iterative see the raw block). */
function imputeBlock(t: FeatureTransform, numeric: readonly NumericStep[], raw: Float64Array): Float64Array {
  const p = numeric.length;
  const out = Float64Array.from(raw);
  const knnCols = numeric.flatMap((s, j) => (s.impute === 'knn' ? [j] : []));
  if (t.knn !== null && knnCols.length > 0) {
    const filled = imputeKnn(t.knn, raw, knnCols);
    for (let i = 0; i < out.length; i += p) for (const j of knnCols) out[i + j] = filled[i + j] as number;
  }
  const iterCols = numeric.flatMap((s, j) => (s.impute === 'iterative' ? [j] : []));
  if (t.iterative !== null && iterCols.length > 0) {
    const filled = imputeIterative(t.iterative, raw);
    for (let i = 0; i < out.length; i += p) for (const j of iterCols) out[i + j] = filled[i + j] as number;
  }
  numeric.forEach((s, j) => {
    if (s.fill === null) return;
    for (let i = j; i < out.length; i += p) if (Number.isNaN(out[i] as number)) out[i] = s.fill;
  });
  return out;
}

function clipValue(s: NumericStep, v: number): number {
  return s.clip === null ? v : Math.min(s.clip.upper, Math.max(s.clip.lower, v));
}

/** The transformed value; `row` (an input row index) only names the row in an error. */
function transformValue(s: NumericStep, v: number, row: number): number {
  const tr = s.transform;
  switch (tr.kind) {
    case 'none':
      return v;
    case 'log':
      if (v < 0) throw new RangeError(`feature '${s.name}': 'log' (log1p) needs values >= 0, but row ${row} has ${v}; use 'yeojohnson', or a clip with a lower bound >= 0`);
      return Math.log1p(v);
    case 'boxcox':
      if (!(v > 0)) throw new RangeError(`feature '${s.name}': 'boxcox' needs values > 0, but row ${row} has ${v}; use 'log' for values >= 0 or 'yeojohnson' for any`);
      return boxcox(v, tr.lambda);
    case 'yeojohnson':
      return yeojohnson(v, tr.lambda);
  }
}

/** Clip, transform and scale the imputed block, one-hot the categoricals, and lay the columns out. */
function assemble(t: FeatureTransform, imputed: Float64Array, columns: ReadonlyMap<string, FeatureColumn>, rows: Int32Array): { data: Float64Array; unmatched: Record<string, number> } {
  const numeric = t.steps.filter((s): s is NumericStep => s.kind === 'numeric');
  const p = numeric.length;
  const d = t.names.length;
  const n = rows.length;
  const data = new Float64Array(n * d);
  const unmatched: Record<string, number> = {};
  let offset = 0;
  let j = 0;
  for (const s of t.steps) {
    if (s.kind === 'numeric') {
      for (let i = 0; i < n; i++) {
        const v = transformValue(s, clipValue(s, imputed[i * p + j] as number), rows[i] as number);
        data[i * d + offset] = (v - s.shift) / s.scale;
      }
      j++;
      offset++;
      continue;
    }
    const values = (columns.get(s.name) as CategoricalColumn).values;
    const index = oneHotIndex(s);
    let misses = 0;
    for (let i = 0; i < n; i++) {
      const c = index(values[rows[i] as number] ?? null);
      if (c < 0) misses++;
      else data[i * d + offset + c] = 1;
    }
    if (misses > 0) unmatched[s.name] = misses;
    offset += oneHotNames(s).length;
  }
  return { data, unmatched };
}

/** The `qs` quantiles (numpy's linear method) of column j of a row-major block. */
function columnQuantiles(block: Float64Array, p: number, j: number, qs: readonly number[]): number[] {
  const col = new Float64Array(block.length / p);
  for (let i = 0; i < col.length; i++) col[i] = block[i * p + j] as number;
  col.sort();
  return qs.map((q) => quantileSorted(col, q));
}

/**
 * Learns the pipeline on the training rows and returns their matrix with the JSON-safe transform that replays it.
 * Throws a RangeError that names the feature for inputs it cannot use (negative values under 'log', non-positive
 * under 'boxcox', a feature with no value at all, an unknown feature in the spec).
 */
export function fitFeatures(columns: readonly FeatureColumn[], spec: FeatureSpec = {}): FittedFeatures {
  const n = rowCount(columns);
  const resolved = resolve(columns, spec);
  const numeric = resolved.map((r) => r.column);
  const rows = keptRows(n, numeric, resolved.map((r) => r.impute === 'drop'));
  if (rows.length === 0) throw new RangeError(`no rows left to learn from: ${n === 0 ? 'no rows were given' : "every row misses a feature imputed by 'drop'"}`);
  const p = numeric.length;
  const raw = numericBlock(numeric, rows);

  const steps: NumericStep[] = resolved.map((r, j) => {
    let fill: number | null = null;
    if (r.impute === 'median' || r.impute === 'mean') {
      const observed = Float64Array.from(rows, (_, i) => raw[i * p + j] as number).filter((v) => !Number.isNaN(v));
      if (observed.length === 0) throw new RangeError(`feature '${r.column.name}': no value to impute from (every training row is missing it)`);
      fill = r.impute === 'median' ? quantileSorted(observed.sort(), 0.5) : observed.reduce((a, b) => a + b, 0) / observed.length;
    }
    return { kind: 'numeric', name: r.column.name, impute: r.impute, fill, clip: null, transform: { kind: 'none' }, shift: 0, scale: 1 };
  });
  const names = numeric.map((c) => c.name);
  const transform: FeatureTransform = {
    version: 1,
    steps: [],
    names: [],
    knn: resolved.some((r) => r.impute === 'knn') ? fitKnn(names, raw, spec.knnNeighbors ?? 5) : null,
    iterative: resolved.some((r) => r.impute === 'iterative')
      ? fitIterative(names, raw, { alpha: spec.iterative?.alpha ?? 1, maxIter: spec.iterative?.maxIter ?? 10, tol: spec.iterative?.tol ?? 1e-3 }).state
      : null,
  };
  // The learnt imputers are replayed, rather than their fitting output kept, so that fitting and applyFeatures run
  // the same code: the training rows come out of applyFeatures bit for bit as they come out of here.
  const imputed = imputeBlock(transform, steps, raw);

  // Clip bounds, then lambdas, then scales: each learnt on the output of the step before it.
  const shaped = new Float64Array(imputed.length);
  steps.forEach((s, j) => {
    const r = resolved[j] as Resolved;
    if (r.clip !== null) {
      const [lower, upper] = columnQuantiles(imputed, p, j, [r.clip.lower, r.clip.upper]) as [number, number];
      s.clip = { lower, upper };
    }
    const clipped = Float64Array.from(rows, (_, i) => clipValue(s, imputed[i * p + j] as number));
    const what = `feature '${s.name}'`;
    const firstBad = (ok: (v: number) => boolean): string => {
      const i = clipped.findIndex((v) => !ok(v));
      return `row ${rows[i]} has ${clipped[i]}`;
    };
    if (r.transform === 'log') {
      if (clipped.some((v) => v < 0)) throw new RangeError(`${what}: 'log' (log1p) needs values >= 0, but ${firstBad((v) => v >= 0)}; use 'yeojohnson', or a clip with a lower bound >= 0`);
      s.transform = { kind: 'log' };
    } else if (r.transform === 'boxcox') {
      if (clipped.some((v) => !(v > 0))) throw new RangeError(`${what}: 'boxcox' needs values > 0, but ${firstBad((v) => v > 0)}; use 'log' for values >= 0 or 'yeojohnson' for any`);
      s.transform = { kind: 'boxcox', lambda: boxcoxLambda(clipped, what) };
    } else if (r.transform === 'yeojohnson') {
      s.transform = { kind: 'yeojohnson', lambda: yeojohnsonLambda(clipped, what) };
    }
    clipped.forEach((v, i) => (shaped[i * p + j] = transformValue(s, v, rows[i] as number)));
  });
  const scaled = scaleColumns({ data: shaped, n: rows.length, d: p }, spec.scale ?? 'zscore');
  steps.forEach((s, j) => {
    s.shift = scaled.shift[j] as number;
    s.scale = scaled.scale[j] as number;
  });

  const byName = new Map(columns.map((c) => [c.name, c]));
  let next = 0;
  transform.steps = columns.map((c) => {
    if (c.kind === 'numeric') return steps[next++] as NumericStep;
    const kept = Array.from(rows, (r) => c.values[r] ?? null);
    return fitOneHot(c.name, kept, spec.categorical?.[c.name]?.maxLevels ?? spec.maxLevels ?? 10);
  });
  transform.names = transform.steps.flatMap((s) => (s.kind === 'numeric' ? [s.name] : oneHotNames(s)));
  for (const s of steps) {
    const learnt = [s.fill ?? 0, s.clip?.lower ?? 0, s.clip?.upper ?? 0, 'lambda' in s.transform ? s.transform.lambda : 0, s.shift, s.scale];
    if (!learnt.every(Number.isFinite)) throw new RangeError(`feature '${s.name}': the learnt parameters are not finite numbers (values too large?)`);
  }
  const { data } = assemble(transform, imputed, byName, rows);
  return { matrix: { data, n: rows.length, d: transform.names.length }, names: [...transform.names], rows, transform };
}

/**
 * Replays a fitted pipeline on rows (new profiles, or the training rows again): the same output columns, built with
 * the training medians, donors, regressions, bounds, lambdas, scales and levels. Rows missing a 'drop' feature are
 * left out (see `rows`); category values with no column are counted in `unmatched` and get zeros.
 */
export function applyFeatures(transform: FeatureTransform, columns: readonly FeatureColumn[]): AppliedFeatures {
  if (transform.version !== 1) throw new RangeError(`unknown feature transform version ${String(transform.version)}`);
  const n = rowCount(columns);
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const s of transform.steps) {
    const c = byName.get(s.name);
    if (c === undefined) throw new RangeError(`feature '${s.name}' is missing from the columns`);
    if (c.kind !== s.kind) throw new RangeError(`feature '${s.name}' was ${s.kind} when fitted, its column is ${c.kind}`);
  }
  const numericSteps = transform.steps.filter((s): s is NumericStep => s.kind === 'numeric');
  const numeric = numericSteps.map((s) => byName.get(s.name) as NumericColumn);
  const rows = keptRows(n, numeric, numericSteps.map((s) => s.impute === 'drop'));
  const imputed = imputeBlock(transform, numericSteps, numericBlock(numeric, rows));
  const { data, unmatched } = assemble(transform, imputed, byName, rows);
  return { matrix: { data, n: rows.length, d: transform.names.length }, names: [...transform.names], rows, unmatched };
}
