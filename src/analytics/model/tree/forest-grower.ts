import type { Rng } from '../../../kernel/index.js';
import type { BinMapper } from './bins.js';
import type { EnsembleBuilder } from './ensemble.js';

/**
 * Grows one classification tree of a random forest on binned features: depth first, Gini impurity on weighted class
 * counts, `maxFeatures` features drawn at random at each node, as scikit-learn's DecisionTreeClassifier with
 * splitter='best' does inside RandomForestClassifier, except that the candidate thresholds are the bin edges of the
 * BinMapper (at most 255 per feature) instead of every midpoint between distinct values. A node's split is then found
 * from a per-feature histogram of class weights in one pass over its rows, instead of sorting them: much faster on
 * large tables, at the price of splits that can only fall on bin edges (which the fixtures and the benchmark show to
 * cost nothing measurable in AUC).
 *
 * Like scikit-learn's splitter, a drawn feature that is constant on the node's rows does not count towards
 * `maxFeatures` (drawing goes on while features remain), and a node is split even when the best split does not lower
 * the impurity. A node stops being split when it is pure, has fewer than `minSamplesSplit` or 2 x `minSamplesLeaf`
 * rows, reaches `maxDepth`, or no feature varies on its rows. Rows count once whatever their bootstrap multiplicity
 * (min_samples_leaf counts rows, as in scikit-learn); the weights (bootstrap count x sample weight) make the class
 * shares. Missing values (the missing bin) are tried on both sides of each threshold and go where the impurity is
 * lower; a feature without missing values on the node sends them to the child with more rows.
 */

/** Nodes with at most this many rows sort their few bins instead of walking the whole range of bins. */
const SMALL_NODE = 48;

export interface ForestTreeOptions {
  maxFeatures: number;
  maxDepth: number | null;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  bootstrap: boolean;
}

export class ForestGrower {
  /** The node's rows, each a contiguous range of idx; w0 and w1 hold each row's class weights at the same positions. */
  private readonly idx: Uint32Array;
  private readonly w0: Float64Array;
  private readonly w1: Float64Array;
  /**
   * The bins column-major: a node's histogram of one feature reads one column (n bytes, which stays in cache) at its
   * rows, instead of bytes spread over the whole row-major matrix.
   */
  private readonly cols: Uint8Array;
  private readonly counts: Int32Array;
  private readonly feats: Int32Array;
  /** Per bin: class-0 weight, class-1 weight, row count (one feature at a time). */
  private readonly h0: Float64Array;
  private readonly h1: Float64Array;
  private readonly hc: Int32Array;
  /** The non-missing bins that hold rows, in increasing order, for the feature being tried. */
  private readonly occupied: Int32Array;
  // The best split of the current node.
  private bestScore = 0;
  private bestFeature = -1;
  private bestBin = 0;
  private bestMissingLeft = false;
  private bestL0 = 0;
  private bestL1 = 0;
  private bestR0 = 0;
  private bestR1 = 0;

  constructor(
    binned: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly bins: BinMapper,
    private readonly y: Uint8Array,
    private readonly w: Float64Array | null,
    private readonly opts: ForestTreeOptions,
  ) {
    this.idx = new Uint32Array(n);
    this.w0 = new Float64Array(n);
    this.w1 = new Float64Array(n);
    this.cols = new Uint8Array(n * d);
    for (let i = 0, p = 0; i < n; i++) for (let f = 0; f < d; f++, p++) this.cols[f * n + i] = binned[p] as number;
    this.counts = new Int32Array(n);
    this.feats = new Int32Array(d);
    const nb = bins.missingBin + 1;
    this.h0 = new Float64Array(nb);
    this.h1 = new Float64Array(nb);
    this.hc = new Int32Array(nb);
    this.occupied = new Int32Array(nb);
  }

