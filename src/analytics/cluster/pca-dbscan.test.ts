import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dbscan, kDistance } from './dbscan.js';
import type { Matrix } from './kmeans.js';
import { adjustedRandIndex } from './metrics.js';
import { pca, project } from './pca.js';

/**
 * PCA and DBSCAN against scikit-learn 1.2.1 on test/fixtures/sklearn/blobs.csv (values in cluster-refs.json, written
 * by make_cluster_refs.py beside them), and scikit-learn's documented DBSCAN example.
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('cluster-refs.json', FIXTURES), 'utf8')) as {
  pca: { explainedVariance: number[]; explainedVarianceRatio: number[]; firstRowProjected: number[] };
  dbscanDoc: number[];
  dbscanBlobs: { eps: number; minSamples: number; labels: number[] };
};
const rows = readFileSync(new URL('blobs.csv', FIXTURES), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const blobs: Matrix = { data: Float64Array.from(rows.flatMap((r) => r.slice(0, 3))), n: rows.length, d: 3 };

describe('PCA against scikit-learn (relative 1e-9; component signs may differ, projections compared in absolute value)', () => {
  it('explained variance and its ratio', () => {
    const p = pca(blobs);
    refs.pca.explainedVariance.forEach((v, i) => expect((p.explainedVariance[i] as number) / v).toBeCloseTo(1, 9));
    refs.pca.explainedVarianceRatio.forEach((v, i) => expect(p.explainedVarianceRatio[i]).toBeCloseTo(v, 9));
  });

  it('projects the rows on the components', () => {
    const p = pca(blobs);
    const first = project({ data: blobs.data.slice(0, 3), n: 1, d: 3 }, p, 3);
    refs.pca.firstRowProjected.forEach((v, i) => expect(Math.abs(first[i] as number)).toBeCloseTo(Math.abs(v), 9));
  });
});

describe('DBSCAN against scikit-learn', () => {
  it('labels the documented example [0, 0, 0, 1, 1, -1] (eps 3, min_samples 2)', () => {
    const m: Matrix = { data: Float64Array.from([1, 2, 2, 2, 2, 3, 8, 7, 8, 8, 25, 80]), n: 6, d: 2 };
    const r = dbscan(m, 3, 2);
    expect(Array.from(r.labels)).toEqual(refs.dbscanDoc);
    expect(r).toMatchObject({ clusters: 2, noise: 1 });
  });

  it('gives scikit-learn labels on the blobs (eps 1.5, min_samples 8): same noise rows, same partition', () => {
    const r = dbscan(blobs, refs.dbscanBlobs.eps, refs.dbscanBlobs.minSamples);
    const ours = Array.from(r.labels);
    expect(ours.map((l) => l === -1)).toEqual(refs.dbscanBlobs.labels.map((l) => l === -1));
    expect(adjustedRandIndex(ours, refs.dbscanBlobs.labels)).toBe(1);
    // Clusters are numbered in the order their first core row comes, as scikit-learn does.
    expect(ours).toEqual(refs.dbscanBlobs.labels);
  });

  it('suggests an eps from the k-distance curve that finds the four blobs', () => {
    const { distances, suggestedEps } = kDistance(blobs, 8);
    expect(distances).toHaveLength(600);
    for (let i = 1; i < distances.length; i++) expect(distances[i]).toBeGreaterThanOrEqual(distances[i - 1] as number);
    expect(suggestedEps).not.toBeNull();
    const r = dbscan(blobs, suggestedEps as number, 8);
    expect(r.clusters).toBe(4);
  });
});
