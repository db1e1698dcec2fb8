import type { BinMapper } from './bins.js';
import type { EnsembleBuilder } from './ensemble.js';

/**
 * Grows one regression tree of gradient boosting on binned features, as scikit-learn's HistGradientBoosting
 * `TreeGrower` does (1.2):
 *
 * - best-first (leaf-wise): the splittable node with the largest gain is split next, until `maxLeafNodes` leaves;
 * - a node's split is found from its histograms (per feature and bin: sum of gradients, of hessians, row count),
 *   scanning the bins left to right with missing values sent right, then right to left with missing values sent
 *   left when the feature had missing values in training;
 * - gain = loss(node) - loss(left) - loss(right) with loss = G * value and value = -G / (H + l2), the Newton step;
 *   like scikit-learn, the root's reference value is 0 (which shifts all root gains alike);
 * - only the smaller child's histograms are built from its rows; the larger child's are the parent's minus the
 *   smaller's (the subtraction trick), computed in place in the parent's buffer;
 * - rows are kept in one index array, each node a contiguous range, partitioned stably: histogram sums then add
 *   rows in the same order as scikit-learn's, and with float32 gradients as scikit-learn stores them, the trees agree
 *   with scikit-learn's up to ties between equal gains;
 * - a feature without missing values in training sends NaN to the child that got more rows.
 *
 * Leaf values are the Newton step times the learning rate. All buffers live as long as the grower: one fit reuses
 * them for every tree.
 */

export interface HistGrowerOptions {
  maxLeafNodes: number | null;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** scikit-learn's min_hessian_to_split: a child whose hessian sum is below this is not created. */
const MIN_HESSIAN = 1e-3;

class Node {
  hist: Float64Array | null = null;
  isLeaf = false;
  value: number;
  left: Node | null = null;
  right: Node | null = null;
  // The best split found for this node.
  gain = -1;
  feature = -1;
  bin = 0;
  missingLeft = false;
  gl = 0;
  hl = 0;
  gr = 0;
  hr = 0;
  nl = 0;
  vl = 0;
  vr = 0;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly depth: number,
    readonly sumG: number,
    readonly sumH: number,
    value: number,
  ) {
    this.value = value;
  }

  get count(): number {
    return this.end - this.start;
  }
}

/** A max-heap of nodes by gain. */
class Heap {
  private items: Node[] = [];

  get size(): number {
    return this.items.length;
  }

  push(n: Node): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as Node).gain >= n.gain) break;
      a[i] = a[p] as Node;
      i = p;
    }
    a[i] = n;
  }

  pop(): Node {
    const a = this.items;
    const top = a[0] as Node;
    const last = a.pop() as Node;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && (a[r] as Node).gain > (a[l] as Node).gain ? r : l;
        if ((a[c] as Node).gain <= last.gain) break;
        a[i] = a[c] as Node;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  drain(): Node[] {
    const a = this.items;
    this.items = [];
    return a;
  }
}

