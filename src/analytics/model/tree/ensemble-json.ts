import { splitThreshold, type BinMapper } from './bins.js';
import { sumCovers, type TreeEnsemble } from './ensemble.js';

/**
 * The stored form of a tree ensemble: compact enough for a database column (100 boosting trees of 31 leaves take
 * about 100 kB; a forest grown to purity, about 17 bytes a node), and checked node by node when read back. Trees are
 * in preorder, so the shape is implied by which nodes are leaves; only the split of each internal node (feature, bin,
 * where NaN goes) and the value and cover of each leaf are stored, as little-endian binary in base64, and per feature
 * the thresholds that some split uses (a split's bin is stored as its index among those). Internal covers are sums of
 * their children's, as when the model was fitted.
 */
export interface EnsembleJSON {
  /** Nodes per tree. */
  sizes: number[];
  /** Per node: -1 for a leaf, else 2 x feature + 1 if NaN goes left (int32). */
  nodes: string;
  /** Per internal node: index of its threshold among its feature's (uint8; the count itself: +Infinity, NaN alone right). */
  bins: string;
  /** Per leaf: output and training cover (float64). */
  values: string;
  covers: string;
  /** Per feature: how many thresholds, and all of them one feature after another (float64). */
  thresholdCounts: number[];
  thresholds: string;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function int32ToBase64(a: Int32Array): string {
  const v = new DataView(new ArrayBuffer(a.length * 4));
  for (let i = 0; i < a.length; i++) v.setInt32(i * 4, a[i] as number, true);
  return toBase64(new Uint8Array(v.buffer));
}

function float64ToBase64(a: Float64Array): string {
  const v = new DataView(new ArrayBuffer(a.length * 8));
  for (let i = 0; i < a.length; i++) v.setFloat64(i * 8, a[i] as number, true);
  return toBase64(new Uint8Array(v.buffer));
}

function bytes(s: unknown, what: string, length: number, width: number): DataView {
  if (typeof s !== 'string') throw new TypeError(`${what} must be a base64 string`);
  const b = Buffer.from(s, 'base64');
  if (b.length !== length * width) throw new TypeError(`${what} holds ${b.length} bytes, expected ${length * width}`);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function encodeEnsemble(e: TreeEnsemble, bins: BinMapper): EnsembleJSON {
  const total = e.feature.length;
  const d = bins.d;
  // The bins some split uses, per feature (the +Infinity bin aside): only their thresholds are kept.
  const used = bins.thresholds.map((t) => new Uint8Array(t.length));
  for (let i = 0; i < total; i++) {
    const f = e.feature[i] as number;
    const u = used[f];
    if (f >= 0 && u && (e.bin[i] as number) < u.length) u[e.bin[i] as number] = 1;
  }
  const remap = used.map((u) => {
    const r = new Int32Array(u.length + 1);
    let k = 0;
    for (let b = 0; b < u.length; b++) if (u[b]) r[b] = k++;
    r[u.length] = k;
    return r;
  });
  const kept: number[] = [];
  const counts: number[] = [];
  for (let f = 0; f < d; f++) {
    const u = used[f] as Uint8Array;
    const t = bins.thresholds[f] as Float64Array;
    let c = 0;
    for (let b = 0; b < u.length; b++) {
      if (u[b]) {
        kept.push(t[b] as number);
        c++;
      }
    }
    counts.push(c);
  }
  const codes = new Int32Array(total);
  let nInternal = 0;
  for (let i = 0; i < total; i++) {
    const f = e.feature[i] as number;
    codes[i] = f < 0 ? -1 : 2 * f + (e.missingLeft[i] as number);
    if (f >= 0) nInternal++;
  }
  const splitBins = new Uint8Array(nInternal);
  const values = new Float64Array(total - nInternal);
  const covers = new Float64Array(total - nInternal);
  for (let i = 0, s = 0, l = 0; i < total; i++) {
    const f = e.feature[i] as number;
    if (f >= 0) splitBins[s++] = (remap[f] as Int32Array)[e.bin[i] as number] as number;
    else {
      values[l] = e.value[i] as number;
      covers[l++] = e.cover[i] as number;
    }
  }
  const sizes: number[] = [];
  for (let t = 0; t < e.nTrees; t++) sizes.push((e.treeStart[t + 1] as number) - (e.treeStart[t] as number));
  return {
    sizes,
    nodes: int32ToBase64(codes),
    bins: toBase64(splitBins),
    values: float64ToBase64(values),
    covers: float64ToBase64(covers),
    thresholdCounts: counts,
    thresholds: float64ToBase64(Float64Array.from(kept)),
  };
}

/** Reads back an EnsembleJSON for d features; throws a TypeError naming what is wrong. */
export function decodeEnsemble(json: unknown, d: number, what: string): { ensemble: TreeEnsemble; bins: BinMapper } {
  if (typeof json !== 'object' || json === null) throw new TypeError(`${what}: trees must be an object`);
  const o = json as Record<string, unknown>;
  const counts = o.thresholdCounts;
  if (!Array.isArray(counts) || counts.length !== d || !counts.every((c) => Number.isInteger(c) && (c as number) >= 0 && (c as number) <= 254)) {
    throw new TypeError(`${what}: trees.thresholdCounts must hold ${d} whole numbers in 0..254`);
  }
  const nThresholds = (counts as number[]).reduce((a, b) => a + b, 0);
  const thView = bytes(o.thresholds, `${what}: trees.thresholds`, nThresholds, 8);
  const thresholds: Float64Array[] = [];
  for (let f = 0, k = 0; f < d; f++) {
    const t = new Float64Array(counts[f] as number);
    for (let b = 0; b < t.length; b++, k++) {
      t[b] = thView.getFloat64(k * 8, true);
      if (!Number.isFinite(t[b] as number) || (b > 0 && !((t[b] as number) >= (t[b - 1] as number)))) throw new TypeError(`${what}: trees.thresholds of feature ${f} must be finite and in increasing order`);
    }
    thresholds.push(t);
  }
  const bins: BinMapper = { d, thresholds, nBinsNonMissing: Int32Array.from(thresholds, (t) => t.length + 1), missingBin: 255 };
  const sizes = o.sizes;
  if (!Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s) && (s as number) >= 1)) throw new TypeError(`${what}: trees.sizes must be positive whole numbers`);
  const total = (sizes as number[]).reduce((a, b) => a + b, 0);
  const nodes = bytes(o.nodes, `${what}: trees.nodes`, total, 4);
  const feature = new Int32Array(total);
  const missingLeft = new Uint8Array(total);
  let nInternal = 0;
  for (let i = 0; i < total; i++) {
    const c = nodes.getInt32(i * 4, true);
    if (c < -1 || c >= 2 * d) throw new TypeError(`${what}: node ${i} has an invalid code ${c}`);
    feature[i] = c < 0 ? -1 : c >> 1;
    missingLeft[i] = c < 0 ? 0 : c & 1;
    if (c >= 0) nInternal++;
  }
  const binView = bytes(o.bins, `${what}: trees.bins`, nInternal, 1);
  const valueView = bytes(o.values, `${what}: trees.values`, total - nInternal, 8);
  const coverView = bytes(o.covers, `${what}: trees.covers`, total - nInternal, 8);
  const e: TreeEnsemble = {
    nTrees: sizes.length,
    treeStart: new Int32Array(sizes.length + 1),
    feature,
    bin: new Uint8Array(total),
    threshold: new Float64Array(total),
    missingLeft,
    right: new Int32Array(total).fill(-1),
    value: new Float64Array(total),
    cover: new Float64Array(total),
  };
  let s = 0;
  let l = 0;
  for (let i = 0; i < total; i++) {
    const f = feature[i] as number;
    if (f >= 0) {
      const b = binView.getUint8(s++);
      if (b > (bins.nBinsNonMissing[f] as number) - 1) throw new TypeError(`${what}: node ${i} splits feature ${f} at bin ${b}, past its last bin`);
      e.bin[i] = b;
      e.threshold[i] = splitThreshold(bins, f, b);
    } else {
      const v = valueView.getFloat64(l * 8, true);
      const c = coverView.getFloat64(l * 8, true);
      l++;
      if (!Number.isFinite(v) || !(c >= 0 && Number.isFinite(c))) throw new TypeError(`${what}: leaf ${i} has a non-finite value or cover`);
      e.value[i] = v;
      e.cover[i] = c;
    }
  }
  // Rebuild the right-child links from the preorder: after a leaf comes the right child of the deepest open split.
  let start = 0;
  for (let t = 0; t < sizes.length; t++) {
    const end = start + (sizes[t] as number);
    e.treeStart[t] = start;
    const open: number[] = [];
    for (let j = start; j < end; j++) {
      if (j > start && (feature[j - 1] as number) < 0) {
        const p = open.pop();
        if (p === undefined) throw new TypeError(`${what}: tree ${t} ends before its last node`);
        e.right[p] = j;
      }
      if ((feature[j] as number) >= 0) open.push(j);
    }
    if (open.length > 0 || (feature[end - 1] as number) >= 0) throw new TypeError(`${what}: tree ${t} has splits without children`);
    start = end;
  }
  e.treeStart[sizes.length] = total;
  sumCovers(e);
  for (let t = 0; t < e.nTrees; t++) if (!((e.cover[e.treeStart[t] as number] as number) > 0)) throw new TypeError(`${what}: tree ${t} has no cover`);
  return { ensemble: e, bins };
}