  /** Grows one tree (bootstrap rows drawn from rng) and appends it, in preorder, to the builder. */
  growTree(builder: EnsembleBuilder, rng: Rng): void {
    const { n, idx, counts, y, w } = this;
    counts.fill(0);
    if (this.opts.bootstrap) {
      for (let k = 0; k < n; k++) {
        const i = Math.floor(rng.next() * n);
        counts[i] = (counts[i] as number) + 1;
      }
    } else counts.fill(1);
    let m = 0;
    let w0 = 0;
    let w1 = 0;
    for (let i = 0; i < n; i++) {
      const s = (counts[i] as number) * (w ? (w[i] as number) : 1);
      if (s > 0) {
        const pos = y[i] === 1;
        this.w1[m] = pos ? s : 0;
        this.w0[m] = pos ? 0 : s;
        idx[m++] = i;
        if (pos) w1 += s;
        else w0 += s;
      }
    }
    // Depth-first with an explicit stack, left child first, so that nodes are created in preorder. Each entry: start,
    // end, depth, parent index (-1 for the root and for left children, whose index is their parent's + 1), w0, w1.
    const stack: number[] = [0, m, 0, -1, w0, w1];
    while (stack.length > 0) {
      const c1 = stack.pop() as number;
      const c0 = stack.pop() as number;
      const parent = stack.pop() as number;
      const depth = stack.pop() as number;
      const end = stack.pop() as number;
      const start = stack.pop() as number;
      if (parent >= 0) builder.setRight(parent, builder.length);
      const rows = end - start;
      const { maxDepth, minSamplesLeaf, minSamplesSplit } = this.opts;
      const leaf =
        c0 === 0 || c1 === 0 || rows < minSamplesSplit || rows < 2 * minSamplesLeaf || (maxDepth !== null && depth >= maxDepth) || !this.findSplit(start, end, rng);
      if (leaf) {
        builder.addLeaf(c1 / (c0 + c1), c0 + c1);
        continue;
      }
      const f = this.bestFeature;
      const bin = this.bestBin;
      const ml = this.bestMissingLeft;
      const mid = this.partition(start, end, f, bin, ml);
      const node = builder.addSplit(f, bin, ml, c0 + c1);
      stack.push(mid, end, depth + 1, node, this.bestR0, this.bestR1);
      stack.push(start, mid, depth + 1, -1, this.bestL0, this.bestL1);
    }
    builder.endTree();
  }

  /** Rows with bins <= bin (or missing, if missingLeft) first; returns where the right child starts. */
  private partition(start: number, end: number, f: number, bin: number, missingLeft: boolean): number {
    const { idx, w0, w1, cols } = this;
    const base = f * this.n;
    const mb = this.bins.missingBin;
    let l = start;
    let r = end - 1;
    for (;;) {
      while (l <= r) {
        const b = cols[base + (idx[l] as number)] as number;
        if (b === mb ? missingLeft : b <= bin) l++;
        else break;
      }
      while (l <= r) {
        const b = cols[base + (idx[r] as number)] as number;
        if (b === mb ? missingLeft : b <= bin) break;
        r--;
      }
      if (l >= r) break;
      const t = idx[l] as number;
      idx[l] = idx[r] as number;
      idx[r] = t;
      const t0 = w0[l] as number;
      w0[l] = w0[r] as number;
      w0[r] = t0;
      const t1 = w1[l] as number;
      w1[l] = w1[r] as number;
      w1[r] = t1;
      l++;
      r--;
    }
    return l;
  }

  /** Draws features until maxFeatures non-constant ones were tried; false when none varies. */
  private findSplit(start: number, end: number, rng: Rng): boolean {
    const { feats, d } = this;
    for (let f = 0; f < d; f++) feats[f] = f;
    this.bestFeature = -1;
    this.bestScore = Number.NEGATIVE_INFINITY;
    let tried = 0;
    for (let drawn = 0; drawn < d && tried < this.opts.maxFeatures; drawn++) {
      const j = drawn + Math.floor(rng.next() * (d - drawn));
      const f = feats[j] as number;
      feats[j] = feats[drawn] as number;
      feats[drawn] = f;
      if (this.tryFeature(start, end, f)) tried++;
    }
    return this.bestFeature >= 0;
  }

