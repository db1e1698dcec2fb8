/**
 * Metrics for a binary propensity score, defined as scikit-learn 1.2 defines them so that figures can be compared
 * one for one: ROC and precision-recall curves with one point per distinct score (tied scores move together, never
 * in an arbitrary order), ROC AUC by the trapezoid over those points, average precision as scikit-learn's step sum
 * (not a trapezoid, which is optimistic), calibration bins as calibration_curve, Brier score and log-loss.
 *
 * y holds 0/1 labels, score any real number (higher = more likely positive). A row counts as predicted positive
 * when score >= threshold, as in scikit-learn's curves. Weights, where accepted, are per-row sample weights.
 */

type Labels = ArrayLike<number>;
type Scores = ArrayLike<number>;

/** Cumulated (weighted) true and false positives at each distinct score, highest score first. */
interface ClfCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

function checkInputs(y: Labels, score: Scores, weights?: ArrayLike<number>): void {
  if (y.length !== score.length) throw new RangeError(`y has ${y.length} entries and the scores ${score.length}`);
  if (weights && weights.length !== y.length) throw new RangeError(`weights has ${weights.length} entries for ${y.length} rows`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v !== 0 && v !== 1) throw new RangeError(`y must be 0 or 1 (row ${i} has ${v})`);
    if (Number.isNaN(score[i] as number)) throw new RangeError(`score of row ${i} is NaN`);
    if (weights && !((weights[i] as number) >= 0)) throw new RangeError(`weight of row ${i} must be >= 0 (got ${weights[i]})`);
  }
}

/** Row indices by decreasing score (scikit-learn's _binary_clf_curve: the order within ties does not matter). */
function orderByScore(score: Scores): Uint32Array {
  const idx = new Uint32Array(score.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // Compared, not subtracted: Infinity - Infinity would be NaN.
  return idx.sort((a, b) => {
    const sa = score[a] as number;
    const sb = score[b] as number;
    return sb > sa ? 1 : sb < sa ? -1 : 0;
  });
}

function binaryClfCurve(y: Labels, score: Scores, weights?: ArrayLike<number>): ClfCurve {
  checkInputs(y, score, weights);
  if (!weights) return unweightedCurve(y, score);
  const order = orderByScore(score);
  const n = order.length;
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const w = weights[i] as number;
    if (y[i] === 1) tp += w;
    else fp += w;
    const s = score[i] as number;
    if (k === n - 1 || (score[order[k + 1] as number] as number) !== s) {
      fps.push(fp);
      tps.push(tp);
      thresholds.push(s);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thresholds) };
}

/**
 * Without weights only the counts per distinct score matter: the positives' and the negatives' scores are sorted
 * apart (the typed arrays' native numeric sort, several times faster than sorting indices with a comparator, which
 * counts when permutation importance computes a hundred AUCs) and merged from the top.
 */
function unweightedCurve(y: Labels, score: Scores): ClfCurve {
  const n = y.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += y[i] as number;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (y[i] === 1) pos[a++] = score[i] as number;
    else neg[b++] = score[i] as number;
  }
  pos.sort();
  neg.sort();
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  const thresholds = new Float64Array(n);
  let m = 0;
  let a = pos.length - 1;
  let b = neg.length - 1;
  while (a >= 0 || b >= 0) {
    const pa = a >= 0 ? (pos[a] as number) : Number.NEGATIVE_INFINITY;
    const nb = b >= 0 ? (neg[b] as number) : Number.NEGATIVE_INFINITY;
    const v = pa > nb ? pa : nb;
    // === merges -0 and +0, as numpy's diff does.
    while (a >= 0 && pos[a] === v) a--;
    while (b >= 0 && neg[b] === v) b--;
    tps[m] = pos.length - 1 - a;
    fps[m] = neg.length - 1 - b;
    thresholds[m] = v;
    m++;
  }
  return { fps: fps.slice(0, m), tps: tps.slice(0, m), thresholds: thresholds.slice(0, m) };
}

export interface RocCurve {
  /** False and true positive rates, increasing; the first point is (0, 0) with threshold +Infinity. */
  fpr: Float64Array;
  tpr: Float64Array;
  /**
   * Decreasing: point k is the rates of the rule score >= thresholds[k]. (scikit-learn 1.2 puts max + 1 at index 0;
   * later versions, and this one, +Infinity.)
   */
  thresholds: Float64Array;
}

/**
 * The ROC curve as scikit-learn's `roc_curve`: by default every distinct score is a point (drop_intermediate=False);
 * `dropIntermediate: true` drops the points on straight segments as scikit-learn's default does. For a chart, pass
 * the result through `thinCurve`.
 */