/** Whether this machine stores numbers little-endian (byte 0 of a uint32 is its lowest byte): else no uint32 reads. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export class HistGrower {
  /** Gradient and hessian per training row (times its weight): float32, as scikit-learn stores them. */
  private readonly grad: Float32Array;
  private readonly hess: Float32Array;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly stride: number;
  private readonly histSize: number;
  private readonly pool: Float64Array[] = [];
  private heap = new Heap();
  private leaves: Node[] = [];
  /** The binned rows, each padded to a multiple of 4 bytes so that 4 bins are read as one uint32. */
  private readonly rows: Uint8Array;
  private readonly rows32: Uint32Array;
  private readonly rowBytes: number;
  /**
   * The binned matrix again, column by column: a partition reads the split feature of rows spread over the whole
   * matrix, and its column (n bytes) stays in cache where the rows (n d bytes) do not.
   */
  private readonly cols: Uint8Array;
  /** Per bin, 1 if the split being applied sends it left. */
  private readonly side = new Uint8Array(256);
  /** Rows per feature and bin over all rows: the root's counts, the same for every tree. */
  private readonly rootCounts: Float64Array;

  constructor(
    binned: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly bins: BinMapper,
    private readonly hasMissing: Uint8Array,
    private readonly weights: Float64Array | null,
    private readonly opts: HistGrowerOptions,
  ) {
    this.grad = new Float32Array(n);
    this.hess = new Float32Array(n);
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
    // Three numbers per bin (gradients, hessians, count) so that one bin's sums share a cache line.
    this.stride = (bins.missingBin + 1) * 3;
    this.histSize = this.stride * d;
    this.rowBytes = (d + 3) & ~3;
    this.rows = new Uint8Array(n * this.rowBytes);
    for (let i = 0; i < n; i++) this.rows.set(binned.subarray(i * d, i * d + d), i * this.rowBytes);
    this.rows32 = new Uint32Array(this.rows.buffer);
    this.cols = new Uint8Array(n * d);
    for (let i = 0, p = 0; i < n; i++) for (let f = 0; f < d; f++, p++) this.cols[f * n + i] = binned[p] as number;
    this.rootCounts = new Float64Array(this.histSize);
    const counts = this.rootCounts;
    for (let i = 0, p = 0; i < n; i++) {
      for (let f = 0; f < d; f++, p++) {
        const b = binned[p] as number;
        const q = f * this.stride + b * 3 + 2;
        counts[q] = (counts[q] as number) + 1;
      }
    }
  }

  private takeHist(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  private release(node: Node): void {
    if (node.hist) this.pool.push(node.hist);
    node.hist = null;
  }

  /** The best split of a node from its histograms (scikit-learn's Splitter.find_node_split without constraints). */
  private findSplit(node: Node): void {
    const h = node.hist as Float64Array;
    const { d, stride, hasMissing } = this;
    const nbnm = this.bins.nBinsNonMissing;
    const msl = this.opts.minSamplesLeaf;
    const reg = this.opts.l2 + 1e-15;
    const sumG = node.sumG;
    const sumH = node.sumH;
    const n = node.count;
    const lossCurrent = sumG * node.value;
    let best = -1;
    // A split is kept when gain = lossCurrent + gl^2 / (hl + reg) + gr^2 / (hr + reg) (as computed below, with two
    // divisions) beats max(best, 0). Most bins are far from it: they are told apart first without dividing,
    // gl^2 (hr + reg) + gr^2 (hl + reg) < (max(best, 0) - lossCurrent) (hl + reg) (hr + reg), with a margin (1e-9
    // relative) far above the rounding of either form, so the bins that pass, and the choice, are those of the exact test.
    let bar = -lossCurrent * (1 - 1e-9);
    for (let f = 0; f < d; f++) {
      const base = f * stride;
      const miss = hasMissing[f] as number;
      // Left to right, missing values go right; with missing values the last non-missing bin may go left too.
      const end = (nbnm[f] as number) - 1 + miss;
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < end; b++) {
        const q = base + b * 3;
        nl += h[q + 2] as number;
        const nr = n - nl;
        hl += h[q + 1] as number;
        const hr = sumH - hl;
        gl += h[q] as number;
        const gr = sumG - gl;
        if (nl < msl) continue;
        if (nr < msl) break;
        if (hl < MIN_HESSIAN) continue;
        if (hr < MIN_HESSIAN) break;
        if (gl * gl * (hr + reg) + gr * gr * (hl + reg) < bar * (hl + reg) * (hr + reg)) continue;
        const vl = -gl / (hl + reg);
        const vr = -gr / (hr + reg);
        let gain = lossCurrent;
        gain -= gl * vl;
        gain -= gr * vr;
        if (gain > best && gain > 0) {
          best = gain;
          bar = (gain - lossCurrent) * (1 - 1e-9);
          node.gain = gain;
          node.feature = f;
          node.bin = b;
          node.missingLeft = false;
          node.gl = gl;
          node.hl = hl;
          node.gr = gr;
          node.hr = hr;
          node.nl = nl;
          node.vl = vl;
          node.vr = vr;
        }
      }
      if (miss === 0) continue;
      // Right to left, missing values go left.
      let gr = 0;
      let hr = 0;
      let nr = 0;
      for (let b = (nbnm[f] as number) - 2; b >= 0; b--) {
        const q = base + (b + 1) * 3;
        nr += h[q + 2] as number;
        const nl2 = n - nr;
        hr += h[q + 1] as number;
        const hl2 = sumH - hr;
        gr += h[q] as number;
        const gl2 = sumG - gr;
        if (nr < msl) continue;
        if (nl2 < msl) break;
        if (hr < MIN_HESSIAN) continue;
        if (hl2 < MIN_HESSIAN) break;
        if (gl2 * gl2 * (hr + reg) + gr * gr * (hl2 + reg) < bar * (hl2 + reg) * (hr + reg)) continue;
        const vl = -gl2 / (hl2 + reg);
        const vr = -gr / (hr + reg);
        let gain = lossCurrent;
        gain -= gl2 * vl;
        gain -= gr * vr;
        if (gain > best && gain > 0) {
          best = gain;
          bar = (gain - lossCurrent) * (1 - 1e-9);
          node.gain = gain;
          node.feature = f;
          node.bin = b;
          node.missingLeft = true;
          node.gl = gl2;
          node.hl = hl2;
          node.gr = gr;
          node.hr = hr;
          node.nl = nl2;
          node.vl = vl;
          node.vr = vr;
        }
      }
    }
  }

  private finalize(node: Node): void {
    node.isLeaf = true;
    this.leaves.push(node);
    this.release(node);
  }

  private splitOrFinalize(node: Node): void {
    this.findSplit(node);
    if (node.gain <= 0) this.finalize(node);
    else this.heap.push(node);
  }

  /**
   * Stable partition of the node's rows: left rows first, in their order, then right rows. When `hs` is given, the
   * histograms of the child on side `smallLeft` are built from its rows, which the stable partition leaves in the
   * order they had (so the sums add rows in the same order as scikit-learn's). Returns the left count.
   */
  private partition(node: Node, hs: Float64Array | null, smallLeft: boolean): number {
    // The side of every bin, looked up per row rather than worked out with branches the processor cannot predict.
    const side = this.side;
    for (let b = 0; b < 256; b++) side[b] = b === this.bins.missingBin ? (node.missingLeft ? 1 : 0) : b <= node.bin ? 1 : 0;
    const mid = partitionRows(this.idx, this.tmp, node.start, node.end, this.cols, node.feature * this.n, side);
    if (hs) {
      hs.fill(0);
      const [from, to] = smallLeft ? [node.start, mid] : [mid, node.end];
      addRows(hs, this.idx, from, to, this.grad, this.hess, this.rows32, this.rows, this.rowBytes, this.d, this.stride);
    }
    return mid - node.start;
  }

  private splitNext(): void {
    const node = this.heap.pop();
    const { maxLeafNodes, maxDepth, minSamplesLeaf } = this.opts;
    const depth = node.depth + 1;
    const nLeaves = this.leaves.length + this.heap.size + 2;
    // Whether the children will need histograms is known before the rows move: build the smaller one's meanwhile.
    const nl = node.nl;
    const nr = node.count - nl;
    const last = (maxLeafNodes !== null && nLeaves === maxLeafNodes) || (maxDepth !== null && depth === maxDepth);
    const needHist = !last && (nl >= 2 * minSamplesLeaf || nr >= 2 * minSamplesLeaf);
    const smallLeft = nl < nr;
    const hs = needHist ? this.takeHist() : null;
    const nlActual = this.partition(node, hs, smallLeft);
    if (nlActual !== nl) throw new Error(`histogram grower: split expected ${nl} rows left, partition gave ${nlActual}`);
    const mid = node.start + nl;
    const left = new Node(node.start, mid, depth, node.gl, node.hl, node.vl);
    const right = new Node(mid, node.end, depth, node.gr, node.hr, node.vr);
    node.left = left;
    node.right = right;
    if (this.hasMissing[node.feature] === 0) node.missingLeft = left.count > right.count;
    if (last) {
      this.release(node);
      this.finalize(left);
      this.finalize(right);
      if (maxLeafNodes !== null && nLeaves === maxLeafNodes) for (const other of this.heap.drain()) this.finalize(other);
      return;
    }
    if (left.count < 2 * minSamplesLeaf) this.finalize(left);
    if (right.count < 2 * minSamplesLeaf) this.finalize(right);
    if (hs) {
      const small = smallLeft ? left : right;
      const large = smallLeft ? right : left;
      // The parent's buffer becomes the larger child's: parent - smaller.
      const hp = node.hist as Float64Array;
      for (let q = 0; q < hp.length; q++) hp[q] = (hp[q] as number) - (hs[q] as number);
      small.hist = hs;
      large.hist = hp;
      node.hist = null;
      if (left.isLeaf) this.release(left);
      else this.splitOrFinalize(left);
      if (right.isLeaf) this.release(right);
      else this.splitOrFinalize(right);
    } else {
      this.release(node);
    }
  }

  /**
   * Grows one tree on the gradients of the log-loss at raw (the training rows' current log-odds), appends it in
   * preorder to the builder, and adds its leaf values to raw. Returns the number of leaves.
   */
  growTree(builder: EnsembleBuilder, raw: Float64Array, y: Uint8Array): number {
    const { n, idx, grad, hess, opts, weights } = this;
    const sums = new Float64Array(2);
    gradients(raw, y, weights, grad, hess, idx, sums);
    const sumG = sums[0] as number;
    const sumH = sums[1] as number;
    let root: Float64Array | null = null;
    if (opts.minSamplesLeaf * 2 <= n && sumH >= MIN_HESSIAN) {
      root = this.takeHist();
      root.set(this.rootCounts);
      addAllRowSums(root, n, grad, hess, this.rows32, this.rows, this.rowBytes, this.d, this.stride);
    }
    this.leaves = [];
    const node = new Node(0, n, 0, sumG, sumH, 0);
    node.hist = root;
    if (!root) this.finalize(node);
    else this.splitOrFinalize(node);
    while (this.heap.size > 0) this.splitNext();
    for (const leaf of this.leaves) {
      leaf.value *= opts.learningRate;
      addToRows(raw, idx, leaf.start, leaf.end, leaf.value);
    }
    this.emit(builder, node);
    builder.endTree();
    return this.leaves.length;
  }

  /** Appends the subtree in preorder; covers of internal nodes are summed later (sumCovers). */
  private emit(builder: EnsembleBuilder, node: Node): void {
    if (node.isLeaf) {
      let cover = node.count;
      const w = this.weights;
      if (w) {
        cover = 0;
        for (let k = node.start; k < node.end; k++) cover += w[this.idx[k] as number] as number;
      }
      builder.addLeaf(node.value, cover);
      return;
    }
    const at = builder.addSplit(node.feature, node.bin, node.missingLeft, 0);
    this.emit(builder, node.left as Node);
    builder.setRight(at, builder.length);
    this.emit(builder, node.right as Node);
  }
}

