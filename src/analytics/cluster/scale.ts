import type { Matrix } from './kmeans.js';
import { newRows } from './shared-rows.js';

/**
 * Column scaling before clustering (distances mix units otherwise): z-score (mean 0, standard deviation 1, the
 * population one, as scikit-learn's StandardScaler), min-max (to [0, 1]), robust (median 0, interquartile range 1,
 * as RobustScaler), or none. Each column keeps its shift and scale, so centres can be read back in original units.
 */
export type ScaleMethod = 'zscore' | 'minmax' | 'robust' | 'none';

export interface Scaled {
  matrix: Matrix;
  /** Per column: scaled = (x - shift) / scale. */
  shift: Float64Array;
  scale: Float64Array;
}

function quantileSorted(s: Float64Array, p: number): number {
  // numpy's linear method.
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number));
}

export function scaleColumns(m: Matrix, method: ScaleMethod): Scaled {
  const { data, n, d } = m;
  const shift = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  if (method !== 'none') {
    const col = new Float64Array(n);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) col[i] = data[i * d + j] as number;
      if (method === 'zscore') {
        let mean = 0;
        for (const v of col) mean += v;
        mean /= n;
        let v2 = 0;
        for (const v of col) v2 += (v - mean) ** 2;
        shift[j] = mean;
        scale[j] = Math.sqrt(v2 / n);
      } else if (method === 'minmax') {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const v of col) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        shift[j] = lo;
        scale[j] = hi - lo;
      } else {
        const sorted = Float64Array.from(col).sort();
        shift[j] = quantileSorted(sorted, 0.5);
        scale[j] = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
      }
      // A constant column is left centred, not divided by zero (as scikit-learn does).
      if (!((scale[j] as number) > 0)) scale[j] = 1;
    }
  }
  // Shared memory on large matrices, so that k-means workers read it without a copy (shared-rows.ts).
  const out = newRows(n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = ((data[i * d + j] as number) - (shift[j] as number)) / (scale[j] as number);
  return { matrix: { data: out, n, d }, shift, scale };
}

/** Centres (k x d) back in the original units of the columns. */
export function unscale(centers: Float64Array, s: Scaled): Float64Array {
  const d = s.matrix.d;
  return centers.map((v, idx) => v * (s.scale[idx % d] as number) + (s.shift[idx % d] as number));
}
