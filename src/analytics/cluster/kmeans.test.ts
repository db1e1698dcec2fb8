import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { kmeans, kmeansPlusPlus, type Matrix } from './kmeans.js';
import { adjustedRandIndex, calinskiHarabasz, daviesBouldin, knee, silhouette, silhouetteSamples } from './metrics.js';
import { scaleColumns, unscale } from './scale.js';

/**
 * k-means and its diagnostics against scikit-learn 1.2.1 on fixed data: test/fixtures/sklearn/blobs.csv and the values
 * scikit-learn computed on it, cluster-refs.json, both written by test/fixtures/sklearn/make_cluster_refs.py
 * (make_blobs: 600 rows, 3 columns, 4 centres, seed 7; KMeans n_init 10, seed 0). The two implementations draw
 * different random seedings, so labels are compared by the adjusted Rand index and numbers within the tolerance
 * each test states.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('cluster-refs.json', FIXTURES), 'utf8')) as {
  elbow: Record<string, number>;
  k4: { inertia: number; labels: number[]; centers: number[][]; silhouette: number; silhouetteSamplesFirst10: number[]; calinskiHarabasz: number; daviesBouldin: number };
  docExample: { inertia: number; centers: number[][] };
};
const rows = readFileSync(new URL('blobs.csv', FIXTURES), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const blobs: Matrix = { data: Float64Array.from(rows.flatMap((r) => r.slice(0, 3))), n: rows.length, d: 3 };
const truth = rows.map((r) => r[3] as number);

describe('k-means against scikit-learn', () => {
  it('finds the documented example: centres (1, 2) and (10, 2), inertia 16', async () => {
    const m: Matrix = { data: Float64Array.from([1, 2, 1, 4, 1, 0, 10, 2, 10, 4, 10, 0]), n: 6, d: 2 };
    const r = await kmeans(m, 2, { seed: 1 });
    expect(r.inertia).toBeCloseTo(refs.docExample.inertia, 12);
    const centers = [Array.from(r.centers.slice(0, 2)), Array.from(r.centers.slice(2, 4))].sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(centers).toEqual(refs.docExample.centers);
  });

  it('reaches scikit-learn inertia on the blobs within 0.1 % and the same partition (ARI 1.0)', async () => {
    const r = await kmeans(blobs, 4, { seed: 3 });
    expect(Math.abs(r.inertia - refs.k4.inertia) / refs.k4.inertia).toBeLessThan(0.001);
    expect(adjustedRandIndex(r.labels, refs.k4.labels)).toBeCloseTo(1, 10);
    expect(adjustedRandIndex(r.labels, truth)).toBeGreaterThan(0.95);
    expect(r.converged).toBe(true);
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('follows the elbow curve of scikit-learn for k = 1..8 (within 1 %); over 1..10 (the default range) its knee is at 4', async () => {
    const ks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const inertias: number[] = [];
    for (const k of ks) inertias.push((await kmeans(blobs, k, { seed: 5 })).inertia);
    ks.slice(0, 8).forEach((k, i) => expect(Math.abs((inertias[i] as number) - (refs.elbow[String(k)] as number)) / (refs.elbow[String(k)] as number)).toBeLessThan(0.01));
    expect(knee(ks, inertias)).toBe(4);
    // Kneedle on a made-up curve with an obvious elbow, and its refusals.
    expect(knee([1, 2, 3, 4, 5], [100, 20, 10, 8, 7])).toBe(2);
    expect(knee([1, 2], [10, 1])).toBeNull();
    expect(knee([1, 2, 3], [5, 5, 5])).toBeNull();
  });

  it('copes with fewer distinct rows than k: empty clusters take a row, no NaN, inertia 0', async () => {
    const points = [[0, 0], [5, 5], [9, 1]];
    const m: Matrix = { data: Float64Array.from(Array.from({ length: 30 }, (_, i) => points[i % 3]!).flat()), n: 30, d: 2 };
    const r = await kmeans(m, 5, { seed: 1, nInit: 2 });
    expect(r.inertia).toBe(0);
    expect(r.sizes.every((s) => s > 0)).toBe(true);
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(30);
    expect(r.centers.every((v) => Number.isFinite(v))).toBe(true);
    // Every row sits on its centre.
    r.labels.forEach((l, i) => expect([r.centers[l * 2], r.centers[l * 2 + 1]]).toEqual(points[i % 3]));
  });

  it('does not renumber the clusters when the data move in their last bits (a seeding that ends in the kept partition does not replace it)', async () => {
    // Six blobs into four clusters: several of the ten seedings end in the same partition, numbered differently, with
    // inertias that differ in the last bits (the sums of the centres follow the rows that move, so rounding depends on
    // the path). The first of them must win every time, as in scikit-learn, not whichever one rounding favours.
    const g = new Rng(22);
    const n = 300;
    const d = 3;
    const mid = Array.from({ length: 6 * d }, () => g.next() * 6);
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const c = Math.floor(g.next() * 6);
      for (let j = 0; j < d; j++) data[i * d + j] = Math.round((mid[c * d + j]! + g.normal(0, 1.2)) * 1000) / 1000;
    }
    const ref = await kmeans({ data, n, d }, 4, { seed: 3 });
    for (let t = 0; t < 8; t++) {
      const rng = new Rng(50 + t);
      const moved = data.map((v) => v * (1 + 1e-12 * (rng.next() - 0.5)));
      expect(Array.from((await kmeans({ data: moved, n, d }, 4, { seed: 3 })).labels)).toEqual(Array.from(ref.labels));
    }
  });

  it('gives the same result for the same seed', async () => {
    const a = await kmeans(blobs, 5, { seed: 11, nInit: 3 });
    const b = await kmeans(blobs, 5, { seed: 11, nInit: 3 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
  });
});

describe('cluster diagnostics against scikit-learn (on scikit-learn labels, tolerance 1e-9 relative)', () => {
  const labels = Int32Array.from(refs.k4.labels);
  it('silhouette score and per-row values', () => {
    const s = silhouette(blobs, labels);
    expect(s.sampled).toBe(false);
    expect(s.score).toBeCloseTo(refs.k4.silhouette, 9);
    const first = silhouetteSamples(blobs, labels, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    refs.k4.silhouetteSamplesFirst10.forEach((v, i) => expect(first[i]).toBeCloseTo(v, 9));
  });

  it('Calinski-Harabasz and Davies-Bouldin', () => {
    expect(calinskiHarabasz(blobs, labels) / refs.k4.calinskiHarabasz).toBeCloseTo(1, 9);
    expect(daviesBouldin(blobs, labels) / refs.k4.daviesBouldin).toBeCloseTo(1, 9);
  });

  it('samples the silhouette beyond maxExact rows and says so; the estimate stays close', () => {
    const s = silhouette(blobs, labels, { maxExact: 100, sampleSize: 300, seed: 2 });
    expect(s).toMatchObject({ sampled: true, scored: 300 });
    expect(Math.abs(s.score - refs.k4.silhouette)).toBeLessThan(0.03);
    // Within the sample, as scikit-learn's silhouette_score(sample_size=300): the exact silhouette of those rows alone.
    const rng = new Rng(2);
    const all = Array.from({ length: blobs.n }, (_, i) => i);
    for (let i = 0; i < 300; i++) {
      const j = i + Math.floor(rng.next() * (blobs.n - i));
      [all[i], all[j]] = [all[j] as number, all[i] as number];
    }
    const picked = all.slice(0, 300);
    const sub = { data: Float64Array.from(picked.flatMap((i) => Array.from(blobs.data.subarray(i * blobs.d, (i + 1) * blobs.d)))), n: 300, d: blobs.d };
    expect(s.score).toBeCloseTo(silhouette(sub, Int32Array.from(picked, (i) => labels[i] as number)).score, 12);
  });

  it('estimates the silhouette of many rows from a sample of 5,000 within 0.01 of the exact one', () => {
    // 15,000 rows of three overlapping blobs in 4-D: the exact silhouette (225 million distances) is the reference;
    // the default sample gives it within 0.01, and each cluster's within 0.02.
    const rng = new Rng(5);
    const n = 15_000;
    const d = 4;
    const data = new Float64Array(n * d);
    const lab = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      lab[i] = i % 3;
      for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j === lab[i] ? 2.5 : 0);
    }
    const m = { data, n, d };
    const exact = silhouette(m, lab, { maxExact: n });
    expect(exact.sampled).toBe(false);
    for (const seed of [1, 2, 3]) {
      const est = silhouette(m, lab, { seed });
      expect(est).toMatchObject({ sampled: true, scored: 5000 });
      expect(Math.abs(est.score - exact.score)).toBeLessThan(0.01);
      est.perCluster.forEach((v, c) => expect(Math.abs(v - (exact.perCluster[c] as number))).toBeLessThan(0.02));
    }
  }, 120_000);
});

describe('adjusted Rand index and scaling', () => {
  it('is 1 for the same partition under other names, and near 0 for unrelated ones', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9])).toBe(1);
    // scikit-learn's documented example: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285715, 12);
  });

  it('scales columns like StandardScaler and reads centres back in original units', () => {
    const m: Matrix = { data: Float64Array.from([1, 10, 2, 20, 3, 30, 4, 40]), n: 4, d: 2 };
    const z = scaleColumns(m, 'zscore');
    expect(Array.from(z.matrix.data.filter((_, i) => i % 2 === 0)).map((v) => +v.toFixed(6))).toEqual([-1.341641, -0.447214, 0.447214, 1.341641]);
    Array.from(unscale(z.matrix.data, z)).forEach((v, i) => expect(v).toBeCloseTo(m.data[i] as number, 12));
    const r = scaleColumns(m, 'robust');
    expect(Array.from(r.shift)).toEqual([2.5, 25]);
    expect(Array.from(r.scale)).toEqual([1.5, 15]);
    const c: Matrix = { data: Float64Array.from([5, 5, 5]), n: 3, d: 1 };
    expect(Array.from(scaleColumns(c, 'zscore').matrix.data)).toEqual([0, 0, 0]);
  });
});

/**
 * The fast paths against a plain implementation written here from the definitions (every distance computed, one
 * cumulative sum, a full assignment each iteration): the triangle-inequality skips of the seeding, the fused passes,
 * Hamerly's bounds and the per-block sums must change nothing but the time.
 */