/*
 * The passes over the rows are module functions that take everything as arguments, so that their loops do not
 * reload `this` fields that V8 cannot prove unchanged.
 */

/**
 * Gradient p - y and hessian p (1 - p) of the log-loss in the log-odds r (times the row's weight), from e = exp(-|r|)
 * without overflow, stored in float32 as scikit-learn does; their sums (of the float32 values) into sums; idx reset
 * to 0 .. n - 1.
 */
function gradients(raw: Float64Array, y: Uint8Array, w: Float64Array | null, grad: Float32Array, hess: Float32Array, idx: Uint32Array, sums: Float64Array): void {
  let sumG = 0;
  let sumH = 0;
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i] as number;
    const e = Math.exp(-Math.abs(r));
    const inv = 1 / (1 + e);
    const p = r >= 0 ? inv : e * inv;
    const wi = w === null ? 1 : (w[i] as number);
    grad[i] = wi * (p - (y[i] as number));
    hess[i] = wi * e * inv * inv;
    sumG += grad[i] as number;
    sumH += hess[i] as number;
    idx[i] = i;
  }
  sums[0] = sumG;
  sums[1] = sumH;
}

/**
 * Adds the rows idx[from .. to) to the histograms hs (per feature, per bin: gradient sum, hessian sum, count). Four
 * features per uint32 read of the binned row, on a little-endian machine. The hot loop of the whole fit: the index
 * arithmetic is written `(...) | 0` so that V8 knows it stays in 32 bits and checks no addition for overflow.
 */
