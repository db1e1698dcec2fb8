import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/index.js';
import type { Dataset } from '../types.js';
import type { BinMapper } from './bins.js';
import { EnsembleBuilder, sumCovers, treeExpectation, type TreeEnsemble } from './ensemble.js';
import { fitForest } from './forest.js';
import { fitGbdt } from './gbdt.js';
import { ensembleShap } from './shap.js';

/**
 * TreeSHAP (Algorithm 2 of Lundberg et al. 2018) against an independent brute force: the exact Shapley values of the
 * set function v(S) = E[f(x) | x_S], where the tree follows x on the features in S and averages both children
 * weighted by their training cover elsewhere (the path-dependent expectation), enumerating all 2^d subsets. They must
 * agree to 1e-9 on small trees (d <= 6), including trees that split twice on a feature along one path, send NaN
 * either way, and have a child of zero cover.
 */

/** v(S) for one tree: S is a bit mask over the d features. */
function conditional(e: TreeEnsemble, node: number, x: Float64Array, row: number, mask: number): number {
  const f = e.feature[node] as number;
  if (f < 0) return e.value[node] as number;
  const left = node + 1;
  const right = e.right[node] as number;
  if (mask & (1 << f)) {
    const v = x[row + f] as number;
    const goLeft = Number.isNaN(v) ? e.missingLeft[node] === 1 : v <= (e.threshold[node] as number);
    return conditional(e, goLeft ? left : right, x, row, mask);
  }
  const cl = e.cover[left] as number;
  const cr = e.cover[right] as number;
  return (cl * conditional(e, left, x, row, mask) + cr * conditional(e, right, x, row, mask)) / (cl + cr);
}

function factorial(k: number): number {
  let r = 1;
  for (let i = 2; i <= k; i++) r *= i;
  return r;
}

/** Exact Shapley values of row i (summed over the trees, times scale) by enumerating every subset. */
function bruteForce(e: TreeEnsemble, x: Float64Array, i: number, d: number, scale: number): Float64Array {
  const phi = new Float64Array(d);
  const row = i * d;
  for (let t = 0; t < e.nTrees; t++) {
    const root = e.treeStart[t] as number;
    const v = new Float64Array(1 << d);
    for (let mask = 0; mask < 1 << d; mask++) v[mask] = conditional(e, root, x, row, mask);
    for (let j = 0; j < d; j++) {
      for (let mask = 0; mask < 1 << d; mask++) {
        if (mask & (1 << j)) continue;
        let size = 0;
        for (let b = 0; b < d; b++) if (mask & (1 << b)) size++;
        const weight = (factorial(size) * factorial(d - size - 1)) / factorial(d);
        phi[j] = (phi[j] as number) + scale * weight * ((v[mask | (1 << j)] as number) - (v[mask] as number));
      }
    }
  }
  return phi;
}

function expectAgreement(e: TreeEnsemble, x: Float64Array, n: number, d: number, scale: number): void {
  const { base, values } = ensembleShap(e, x, n, d, scale);
  let expected = 0;
  for (let t = 0; t < e.nTrees; t++) expected += treeExpectation(e, t);
  expect(Math.abs(base - scale * expected)).toBeLessThan(1e-12);
  for (let i = 0; i < n; i++) {
    const phi = bruteForce(e, x, i, d, scale);
    for (let j = 0; j < d; j++) expect(Math.abs((values[i * d + j] as number) - (phi[j] as number))).toBeLessThan(1e-9);
  }
}

/** A small nonlinear problem with interactions, NaN in column 1. */
function synthetic(n: number, d: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    const z = (x[i * d] as number) * (x[i * d + 1] as number) + Math.sin(2 * (x[i * d + 2] as number)) + 0.5 * (x[i * d + 3] as number) + rng.normal(0, 0.5);
    y[i] = z > 0.3 ? 1 : 0;
    if (rng.chance(0.1)) x[i * d + 1] = Number.NaN;
  }
  return { x, n, d, y, features: Array.from({ length: d }, (_, j) => `f${j}`) };
}