function sq(m: Matrix, i: number, c: Float64Array, ci: number): number {
  let s = 0;
  for (let j = 0; j < m.d; j++) s += (m.data[i * m.d + j]! - c[ci * m.d + j]!) ** 2;
  return s;
}

/** Greedy k-means++ as scikit-learn's _kmeans_plusplus, drawing from the same generator in the same order. */
function plainPlusPlus(m: Matrix, k: number, rng: Rng): Float64Array {
  const { n, d, data } = m;
  const trials = 2 + Math.floor(Math.log(k));
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(rng.next() * n));
  centers.set(data.subarray(first * d, first * d + d));
  let closest = Array.from({ length: n }, (_, i) => sq(m, i, centers, 0));
  for (let c = 1; c < k; c++) {
    const pot = closest.reduce((a, b) => a + b, 0);
    const picks = Array.from({ length: trials }, () => {
      const target = rng.next() * pot;
      let acc = 0;
      for (let i = 0; i < n; i++) if ((acc += closest[i]!) > target) return i;
      return n - 1;
    });
    let best: number[] = [];
    let bestPot = Number.POSITIVE_INFINITY;
    let bestRow = 0;
    for (const row of picks) {
      const cand = data.slice(row * d, row * d + d);
      const next = closest.map((w, i) => Math.min(w, sq(m, i, cand, 0)));
      const p = next.reduce((a, b) => a + b, 0);
      if (p < bestPot) [best, bestPot, bestRow] = [next, p, row];
    }
    centers.set(data.subarray(bestRow * d, bestRow * d + d), c * d);
    closest = best;
  }
  return centers;
}