export function rocCurve(y: Labels, score: Scores, opts: { weights?: ArrayLike<number>; dropIntermediate?: boolean } = {}): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(y, score, opts.weights);
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  if (!(P > 0 && N > 0)) throw new RangeError('a ROC curve needs both classes in y (with positive weight)');
  if (opts.dropIntermediate && fps.length > 2) {
    const keep: number[] = [0];
    for (let k = 1; k < fps.length - 1; k++) {
      // Second differences: a point is kept where the curve bends.
      const dfp = (fps[k + 1] as number) - 2 * (fps[k] as number) + (fps[k - 1] as number);
      const dtp = (tps[k + 1] as number) - 2 * (tps[k] as number) + (tps[k - 1] as number);
      if (dfp !== 0 || dtp !== 0) keep.push(k);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (k) => fps[k] as number);
    tps = Float64Array.from(keep, (k) => tps[k] as number);
    thresholds = Float64Array.from(keep, (k) => thresholds[k] as number);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thr = new Float64Array(m);
  thr[0] = Number.POSITIVE_INFINITY;
  for (let k = 1; k < m; k++) {
    fpr[k] = (fps[k - 1] as number) / N;
    tpr[k] = (tps[k - 1] as number) / P;
    thr[k] = thresholds[k - 1] as number;
  }
  return { fpr, tpr, thresholds: thr };
}

/**
 * Area under the ROC curve, exact: the trapezoid over the distinct-score points, which counts a tied
 * (positive, negative) pair as half a correct ordering (the Mann-Whitney U statistic). Same value as
 * scikit-learn's `roc_auc_score`. Throws a RangeError when y holds a single class (the AUC is undefined).
 *
 * ```ts
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
 */
export function rocAuc(y: Labels, score: Scores, weights?: ArrayLike<number>): number {
  const { fps, tps } = binaryClfCurve(y, score, weights);
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  if (!(P > 0 && N > 0)) throw new RangeError('the ROC AUC needs both classes in y (with positive weight)');
  let area = 0;
  let fp0 = 0;
  let tp0 = 0;
  for (let k = 0; k < fps.length; k++) {
    const fp = fps[k] as number;
    const tp = tps[k] as number;
    area += (fp - fp0) * (tp + tp0);
    fp0 = fp;
    tp0 = tp;
  }
  return area / (2 * P * N);
}

export interface PrCurve {
  /** As scikit-learn's precision_recall_curve: recall decreasing, ending with the point (recall 0, precision 1). */
  precision: Float64Array;
  recall: Float64Array;
  /** Increasing; one fewer than the points (the last point has no threshold). */
  thresholds: Float64Array;
}

/** The precision-recall curve as scikit-learn's `precision_recall_curve` (lowest threshold first). */
export function prCurve(y: Labels, score: Scores, weights?: ArrayLike<number>): PrCurve {
  const { fps, tps, thresholds } = binaryClfCurve(y, score, weights);
  const P = tps[tps.length - 1] ?? 0;
  if (!(P > 0)) throw new RangeError('a precision-recall curve needs positives in y (with positive weight)');
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const src = m - 1 - k;
    const tp = tps[src] as number;
    const flagged = tp + (fps[src] as number);
    precision[k] = flagged > 0 ? tp / flagged : 0;
    recall[k] = tp / P;
    thr[k] = thresholds[src] as number;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

/**
 * Average precision as scikit-learn's `average_precision_score`: sum over thresholds of (R_k - R_{k-1}) P_k, the
 * precision at each step up in recall. Not the trapezoid under the PR curve, which interpolates linearly between
 * points where precision is not linear and overstates the area.
 */
export function averagePrecision(y: Labels, score: Scores, weights?: ArrayLike<number>): number {
  const { fps, tps } = binaryClfCurve(y, score, weights);
  const P = tps[tps.length - 1] ?? 0;
  if (!(P > 0)) throw new RangeError('average precision needs positives in y (with positive weight)');
  let ap = 0;
  let r0 = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k] as number;
    const flagged = tp + (fps[k] as number);
    const r = tp / P;
    ap += (r - r0) * (flagged > 0 ? tp / flagged : 0);
    r0 = r;
  }
  return ap;
}

/** A curve cut down for a chart: plain arrays, JSON-ready. */
export interface CurvePoints {
  x: number[];
  y: number[];
  thresholds: number[];
}

/**
 * At most `maxPoints` points of a curve (ROC: x = fpr, y = tpr; PR: x = recall, y = precision), for plotting: the
 * end points are kept and the others chosen evenly along the curve's length, so that steep and flat stretches are
 * both drawn. The metrics are always computed on the full curve, never on this one.
 */
