import { splitThreshold, type BinMapper } from './bins.js';

/**
 * The fitted trees of a model, stored as flat typed arrays rather than node objects: prediction walks arrays, and the
 * model serialises to a handful of binary blobs. Every tree is laid out in preorder, one after another: a node's left
 * child is the next node, its right child is `right[node]`. Splits are on bins of the model's BinMapper; `threshold`
 * holds the raw value (x <= threshold goes left, NaN goes where `missingLeft` says; +Infinity sends only NaN right).
 *
 * `cover` is the training weight that reached a node (rows x sample weights; for a forest, bootstrap counts too): an
 * internal node's cover is the sum of its children's, which TreeSHAP needs for its additivity to hold exactly.
 */
export interface TreeEnsemble {
  nTrees: number;
  /** Node index where tree t starts: treeStart[t] .. treeStart[t + 1]. */
  treeStart: Int32Array;
  /** Split feature, or -1 on a leaf. */
  feature: Int32Array;
  /** Bins <= this go left: a bin of the BinMapper the ensemble was built (or read back) with. */
  bin: Uint8Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  right: Int32Array;
  /** The tree's output on a leaf (0 on internal nodes). */
  value: Float64Array;
  cover: Float64Array;
}

/** Appends trees node by node, in preorder, into growable arrays. */
export class EnsembleBuilder {
  private cap = 0;
  private size = 0;
  private starts: number[] = [0];
  feature = new Int32Array(0);
  bin = new Uint8Array(0);
  missingLeft = new Uint8Array(0);
  right = new Int32Array(0);
  value = new Float64Array(0);
  cover = new Float64Array(0);

  constructor(initial = 1024) {
    this.grow(initial);
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2, 64);
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (k: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.feature = copy(this.feature, (k) => new Int32Array(k));
    this.bin = copy(this.bin, (k) => new Uint8Array(k));
    this.missingLeft = copy(this.missingLeft, (k) => new Uint8Array(k));
    this.right = copy(this.right, (k) => new Int32Array(k));
    this.value = copy(this.value, (k) => new Float64Array(k));
    this.cover = copy(this.cover, (k) => new Float64Array(k));
    this.cap = cap;
  }

  /** Index the next node will get. */
  get length(): number {
    return this.size;
  }

  /** A split node; its right child is set later with setRight. Returns its index. */
  addSplit(feature: number, bin: number, missingLeft: boolean, cover: number): number {
    if (this.size === this.cap) this.grow(this.size + 1);
    const i = this.size++;
    this.feature[i] = feature;
    this.bin[i] = bin;
    this.missingLeft[i] = missingLeft ? 1 : 0;
    this.right[i] = -1;
    this.value[i] = 0;
    this.cover[i] = cover;
    return i;
  }

  addLeaf(value: number, cover: number): number {
    if (this.size === this.cap) this.grow(this.size + 1);
    const i = this.size++;
    this.feature[i] = -1;
    this.bin[i] = 0;
    this.missingLeft[i] = 0;
    this.right[i] = -1;
    this.value[i] = value;
    this.cover[i] = cover;
    return i;
  }

  setRight(node: number, child: number): void {
    this.right[node] = child;
  }

  /** Where the last closed tree starts. */
  get lastRoot(): number {
    return this.starts[this.starts.length - 2] ?? 0;
  }

  /** Closes the tree whose nodes were added since the last call. */
  endTree(): void {
    this.starts.push(this.size);
  }

  /** The ensemble, with raw thresholds taken from the bin mapper. */
  build(bins: BinMapper): TreeEnsemble {
    const n = this.size;
    const e: TreeEnsemble = {
      nTrees: this.starts.length - 1,
      treeStart: Int32Array.from(this.starts),
      feature: this.feature.slice(0, n),
      bin: this.bin.slice(0, n),
      threshold: new Float64Array(n),
      missingLeft: this.missingLeft.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n),
      cover: this.cover.slice(0, n),
    };
    for (let i = 0; i < n; i++) {
      const f = e.feature[i] as number;
      if (f >= 0) e.threshold[i] = splitThreshold(bins, f, e.bin[i] as number);
    }
    return e;
  }
}

