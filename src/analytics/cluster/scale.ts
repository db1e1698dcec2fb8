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
  // z-score and min-max read the rows in storage order (every column's sums advance together, each still over the
  // rows in order: the same bits as column by column, without a strided pass per column); robust needs each column
  // sorted, so it copies them out.
  if (method === 'zscore') {
    const sum = new Float64Array(d);
    for (let i = 0, o = 0; i < n; i++) for (let j = 0; j < d; j++, o++) sum[j] = (sum[j] as number) + (data[o] as number);
    for (let j = 0; j < d; j++) shift[j] = (sum[j] as number) / n;
    const v2 = new Float64Array(d);
    for (let i = 0, o = 0; i < n; i++) {
      for (let j = 0; j < d; j++, o++) {
        const t = (data[o] as number) - (shift[j] as number);
        v2[j] = (v2[j] as number) + t * t;
      }
    }
    for (let j = 0; j < d; j++) scale[j] = Math.sqrt((v2[j] as number) / n);
  } else if (method === 'minmax') {
    const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0, o = 0; i < n; i++) {
      for (let j = 0; j < d; j++, o++) {
        const v = data[o] as number;
        if (v < (lo[j] as number)) lo[j] = v;
        if (v > (hi[j] as number)) hi[j] = v;
      }
    }
    for (let j = 0; j < d; j++) {
      shift[j] = lo[j] as number;
      scale[j] = (hi[j] as number) - (lo[j] as number);
    }
  } else if (method === 'robust') {
    const col = new Float64Array(n);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) col[i] = data[i * d + j] as number;
      const sorted = col.sort();
      shift[j] = quantileSorted(sorted, 0.5);
      scale[j] = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
    }
  }
  // A constant column is left centred, not divided by zero (as scikit-learn does).
  for (let j = 0; j < d; j++) if (!((scale[j] as number) > 0)) scale[j] = 1;
  // Shared memory on large matrices, so that k-means workers read it without a copy (shared-rows.ts).
  const out = newRows(n, d);
  for (let i = 0, o = 0; i < n; i++) for (let j = 0; j < d; j++, o++) out[o] = ((data[o] as number) - (shift[j] as number)) / (scale[j] as number);
  return { matrix: { data: out, n, d }, shift, scale };
}

/** Centres (k x d) back in the original units of the columns. */
export function unscale(centers: Float64Array, s: Scaled): Float64Array {
  const d = s.matrix.d;
  return centers.map((v, idx) => v * (s.scale[idx % d] as number) + (s.shift[idx % d] as number));
}