function addRows(hs: Float64Array, idx: Uint32Array, from: number, to: number, grad: Float32Array, hess: Float32Array, rows32: Uint32Array, rows: Uint8Array, rowBytes: number, d: number, stride: number): void {
  const quads = LITTLE_ENDIAN ? d >> 2 : 0;
  for (let k = from; k < to; k++) {
    const i = idx[k] as number;
    const g = grad[i] as number;
    const h = hess[i] as number;
    let w = (i * (rowBytes >> 2)) | 0;
    let off = 0;
    for (let q = 0; q < quads; q++, w = (w + 1) | 0, off = (off + 4 * stride) | 0) {
      const v = rows32[w] as number;
      const a = (off + (v & 255) * 3) | 0;
      const b = (off + stride + ((v >>> 8) & 255) * 3) | 0;
      const c = (off + 2 * stride + ((v >>> 16) & 255) * 3) | 0;
      const e = (off + 3 * stride + (v >>> 24) * 3) | 0;
      hs[a] = (hs[a] as number) + g;
      hs[(a + 1) | 0] = (hs[(a + 1) | 0] as number) + h;
      hs[(a + 2) | 0] = (hs[(a + 2) | 0] as number) + 1;
      hs[b] = (hs[b] as number) + g;
      hs[(b + 1) | 0] = (hs[(b + 1) | 0] as number) + h;
      hs[(b + 2) | 0] = (hs[(b + 2) | 0] as number) + 1;
      hs[c] = (hs[c] as number) + g;
      hs[(c + 1) | 0] = (hs[(c + 1) | 0] as number) + h;
      hs[(c + 2) | 0] = (hs[(c + 2) | 0] as number) + 1;
      hs[e] = (hs[e] as number) + g;
      hs[(e + 1) | 0] = (hs[(e + 1) | 0] as number) + h;
      hs[(e + 2) | 0] = (hs[(e + 2) | 0] as number) + 1;
    }
    for (let f = quads * 4, row = i * rowBytes; f < d; f++, off += stride) {
      const q = off + (rows[row + f] as number) * 3;
      hs[q] = (hs[q] as number) + g;
      hs[q + 1] = (hs[q + 1] as number) + h;
      hs[q + 2] = (hs[q + 2] as number) + 1;
    }
  }
}

