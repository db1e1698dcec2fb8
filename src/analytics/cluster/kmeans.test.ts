import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kmeans, type Matrix } from './kmeans.js';
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
  });
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