/**
 * Adds each tree's output to out[i] for the n rows of x (row-major, d columns), trees from..to. Tree by tree rather
 * than row by row: one tree's nodes stay in cache while all rows go through it.
 */
export function addTreeOutputs(e: TreeEnsemble, x: Float64Array, n: number, d: number, out: Float64Array, from = 0, to = e.nTrees): void {
  const { feature, threshold, missingLeft, right, value } = e;
  for (let t = from; t < to; t++) {
    const root = e.treeStart[t] as number;
    for (let i = 0; i < n; i++) {
      let node = root;
      const row = i * d;
      let f = feature[node] as number;
      while (f >= 0) {
        const v = x[row + f] as number;
        const left = v === v ? v <= (threshold[node] as number) : missingLeft[node] === 1;
        node = left ? node + 1 : (right[node] as number);
        f = feature[node] as number;
      }
      out[i] = (out[i] as number) + (value[node] as number);
    }
  }
}

/** The node arrays that walking a tree needs (an ensemble, or a builder while trees are being added). */
export type TreeNodes = Pick<TreeEnsemble, 'feature' | 'bin' | 'missingLeft' | 'right' | 'value'>;

/**
 * Adds the output of the tree rooted at `root` to out[i] for binned rows (validation data during a fit): a bin <= the
 * split bin goes left, the missing bin where the split sends NaN.
 */
export function addTreeOutputsBinned(e: TreeNodes, root: number, binned: Uint8Array, n: number, d: number, missingBin: number, out: Float64Array): void {
  const { feature, bin, missingLeft, right, value } = e;
  for (let i = 0; i < n; i++) {
    let node = root;
    const row = i * d;
    let f = feature[node] as number;
    while (f >= 0) {
      const b = binned[row + f] as number;
      const left = b === missingBin ? missingLeft[node] === 1 : b <= (bin[node] as number);
      node = left ? node + 1 : (right[node] as number);
      f = feature[node] as number;
    }
    out[i] = (out[i] as number) + (value[node] as number);
  }
}

/** The cover-weighted mean output of tree t: what TreeSHAP explains a row's output against. */
export function treeExpectation(e: TreeEnsemble, t: number): number {
  const start = e.treeStart[t] as number;
  const end = e.treeStart[t + 1] as number;
  let s = 0;
  for (let i = start; i < end; i++) if ((e.feature[i] as number) < 0) s += (e.value[i] as number) * (e.cover[i] as number);
  return s / (e.cover[start] as number);
}

/** Deepest root-to-leaf path over all trees (edges), to size TreeSHAP's path buffers. */
export function maxDepth(e: TreeEnsemble): number {
  let deepest = 0;
  const depth = new Int32Array(e.feature.length);
  for (let t = 0; t < e.nTrees; t++) {
    const start = e.treeStart[t] as number;
    const end = e.treeStart[t + 1] as number;
    depth[start] = 0;
    for (let i = start; i < end; i++) {
      const di = depth[i] as number;
      if (di > deepest) deepest = di;
      if ((e.feature[i] as number) >= 0) {
        depth[i + 1] = di + 1;
        depth[e.right[i] as number] = di + 1;
      }
    }
  }
  return deepest;
}

/** Sets each internal node's cover to the sum of its children's (leaf covers are kept), walking each tree backwards. */
export function sumCovers(e: TreeEnsemble): void {
  for (let i = e.feature.length - 1; i >= 0; i--) {
    if ((e.feature[i] as number) >= 0) e.cover[i] = (e.cover[i + 1] as number) + (e.cover[e.right[i] as number] as number);
  }
}