export function thinCurve(x: ArrayLike<number>, y: ArrayLike<number>, thresholds: ArrayLike<number>, maxPoints = 200): CurvePoints {
  const m = x.length;
  if (y.length !== m || thresholds.length < m - 1) throw new RangeError('x, y and thresholds must describe the same points');
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new RangeError(`maxPoints must be an integer >= 2 (got ${maxPoints})`);
  // A PR curve has one threshold fewer than points: its last point (recall 0) gets NaN.
  const thr = (k: number): number => (k < thresholds.length ? (thresholds[k] as number) : Number.NaN);
  const all = (): CurvePoints => ({ x: Array.from(x), y: Array.from(y), thresholds: Array.from({ length: m }, (_, k) => thr(k)) });
  if (m <= maxPoints) return all();
  const cum = new Float64Array(m);
  for (let k = 1; k < m; k++) cum[k] = (cum[k - 1] as number) + Math.hypot((x[k] as number) - (x[k - 1] as number), (y[k] as number) - (y[k - 1] as number));
  const total = cum[m - 1] as number;
  const picked: number[] = [0];
  for (let s = 1, k = 0; s < maxPoints - 1; s++) {
    const target = (total * s) / (maxPoints - 1);
    while (k < m - 1 && (cum[k] as number) < target) k++;
    if (k > (picked[picked.length - 1] as number) && k < m - 1) picked.push(k);
  }
  picked.push(m - 1);
  return { x: picked.map((k) => x[k] as number), y: picked.map((k) => y[k] as number), thresholds: picked.map(thr) };
}

/** Weighted counts of the four outcomes of a threshold rule (plain counts without weights). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** The confusion matrix of the rule "positive when score >= threshold". */
export function confusionAt(y: Labels, score: Scores, threshold: number, weights?: ArrayLike<number>): Confusion {
  checkInputs(y, score, weights);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const flagged = (score[i] as number) >= threshold;
    if (y[i] === 1) {
      if (flagged) c.tp += w;
      else c.fn += w;
    } else if (flagged) c.fp += w;
    else c.tn += w;
  }
  return c;
}

export interface ClassificationScores {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  /** Share of the rows flagged positive: the size of the audience the rule selects. */
  flaggedShare: number;
}

/** Precision, recall, F1 and accuracy of a confusion matrix; a ratio with a zero denominator is 0 (as scikit-learn's zero_division default). */
export function precisionRecallF1(c: Confusion): ClassificationScores {
  const total = c.tp + c.fp + c.tn + c.fn;
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
  return {
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    accuracy: ratio(c.tp + c.tn, total),
    flaggedShare: ratio(c.tp + c.fp, total),
  };
}

export type ThresholdGoal = { goal: 'f1' } | { goal: 'precision'; target: number } | { goal: 'recall'; target: number };

export interface ThresholdChoice extends ClassificationScores {
  threshold: number;
  confusion: Confusion;
}

/**
 * Picks the cut-off of a score among its distinct values (rule: score >= threshold):
 * - `f1`: the highest F1 (ties: the higher threshold, a smaller audience);
 * - `precision`, target: the most recall among thresholds whose precision reaches the target;
 * - `recall`, target: the most precision among thresholds whose recall reaches the target.
 * Returns null when no threshold reaches the target. Tune on validation rows, not on the rows that report the result.
 *
 * ```ts
 * tuneThreshold(yValid, pValid, { goal: 'precision', target: 0.5 })?.threshold;
 * ```
 */
export function tuneThreshold(y: Labels, score: Scores, goal: ThresholdGoal, weights?: ArrayLike<number>): ThresholdChoice | null {
  if (goal.goal !== 'f1' && !(goal.target >= 0 && goal.target <= 1)) throw new RangeError(`target must be in [0, 1] (got ${goal.target})`);
  const { fps, tps, thresholds } = binaryClfCurve(y, score, weights);
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < tps.length; k++) {
    const s = precisionRecallF1({ tp: tps[k] as number, fp: fps[k] as number, fn: P - (tps[k] as number), tn: N - (fps[k] as number) });
    let value: number;
    switch (goal.goal) {
      case 'f1':
        value = s.f1;
        break;
      case 'precision':
        value = s.precision >= goal.target ? s.recall : Number.NEGATIVE_INFINITY;
        break;
      case 'recall':
        value = s.recall >= goal.target ? s.precision : Number.NEGATIVE_INFINITY;
        break;
    }
    // Strictly greater: on ties the first (highest) threshold stays.
    if (value > bestValue) {
      bestValue = value;
      best = k;
    }
  }
  if (best < 0) return null;
  const confusion: Confusion = { tp: tps[best] as number, fp: fps[best] as number, fn: P - (tps[best] as number), tn: N - (fps[best] as number) };
  return { threshold: thresholds[best] as number, confusion, ...precisionRecallF1(confusion) };
}