/** The same over all rows 0 .. n - 1, without the counts: the root's, whose counts never change. */
function addAllRowSums(hs: Float64Array, n: number, grad: Float32Array, hess: Float32Array, rows32: Uint32Array, rows: Uint8Array, rowBytes: number, d: number, stride: number): void {
  const quads = LITTLE_ENDIAN ? d >> 2 : 0;
  for (let i = 0; i < n; i++) {
    const g = grad[i] as number;
    const h = hess[i] as number;
    let w = (i * (rowBytes >> 2)) | 0;
    let off = 0;
    for (let q = 0; q < quads; q++, w = (w + 1) | 0, off = (off + 4 * stride) | 0) {
      const v = rows32[w] as number;
      const a = (off + (v & 255) * 3) | 0;
      const b = (off + stride + ((v >>> 8) & 255) * 3) | 0;
      const c = (off + 2 * stride + ((v >>> 16) & 255) * 3) | 0;
      const e = (off + 3 * stride + (v >>> 24) * 3) | 0;
      hs[a] = (hs[a] as number) + g;
      hs[(a + 1) | 0] = (hs[(a + 1) | 0] as number) + h;
      hs[b] = (hs[b] as number) + g;
      hs[(b + 1) | 0] = (hs[(b + 1) | 0] as number) + h;
      hs[c] = (hs[c] as number) + g;
      hs[(c + 1) | 0] = (hs[(c + 1) | 0] as number) + h;
      hs[e] = (hs[e] as number) + g;
      hs[(e + 1) | 0] = (hs[(e + 1) | 0] as number) + h;
    }
    for (let f = quads * 4, row = i * rowBytes; f < d; f++, off += stride) {
      const q = off + (rows[row + f] as number) * 3;
      hs[q] = (hs[q] as number) + g;
      hs[q + 1] = (hs[q + 1] as number) + h;
    }
  }
}

/**
 * Stable partition of idx[start .. end) on the column at cols[at ..], side[bin] = 1 sending a row left: left rows
 * first, right rows after, each in their order. Branch-free: every row is written to both sides and only the side it
 * belongs to moves on. Returns where the right rows start.
 */
function partitionRows(idx: Uint32Array, tmp: Uint32Array, start: number, end: number, cols: Uint8Array, at: number, side: Uint8Array): number {
  let l = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    const i = idx[k] as number;
    const left = side[cols[at + i] as number] as number;
    idx[l] = i;
    tmp[r] = i;
    l += left;
    r += 1 - left;
  }
  idx.set(tmp.subarray(0, r), l);
  return l;
}

/** raw[idx[k]] += v for k in [start, end): a leaf's value to its rows. */
function addToRows(raw: Float64Array, idx: Uint32Array, start: number, end: number, v: number): void {
  for (let k = start; k < end; k++) {
    const i = idx[k] as number;
    raw[i] = (raw[i] as number) + v;
  }
}