describe('TreeSHAP against brute-force Shapley values (tolerance 1e-9)', () => {
  it('on two hand-built trees that split twice on one feature, send NaN left and have zero-cover leaves', () => {
    // f0 <= 0.5 ? (f1 <= 1 ? (f0 <= -1 ? 3 : -2) : [NaN->left] (f2 <= 0 ? 1 : 7 [cover 0])) : (f0 <= 2 ? 4 : -5)
    const bins: BinMapper = { d: 3, thresholds: [Float64Array.from([-1, 0.5, 2]), Float64Array.from([1]), Float64Array.from([0])], nBinsNonMissing: Int32Array.from([4, 2, 2]), missingBin: 255 };
    const b = new EnsembleBuilder();
    const root = b.addSplit(0, 1, false, 0);
    const n1 = b.addSplit(1, 0, true, 0);
    const n2 = b.addSplit(0, 0, false, 0);
    b.addLeaf(3, 10);
    b.setRight(n2, b.length);
    b.addLeaf(-2, 25);
    b.setRight(n1, b.length);
    const n3 = b.addSplit(2, 0, false, 0);
    b.addLeaf(1, 15);
    b.setRight(n3, b.length);
    b.addLeaf(7, 0);
    b.setRight(root, b.length);
    const n4 = b.addSplit(0, 2, false, 0);
    b.addLeaf(4, 30);
    b.setRight(n4, b.length);
    b.addLeaf(-5, 20);
    b.endTree();
    // A second tree: for f0 > 0.5 the left subtree is cold, and inside it the hot child of f0 <= -1 has zero cover.
    const m = b.addSplit(0, 1, false, 0);
    const m1 = b.addSplit(0, 0, false, 0);
    b.addLeaf(2, 5);
    b.setRight(m1, b.length);
    b.addLeaf(-1, 0);
    b.setRight(m, b.length);
    b.addLeaf(6, 9);
    b.endTree();
    const e = b.build(bins);
    sumCovers(e);
    const rows = [
      [-2, 0, 1],
      [0, 2, -1],
      [0, 2, 1],
      [0, Number.NaN, 1],
      [1, 0, 0],
      [3, Number.NaN, Number.NaN],
      [-1, 1, 0],
    ];
    expectAgreement(e, Float64Array.from(rows.flat()), rows.length, 3, 1);
  });

  it('on gradient boosting trees (6 features, 8 leaves, 5 trees), log-odds scale', () => {
    const data = synthetic(600, 6, 1);
    const model = fitGbdt(data, { maxIter: 5, maxLeafNodes: 8, minSamplesLeaf: 5 });
    expectAgreement(model.trees, data.x.subarray(0, 20 * 6), 20, 6, 1);
  });

  it('on random forest trees (5 features, depth <= 5, 4 trees), averaged', () => {
    const data = synthetic(400, 5, 2);
    const model = fitForest(data, { nEstimators: 4, maxDepth: 5, seed: 3 });
    expectAgreement(model.trees, data.x.subarray(0, 20 * 5), 20, 5, 1 / 4);
  });
});

describe('TreeSHAP additivity on full-size models (tolerance 1e-9)', () => {
  it('gradient boosting: base + sum = log-odds; forest: base + sum = probability', () => {
    const data = synthetic(1500, 8, 4);
    const test = synthetic(40, 8, 5);
    const gbdt = fitGbdt(data, { maxIter: 40 });
    const forest = fitForest(data, { nEstimators: 20, seed: 1 });
    const raw = gbdt.predictRaw(test.x, test.n);
    const p = forest.predictProba(test.x, test.n);
    const cg = gbdt.contributions(test.x, test.n);
    const cf = forest.contributions(test.x, test.n);
    expect(cg.scale).toBe('log-odds');
    expect(cf.scale).toBe('probability');
    for (let i = 0; i < test.n; i++) {
      let sg = cg.base;
      let sf = cf.base;
      for (let j = 0; j < 8; j++) {
        sg += cg.values[i * 8 + j] as number;
        sf += cf.values[i * 8 + j] as number;
      }
      expect(Math.abs(sg - (raw[i] as number))).toBeLessThan(1e-9);
      expect(Math.abs(sf - (p[i] as number))).toBeLessThan(1e-9);
    }
    // The interaction and the strong features get the largest mean |contribution|; pure-noise columns 4..7 do not.
    const meanAbs = (j: number): number => {
      let s = 0;
      for (let i = 0; i < test.n; i++) s += Math.abs(cg.values[i * 8 + j] as number);
      return s / test.n;
    };
    const informative = Math.min(meanAbs(0), meanAbs(2), meanAbs(3));
    for (let j = 4; j < 8; j++) expect(meanAbs(j)).toBeLessThan(informative);
  });
});
