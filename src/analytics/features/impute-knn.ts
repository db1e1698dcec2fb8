import type { KnnState } from './types.js';

/**
 * k-nearest-neighbours imputation as scikit-learn's KNNImputer (uniform weights, nan_euclidean distance): a missing
 * value is the mean of that feature over the k training rows nearest to the row that have it. Distances use the
 * coordinates both rows have, scaled up to all of them: sqrt(p / present x sum of squared differences), so rows with
 * gaps are not artificially close. As scikit-learn:
 * - a row that shares no coordinate with any donor gets the training mean of the feature;
 * - a row with fewer than k donors at a defined distance also takes donors at an undefined one (they sort last);
 * - distances come from the row as given, before any of its own gaps are filled.
 * Ties between equally distant donors go to the earlier training row (scikit-learn leaves the choice to numpy's
 * introselect, which is unspecified), so the result is deterministic.
 *
 * The training rows are the donors, so they are kept in the state: O(n x p) numbers. Cost: for each row with a gap,
 * one distance to every training row, O(rows with gaps x n x p) time.
 */

/** The learnt state: the training rows themselves (NaN stored as null so that the state is JSON-safe). */
export function fitKnn(features: string[], data: Float64Array, neighbors: number): KnnState {
  if (!Number.isInteger(neighbors) || neighbors < 1) throw new RangeError(`knnNeighbors must be a positive whole number, got ${neighbors}`);
  const p = features.length;
  const n = p === 0 ? 0 : data.length / p;
  for (let j = 0; j < p; j++) {
    let seen = false;
    for (let i = 0; i < n && !seen; i++) seen = !Number.isNaN(data[i * p + j] as number);
    if (!seen) throw new RangeError(`feature '${features[j]}': no value to impute from (every training row is missing it)`);
  }
  return { neighbors, features: [...features], donors: Array.from(data, (v) => (Number.isNaN(v) ? null : v)) };
}

/** Donor matrix back as numbers (null -> NaN). */
function donorMatrix(state: KnnState): Float64Array {
  return Float64Array.from(state.donors, (v) => (v === null ? Number.NaN : v));
}

/**
 * The rows of `data` (row-major, the state's features in order, NaN = missing) with the gaps of the columns in
 * `fill` imputed from the training rows. Other columns are left as they are.
 */
export function imputeKnn(state: KnnState, data: Float64Array, fill: readonly number[]): Float64Array {
  const p = state.features.length;
  const out = Float64Array.from(data);
  if (p === 0 || fill.length === 0) return out;
  const donors = donorMatrix(state);
  const m = donors.length / p;
  const n = data.length / p;
  const k = state.neighbors;
  // Training means: the fallback of a row that shares no coordinate with any donor.
  const means = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < m; i++) {
      const v = donors[i * p + j] as number;
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    means[j] = s / c;
  }
  const dist = new Float64Array(m);
  // The k best (distance, index) pairs so far, kept sorted: k is small, so an insertion beats a full sort.
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let r = 0; r < n; r++) {
    let gaps = false;
    for (const j of fill) gaps ||= Number.isNaN(data[r * p + j] as number);
    if (!gaps) continue;
    for (let i = 0; i < m; i++) {
      let s = 0;
      let present = 0;
      for (let j = 0; j < p; j++) {
        const a = data[r * p + j] as number;
        const b = donors[i * p + j] as number;
        if (!Number.isNaN(a) && !Number.isNaN(b)) {
          s += (a - b) * (a - b);
          present++;
        }
      }
      dist[i] = present === 0 ? Number.NaN : Math.sqrt((p / present) * s);
    }
    for (const j of fill) {
      if (!Number.isNaN(data[r * p + j] as number)) continue;
      let count = 0;
      let anyDefined = false;
      for (let i = 0; i < m; i++) {
        if (Number.isNaN(donors[i * p + j] as number)) continue;
        const d = dist[i] as number;
        // NaN sorts last, as numpy's partition puts it.
        const key = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
        if (!Number.isNaN(d)) anyDefined = true;
        if (count === k && !(key < (bestD[k - 1] as number))) continue;
        let pos = count < k ? count++ : k - 1;
        while (pos > 0 && key < (bestD[pos - 1] as number)) {
          bestD[pos] = bestD[pos - 1] as number;
          bestI[pos] = bestI[pos - 1] as number;
          pos--;
        }
        bestD[pos] = key;
        bestI[pos] = i;
      }
      if (!anyDefined) {
        out[r * p + j] = means[j] as number;
        continue;
      }
      let s = 0;
      for (let t = 0; t < count; t++) s += donors[(bestI[t] as number) * p + j] as number;
      out[r * p + j] = s / count;
    }
  }
  return out;
}