export interface CalibrationCurve {
  /** Per non-empty bin, as scikit-learn's calibration_curve: the observed share of positives... */
  probTrue: Float64Array;
  /** ...and the mean predicted probability. */
  probPred: Float64Array;
  /** Rows in each non-empty bin. */
  counts: Float64Array;
  /** All nBins + 1 bin edges (empty bins are left out of the three arrays above, as scikit-learn does). */
  edges: Float64Array;
}

/**
 * Reliability diagram bins as scikit-learn's `calibration_curve`: 'uniform' cuts [0, 1] into equal widths,
 * 'quantile' into bins of equal counts (numpy's linear percentiles of p). A probability on an inner edge goes to the
 * lower bin. Empty bins are dropped. p must lie in [0, 1].
 */
export function calibrationCurve(y: Labels, p: Scores, nBins = 5, strategy: 'uniform' | 'quantile' = 'uniform'): CalibrationCurve {
  checkInputs(y, p);
  if (!(Number.isInteger(nBins) && nBins >= 1)) throw new RangeError(`nBins must be a positive integer (got ${nBins})`);
  const n = p.length;
  if (n === 0) throw new RangeError('calibration needs at least one row');
  for (let i = 0; i < n; i++) if (!((p[i] as number) >= 0 && (p[i] as number) <= 1)) throw new RangeError(`probability of row ${i} is outside [0, 1] (${p[i]})`);
  // numpy.linspace(0, 1, nBins + 1): i * step, with the last edge exactly 1.
  const step = 1 / nBins;
  const lin = Float64Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  let edges: Float64Array;
  if (strategy === 'uniform') edges = lin;
  else {
    const sorted = Float64Array.from(p).sort();
    // As np.percentile(p, q * 100): the percentage is divided back by 100, then numpy's linear interpolation.
    edges = lin.map((q) => numpyQuantile(sorted, (q * 100) / 100));
  }
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const totals = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    const v = p[i] as number;
    // np.searchsorted(edges[1:-1], v, side='left'): the number of inner edges strictly below v.
    let lo = 1;
    let hi = nBins;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((edges[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    const b = lo - 1;
    sums[b] = (sums[b] as number) + v;
    trues[b] = (trues[b] as number) + (y[i] as number);
    totals[b] = (totals[b] as number) + 1;
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  const counts: number[] = [];
  for (let b = 0; b < nBins; b++) {
    const t = totals[b] as number;
    if (t === 0) continue;
    probTrue.push((trues[b] as number) / t);
    probPred.push((sums[b] as number) / t);
    counts.push(t);
  }
  return { probTrue: Float64Array.from(probTrue), probPred: Float64Array.from(probPred), counts: Float64Array.from(counts), edges };
}

/** numpy's default ('linear') quantile of sorted values, including its two-sided lerp (exact at gamma 0 and 1). */
function numpyQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virtual - Math.floor(virtual);
  const a = sorted[prev] as number;
  const b = sorted[next] as number;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Mean squared difference between the probability and the 0/1 outcome (scikit-learn's brier_score_loss). */
export function brierScore(y: Labels, p: Scores, weights?: ArrayLike<number>): number {
  checkInputs(y, p, weights);
  let s = 0;
  let wSum = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    s += w * ((p[i] as number) - (y[i] as number)) ** 2;
    wSum += w;
  }
  if (!(wSum > 0)) throw new RangeError('the Brier score needs rows with positive weight');
  return s / wSum;
}

/**
 * Mean negative log-likelihood of the 0/1 outcomes (scikit-learn's log_loss): probabilities are clipped to
 * [eps, 1 - eps] with eps the float64 machine epsilon, so that a confident miss costs about 36, not Infinity.
 */
export function logLoss(y: Labels, p: Scores, weights?: ArrayLike<number>): number {
  checkInputs(y, p, weights);
  const eps = Number.EPSILON;
  let s = 0;
  let wSum = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const pi = Math.min(Math.max(p[i] as number, eps), 1 - eps);
    s -= w * (y[i] === 1 ? Math.log(pi) : Math.log(1 - pi));
    wSum += w;
  }
  if (!(wSum > 0)) throw new RangeError('the log-loss needs rows with positive weight');
  return s / wSum;
}