/** Lloyd's algorithm, every row against every centre, with scikit-learn's stopping rules. */
function plainLloyd(m: Matrix, start: Float64Array, k: number, tol: number): { labels: number[]; centers: Float64Array; inertia: number; iterations: number } {
  const { n, d } = m;
  const nearest = (c: Float64Array) => Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => sq(m, i, c, j)).reduce((b, v, j, all) => (v < all[b]! ? j : b), 0));
  let centers = start.slice();
  let labels = nearest(centers);
  let iterations = 0;
  for (let iter = 0; iter < 300; iter++) {
    iterations++;
    const next = new Float64Array(k * d);
    const counts = new Array<number>(k).fill(0);
    labels.forEach((l, i) => {
      counts[l]!++;
      for (let j = 0; j < d; j++) next[l * d + j] = next[l * d + j]! + m.data[i * d + j]!;
    });
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) next[c * d + j] = next[c * d + j]! / counts[c]!;
    let shift = 0;
    for (let i = 0; i < k * d; i++) shift += (next[i]! - centers[i]!) ** 2;
    centers = next;
    if (shift <= tol) break;
    const again = nearest(centers);
    const same = again.every((l, i) => l === labels[i]);
    labels = again;
    if (same) break;
  }
  labels = nearest(centers);
  return { labels, centers, inertia: labels.reduce((a, l, i) => a + sq(m, i, centers, l), 0), iterations };
}

