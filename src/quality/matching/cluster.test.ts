import { describe, expect, it } from 'vitest';
import { clusterPairs, UnionFind } from './cluster.js';

describe('clusterPairs', () => {
  it('groups records linked directly or through others, largest group first', () => {
    const groups = clusterPairs(10, [0, 1, 5, 7], [1, 2, 6, 8]);
    expect(groups.map((g) => g.members)).toEqual([[0, 1, 2], [5, 6], [7, 8]]);
    expect(groups.map((g) => g.links)).toEqual([2, 1, 1]);
  });

  it('flags a group chained through weak links, not a star or a dense group', () => {
    // 0-1-2-3: 0 and 3 are three links apart.
    expect(clusterPairs(4, [0, 1, 2], [1, 2, 3])[0]!.chained).toBe(true);
    // A star around 0: every member within two links of every other.
    expect(clusterPairs(5, [0, 0, 0, 0], [1, 2, 3, 4])[0]!.chained).toBe(false);
    // Four records all linked to each other.
    expect(clusterPairs(4, [0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3])[0]!.chained).toBe(false);
    // Too large to check: flagged.
    const n = 12;
    const a = Array.from({ length: n - 1 }, () => 0);
    const b = Array.from({ length: n - 1 }, (_, i) => i + 1);
    expect(clusterPairs(n, a, b, 10)[0]!.chained).toBe(true);
  });

  it('keeps union-find sizes and roots consistent', () => {
    const uf = new UnionFind(6);
    expect(uf.union(0, 1)).toBe(true);
    expect(uf.union(1, 0)).toBe(false);
    uf.union(2, 3);
    uf.union(1, 3);
    expect(new Set([0, 1, 2, 3].map((x) => uf.find(x))).size).toBe(1);
    expect(uf.find(4)).not.toBe(uf.find(5));
  });
});
