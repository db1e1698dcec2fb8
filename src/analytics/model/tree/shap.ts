import { maxDepth, treeExpectation, type TreeEnsemble } from './ensemble.js';

/**
 * TreeSHAP, the exact path-dependent algorithm of Lundberg, Erion & Lee (2018), "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2: the Shapley values of the features of one row for a tree's output,
 * where "a feature is unknown" means the tree averages over both children weighted by the training cover of each
 * (the path-dependent conditional expectation). It runs in O(leaves x depth^2) per row and tree instead of the
 * O(2^d) of enumerating feature subsets, by carrying along the root-to-node path the proportion of subsets of each
 * size that reach the node (`pweight`), and undoing ("unwinding") a feature's step when it is split on again lower.
 *
 * Per row: expectation(tree) + sum(phi) = tree output, exactly up to rounding, because each internal node's cover is
 * the sum of its children's (ensemble.ts). An ensemble's values are the sum of its trees' (times `scale`: 1/T to
 * average a forest).
 *
 * The cost on deep trees: a random forest grown to purity has thousands of leaves per tree, so explaining one row
 * takes milliseconds per tree; explain a sample of rows, not a whole table.
 */

/** The path of (feature, zero fraction, one fraction, weight) elements, one segment per recursion level. */
class Paths {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly pweight: Float64Array;

  constructor(depth: number) {
    // Level k's segment holds k + 1 elements and starts where level k - 1's ends: (D + 2)(D + 3) / 2 in all.
    const size = ((depth + 2) * (depth + 3)) / 2 + 1;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.pweight = new Float64Array(size);
  }
}

/** Explains rows through the trees of one ensemble; reusable across rows. */
export class TreeShap {
  private readonly paths: Paths;
  private x: Float64Array = new Float64Array(0);
  private row = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiAt = 0;
  private scale = 1;

  constructor(private readonly e: TreeEnsemble) {
    this.paths = new Paths(maxDepth(e) + 1);
  }

  /**
   * Adds scale x the SHAP values of row `row` of x (row-major, d columns) for tree t to phi[phiAt .. phiAt + d).
   */
  addTree(t: number, x: Float64Array, row: number, d: number, phi: Float64Array, phiAt: number, scale: number): void {
    this.x = x;
    this.row = row * d;
    this.phi = phi;
    this.phiAt = phiAt;
    this.scale = scale;
    this.recurse(this.e.treeStart[t] as number, 0, 0, 1, 1, -1);
  }

  private extend(at: number, depth: number, zero: number, one: number, feature: number): void {
    const { pweight: w } = this.paths;
    this.paths.feature[at + depth] = feature;
    this.paths.zero[at + depth] = zero;
    this.paths.one[at + depth] = one;
    w[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      w[at + i + 1] = (w[at + i + 1] as number) + (one * (w[at + i] as number) * (i + 1)) / (depth + 1);
      w[at + i] = (zero * (w[at + i] as number) * (depth - i)) / (depth + 1);
    }
  }

  private unwind(at: number, depth: number, pathIndex: number): void {
    const { pweight: w, feature, zero: zf, one: of } = this.paths;
    const one = of[at + pathIndex] as number;
    const zero = zf[at + pathIndex] as number;
    let next = w[at + depth] as number;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = w[at + i] as number;
        w[at + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - ((w[at + i] as number) * zero * (depth - i)) / (depth + 1);
      } else {
        w[at + i] = ((w[at + i] as number) * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      feature[at + i] = feature[at + i + 1] as number;
      zf[at + i] = zf[at + i + 1] as number;
      of[at + i] = of[at + i + 1] as number;
    }
  }

  /** The total weight the path would have with element pathIndex removed (unwind without changing the path). */
  private unwoundSum(at: number, depth: number, pathIndex: number): number {
    const { pweight: w } = this.paths;
    const one = this.paths.one[at + pathIndex] as number;
    const zero = this.paths.zero[at + pathIndex] as number;
    let total = 0;
    if (one !== 0) {
      let next = w[at + depth] as number;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = next / ((i + 1) * one);
        total += tmp;
        next = (w[at + i] as number) - tmp * zero * (depth - i);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) total += (w[at + i] as number) / (zero * (depth - i));
    }
    return total * (depth + 1);
  }

  /**
   * One node: `parentAt` is where the parent's path segment starts; this node's segment starts right after it (the
   * parent's depth + 1 elements) and begins as a copy.
   */
  private recurse(node: number, depth: number, parentAt: number, pZero: number, pOne: number, pFeature: number): void {
    const e = this.e;
    const p = this.paths;
    const at = parentAt + depth + 1;
    // A plain loop: paths are short, and four copyWithin calls per node cost more than the copying itself.
    for (let k = 0; k < depth; k++) {
      p.feature[at + k] = p.feature[parentAt + k] as number;
      p.zero[at + k] = p.zero[parentAt + k] as number;
      p.one[at + k] = p.one[parentAt + k] as number;
      p.pweight[at + k] = p.pweight[parentAt + k] as number;
    }
    this.extend(at, depth, pZero, pOne, pFeature);
    const f = e.feature[node] as number;
    if (f < 0) {
      const v = (e.value[node] as number) * this.scale;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(at, depth, i);
        const k = this.phiAt + (p.feature[at + i] as number);
        this.phi[k] = (this.phi[k] as number) + w * ((p.one[at + i] as number) - (p.zero[at + i] as number)) * v;
      }
      return;
    }
    const xv = this.x[this.row + f] as number;
    const goLeft = xv === xv ? xv <= (e.threshold[node] as number) : e.missingLeft[node] === 1;
    const left = node + 1;
    const right = e.right[node] as number;
    const hot = goLeft ? left : right;
    const cold = goLeft ? right : left;
    const cover = e.cover[node] as number;
    const hotZero = (e.cover[hot] as number) / cover;
    const coldZero = (e.cover[cold] as number) / cover;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    // A feature already on the path: undo its earlier step, so that it appears once with the combined fractions.
    let k = 0;
    for (; k <= d; k++) if ((p.feature[at + k] as number) === f) break;
    if (k !== d + 1) {
      inZero = p.zero[at + k] as number;
      inOne = p.one[at + k] as number;
      this.unwind(at, d, k);
      d -= 1;
    }
    // A child that no subset can reach (zero cover, and not on x's path) adds nothing: skipping it also avoids 0/0.
    if (hotZero * inZero !== 0 || inOne !== 0) this.recurse(hot, d + 1, at, hotZero * inZero, inOne, f);
    if (coldZero * inZero !== 0) this.recurse(cold, d + 1, at, coldZero * inZero, 0, f);
  }
}

/**
 * SHAP values of the n rows of x (row-major, d columns) for the sum of the ensemble's trees times `scale`: n x d,
 * row-major. `base` is scale x the sum of the trees' expectations: base + sum of a row's values = scale x the sum of
 * the trees' outputs for it.
 */
export function ensembleShap(e: TreeEnsemble, x: Float64Array, n: number, d: number, scale: number): { base: number; values: Float64Array } {
  const values = new Float64Array(n * d);
  const shap = new TreeShap(e);
  for (let i = 0; i < n; i++) for (let t = 0; t < e.nTrees; t++) shap.addTree(t, x, i, d, values, i * d, scale);
  let base = 0;
  for (let t = 0; t < e.nTrees; t++) base += treeExpectation(e, t);
  return { base: base * scale, values };
}