  /**
   * Histogram of feature f over the node's rows, then the best threshold on it (Gini, both sides for missing values).
   * Returns false when f is constant on the rows (one bin).
   */
  private tryFeature(start: number, end: number, f: number): boolean {
    const { idx, w0, w1, h0, h1, hc, occupied, cols } = this;
    const base = f * this.n;
    const mb = this.bins.missingBin;
    const rows = end - start;
    let nOcc = 0;
    if (rows <= SMALL_NODE) {
      // Few rows: note the bins they fill and sort those, rather than walk a bin range that may span 255 bins.
      for (let k = start; k < end; k++) {
        const b = cols[base + (idx[k] as number)] as number;
        const c = hc[b] as number;
        if (c === 0 && b !== mb) occupied[nOcc++] = b;
        h0[b] = (h0[b] as number) + (w0[k] as number);
        h1[b] = (h1[b] as number) + (w1[k] as number);
        hc[b] = c + 1;
      }
      for (let a = 1; a < nOcc; a++) {
        const v = occupied[a] as number;
        let j = a - 1;
        while (j >= 0 && (occupied[j] as number) > v) {
          occupied[j + 1] = occupied[j] as number;
          j--;
        }
        occupied[j + 1] = v;
      }
    } else {
      let lo = mb;
      let hi = -1;
      for (let k = start; k < end; k++) {
        const b = cols[base + (idx[k] as number)] as number;
        h0[b] = (h0[b] as number) + (w0[k] as number);
        h1[b] = (h1[b] as number) + (w1[k] as number);
        hc[b] = (hc[b] as number) + 1;
        if (b !== mb) {
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      for (let b = lo; b <= hi; b++) if ((hc[b] as number) > 0) occupied[nOcc++] = b;
    }
    const missRows = hc[mb] as number;
    const constant = nOcc === 0 || (nOcc === 1 && missRows === 0);
    if (!constant) this.scan(f, nOcc, rows, missRows, h0[mb] as number, h1[mb] as number);
    // Leave the histogram zeroed for the next feature: only the bins that were filled.
    for (let k = 0; k < nOcc; k++) {
      const b = occupied[k] as number;
      h0[b] = 0;
      h1[b] = 0;
      hc[b] = 0;
    }
    h0[mb] = 0;
    h1[mb] = 0;
    hc[mb] = 0;
    return !constant;
  }

  /**
   * Every threshold between consecutive non-empty bins (occupied[0..nOcc), increasing), scored by the Gini proxy: the
   * sum over both children of (w0^2 + w1^2) / (w0 + w1), the larger the purer.
   */
  private scan(f: number, nOcc: number, rows: number, missRows: number, m0: number, m1: number): void {
    const { h0, h1, hc, occupied } = this;
    const msl = this.opts.minSamplesLeaf;
    let t0 = 0;
    let t1 = 0;
    for (let k = 0; k < nOcc; k++) {
      const b = occupied[k] as number;
      t0 += h0[b] as number;
      t1 += h1[b] as number;
    }
    let l0 = 0;
    let l1 = 0;
    let lc = 0;
    for (let k = 0; k <= nOcc; k++) {
      // Candidate: left = the bins before occupied[k]; its split bin is the middle edge of the empty gap up to it.
      if (k > 0) {
        const atEnd = k === nOcc;
        const splitBin = atEnd ? (this.bins.nBinsNonMissing[f] as number) - 1 : ((occupied[k - 1] as number) + (occupied[k] as number) - 1) >> 1;
        // Missing values right (at the end: all non-missing rows left, only missing rows right).
        if (!atEnd || missRows > 0) this.consider(f, splitBin, missRows === 0 ? lc > rows - lc : false, l0, l1, lc, t0 - l0 + m0, t1 - l1 + m1, rows - lc, msl);
        // Missing values left.
        if (!atEnd && missRows > 0) this.consider(f, splitBin, true, l0 + m0, l1 + m1, lc + missRows, t0 - l0, t1 - l1, rows - lc - missRows, msl);
      }
      if (k === nOcc) break;
      const b = occupied[k] as number;
      l0 += h0[b] as number;
      l1 += h1[b] as number;
      lc += hc[b] as number;
    }
  }

  /** Keeps the split if it is the best so far (missingLeft: where NaN goes; without NaN on the node, the larger child). */
  private consider(f: number, bin: number, missingLeft: boolean, l0: number, l1: number, lc: number, r0: number, r1: number, rc: number, msl: number): void {
    if (lc < msl || rc < msl) return;
    const wl = l0 + l1;
    const wr = r0 + r1;
    if (!(wl > 0 && wr > 0)) return;
    const score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr;
    if (score > this.bestScore) {
      this.bestScore = score;
      this.bestFeature = f;
      this.bestBin = bin;
      this.bestMissingLeft = missingLeft;
      this.bestL0 = l0;
      this.bestL1 = l1;
      this.bestR0 = r0;
      this.bestR1 = r1;
    }
  }
}