/** Overlapping blobs (several iterations, rows whose centre changes late), rows in many blocks. */
function overlapping(n: number, d: number, k: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const mid = Array.from({ length: k * d }, () => rng.next() * 8);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng.next() * k);
    for (let j = 0; j < d; j++) data[i * d + j] = mid[c * d + j]! + rng.normal(0, 2);
  }
  return { data, n, d };
}

describe('k-means against a plain implementation of the same algorithm', () => {
  it('seeds with the same centres as plain greedy k-means++ (exactly)', async () => {
    for (const [m, k, seed] of [
      [blobs, 4, 3],
      [overlapping(5000, 4, 6, 1), 6, 2],
      [overlapping(3000, 10, 8, 2), 8, 9],
    ] as const) {
      expect(Array.from(await kmeansPlusPlus(m, k, new Rng(seed)))).toEqual(Array.from(plainPlusPlus(m, k, new Rng(seed))));
    }
  });

  it('ends Lloyd with the same labels, centres (1e-12 relative), inertia (1e-12) and iterations as the plain loop', async () => {
    for (const [m, k, seed] of [
      [overlapping(5000, 4, 6, 1), 6, 2],
      [overlapping(3000, 10, 8, 2), 8, 9],
    ] as const) {
      const r = await kmeans(m, k, { seed, nInit: 1 });
      const variance = (() => {
        let total = 0;
        for (let j = 0; j < m.d; j++) {
          let mean = 0;
          for (let i = 0; i < m.n; i++) mean += m.data[i * m.d + j]! / m.n;
          let v = 0;
          for (let i = 0; i < m.n; i++) v += (m.data[i * m.d + j]! - mean) ** 2;
          total += v / m.n;
        }
        return total / m.d;
      })();
      const plain = plainLloyd(m, plainPlusPlus(m, k, new Rng(seed)), k, 1e-4 * variance);
      expect(plain.iterations).toBeGreaterThan(3);
      expect(Array.from(r.labels)).toEqual(plain.labels);
      expect(r.iterations).toBe(plain.iterations);
      r.centers.forEach((v, i) => expect(Math.abs(v - plain.centers[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v))));
      expect(Math.abs(r.inertia - plain.inertia) / plain.inertia).toBeLessThan(1e-12);
    }
  });
});
