import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cut, hierarchical, type Linkage } from './hierarchical.js';
import type { Matrix } from './kmeans.js';
import { adjustedRandIndex } from './metrics.js';

/**
 * Agglomerative clustering against scipy 1.10.1's `linkage` (which scikit-learn's AgglomerativeClustering agrees
 * with) on the first 80 rows of test/fixtures/sklearn/blobs.csv: every merge height within 1e-9 relative, and the
 * cut into 4 clusters the same partition as `fcluster(Z, 4, 'maxclust')` (values in cluster-refs.json, written by
 * make_cluster_refs.py beside it).
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('cluster-refs.json', FIXTURES), 'utf8')) as {
  hierarchical: Record<Linkage, { heights: number[]; cut4: number[] }>;
};
const rows = readFileSync(new URL('blobs.csv', FIXTURES), 'utf8').trim().split('\n').slice(1, 81).map((l) => l.split(',').map(Number));
const sub: Matrix = { data: Float64Array.from(rows.flatMap((r) => r.slice(0, 3))), n: rows.length, d: 3 };

describe('hierarchical clustering against scipy', () => {
  for (const method of ['ward', 'complete', 'average', 'single'] as const) {
    it(`${method}: merge heights and the cut into 4 clusters`, () => {
      const merges = hierarchical(sub, method);
      expect(merges).toHaveLength(79);
      refs.hierarchical[method].heights.forEach((h, i) => expect(Math.abs((merges[i]?.height as number) - h) / Math.max(h, 1e-12)).toBeLessThan(1e-9));
      expect(merges[78]?.size).toBe(80);
      expect(adjustedRandIndex(cut(merges, 80, { k: 4 }), refs.hierarchical[method].cut4)).toBeCloseTo(1, 12);
    });
  }

  it('cuts by height: below the first merge every row alone, above the last one cluster', () => {
    const merges = hierarchical(sub, 'ward');
    expect(new Set(cut(merges, 80, { height: 0 })).size).toBe(80);
    expect(new Set(cut(merges, 80, { height: (merges[78]?.height as number) + 1 })).size).toBe(1);
    const h = ((merges[75]?.height as number) + (merges[76]?.height as number)) / 2;
    expect(new Set(cut(merges, 80, { height: h })).size).toBe(4);
  });
});
