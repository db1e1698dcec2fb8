import { classWeights } from '../imbalance.js';
import type { Dataset } from '../types.js';

/** Checks the shapes and the target of a training set; NaN in x is allowed (trees route missing values). */
export function checkDataset(data: Dataset): void {
  const { x, n, d, y, features, weights } = data;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new RangeError(`need at least one row and one column (got ${n} x ${d})`);
  if (x.length !== n * d) throw new RangeError(`expected ${n} x ${d} = ${n * d} values, got ${x.length}`);
  if (features.length !== d) throw new RangeError(`${features.length} feature names for ${d} columns`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} entries for ${n} rows`);
  if (weights && weights.length !== n) throw new RangeError(`weights has ${weights.length} entries for ${n} rows`);
  let w0 = 0;
  let w1 = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    if (yi !== 0 && yi !== 1) throw new RangeError(`y must be 0 or 1 (row ${i} has ${yi})`);
    const wi = weights ? (weights[i] as number) : 1;
    if (!(wi >= 0 && Number.isFinite(wi))) throw new RangeError(`weights must be finite and >= 0 (row ${i} has ${wi})`);
    if (yi === 1) w1 += wi;
    else w0 += wi;
  }
  if (!(w0 > 0 && w1 > 0)) throw new RangeError('the target needs both classes (with positive weight) to fit a classifier');
}

/** Sample weights times class weights, or null when every row weighs 1. */
export function rowWeights(data: Dataset, classWeight: 'balanced' | null): Float64Array | null {
  if (!classWeight) return data.weights ? Float64Array.from(data.weights) : null;
  const cw = classWeights(data.y, classWeight);
  if (data.weights) for (let i = 0; i < data.n; i++) cw[i] = (cw[i] as number) * (data.weights[i] as number);
  return cw;
}
