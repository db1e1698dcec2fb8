import type { Matrix } from './kmeans.js';

/**
 * Principal component analysis: the eigenvectors of the columns' covariance matrix (n - 1 denominator, as
 * scikit-learn's explained_variance_), found by cyclic Jacobi rotations (exact for the small symmetric matrices of a
 * few dozen features), sorted by variance. Used for 2-D projections of clusters.
 */
export interface Pca {
  mean: Float64Array;
  /** components x d, row-major, unit length; each component's sign makes its largest coordinate positive. */
  components: Float64Array;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

function jacobiEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += (m[p * d + q] as number) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * d + p] as number;
        const aqq = m[q * d + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p] as number;
          const mkq = m[k * d + q] as number;
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k] as number;
          const mqk = m[q * d + k] as number;
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p] as number;
          const vkq = v[k * d + q] as number;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => m[i * d + i] as number), vectors: v };
}

export function pca(m: Matrix, components = m.d): Pca {
  const { data, n, d } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (data[i * d + j] as number) / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = (data[i * d + a] as number) - (mean[a] as number);
      for (let b = a; b < d; b++) cov[a * d + b] = (cov[a * d + b] as number) + xa * ((data[i * d + b] as number) - (mean[b] as number));
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / Math.max(1, n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  const { values, vectors } = jacobiEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => (values[y] as number) - (values[x] as number));
  const total = Array.from(values).reduce((s, v) => s + Math.max(0, v), 0);
  const keep = order.slice(0, Math.min(components, d));
  const comps = new Float64Array(keep.length * d);
  keep.forEach((col, r) => {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(vectors[j * d + col] as number) > Math.abs(vectors[big * d + col] as number)) big = j;
    const sign = (vectors[big * d + col] as number) < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) comps[r * d + j] = sign * (vectors[j * d + col] as number);
  });
  const ev = keep.map((c) => Math.max(0, values[c] as number));
  return { mean, components: comps, explainedVariance: ev, explainedVarianceRatio: ev.map((v) => (total === 0 ? 0 : v / total)) };
}

/** The rows projected on the first `k` components (n x k, row-major). */
export function project(m: Matrix, p: Pca, k = 2): Float64Array {
  const { data, n, d } = m;
  const kk = Math.min(k, p.explainedVariance.length);
  const out = new Float64Array(n * kk);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < kk; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += ((data[i * d + j] as number) - (p.mean[j] as number)) * (p.components[c * d + j] as number);
      out[i * kk + c] = s;
    }
  }
  return out;
}
