import type { FeatureColumn } from '../features/types.js';
import type { CategoricalCentroid, NumericCentroid, ValueSummary } from './types.js';

/**
 * The numbers behind a persona: the cluster's centroid in original units, and for each feature how far the cluster
 * sits from the whole population on a common scale (a standardised difference), from which the distinguishing traits
 * are picked. The population is every row given, noise included: it is the base a marketer compares a segment with.
 */

/** One candidate trait per feature, before it is phrased. */
export interface RawTrait {
  feature: string;
  /** Position of the feature among the columns: breaks ties so that the output never depends on sort stability. */
  order: number;
  kind: 'numeric' | 'categorical';
  level: string | null;
  effect: number;
  lift: number | null;
  clusterValue: number;
  populationValue: number;
}

interface NumericPopulation {
  kind: 'numeric';
  mean: number;
  sd: number;
}

interface CategoricalPopulation {
  kind: 'categorical';
  /** Share of all rows (missing ones included) per level. */
  shares: Map<string, number>;
}

export type Population = (NumericPopulation | CategoricalPopulation)[];

/** Mean and population standard deviation (ddof 0) of the known values; NaN when none. */
function meanSd(values: Float64Array, rows?: readonly number[]): { mean: number; sd: number; count: number } {
  let s = 0;
  let c = 0;
  const each = (v: number): void => {
    if (!Number.isNaN(v)) {
      s += v;
      c++;
    }
  };
  if (rows) for (const i of rows) each(values[i] as number);
  else for (const v of values) each(v);
  const mean = c === 0 ? Number.NaN : s / c;
  let v2 = 0;
  const dev = (v: number): void => {
    if (!Number.isNaN(v)) v2 += (v - mean) * (v - mean);
  };
  if (rows) for (const i of rows) dev(values[i] as number);
  else for (const v of values) dev(v);
  return { mean, sd: c === 0 ? Number.NaN : Math.sqrt(v2 / c), count: c };
}

function median(values: Float64Array, rows: readonly number[]): number {
  const known = Float64Array.from(rows, (i) => values[i] as number)
    .filter((v) => !Number.isNaN(v))
    .sort();
  if (known.length === 0) return Number.NaN;
  const h = known.length >> 1;
  return known.length % 2 === 1 ? (known[h] as number) : ((known[h - 1] as number) + (known[h] as number)) / 2;
}

function levelCounts(values: readonly (string | null)[], rows?: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (v: string | null | undefined): void => {
    if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  };
  if (rows) for (const i of rows) add(values[i]);
  else for (const v of values) add(v);
  return counts;
}

/** Code-unit order, so that ties never depend on the locale of the machine. */
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function population(columns: readonly FeatureColumn[]): Population {
  return columns.map((c) => {
    if (c.kind === 'numeric') {
      const { mean, sd } = meanSd(c.values);
      return { kind: 'numeric', mean, sd };
    }
    const n = c.values.length;
    return { kind: 'categorical', shares: new Map([...levelCounts(c.values)].map(([l, k]) => [l, k / n])) };
  });
}

export interface ClusterProfile {
  numeric: NumericCentroid[];
  categorical: CategoricalCentroid[];
  /** One per feature with a defined effect. */
  candidates: RawTrait[];
}

/** Centroid and candidate traits of the cluster made of `rows`. */
export function profileCluster(columns: readonly FeatureColumn[], pop: Population, rows: readonly number[]): ClusterProfile {
  const numeric: NumericCentroid[] = [];
  const categorical: CategoricalCentroid[] = [];
  const candidates: RawTrait[] = [];
  columns.forEach((c, order) => {
    const p = pop[order] as NumericPopulation | CategoricalPopulation;
    if (c.kind === 'numeric' && p.kind === 'numeric') {
      const { mean, count } = meanSd(c.values, rows);
      numeric.push({ feature: c.name, mean, median: median(c.values, rows), missing: rows.length - count });
      // A constant feature, or a cluster with no value for it, distinguishes nothing.
      if (p.sd > 0 && count > 0) {
        candidates.push({ feature: c.name, order, kind: 'numeric', level: null, effect: (mean - p.mean) / p.sd, lift: null, clusterValue: mean, populationValue: p.mean });
      }
      return;
    }
    if (c.kind !== 'categorical' || p.kind !== 'categorical') return;
    const counts = levelCounts(c.values, rows);
    const size = rows.length;
    const top = [...counts].sort((a, b) => b[1] - a[1] || byCode(a[0], b[0]))[0];
    categorical.push({ feature: c.name, topLevel: top ? top[0] : null, topShare: top ? top[1] / size : 0 });
    // The level that sets the cluster most apart, on the standardised difference of its 0/1 indicator; one per
    // feature so that a city with many levels does not fill the trait list on its own.
    let best: RawTrait | null = null;
    for (const [level, share] of p.shares) {
      if (!(share > 0 && share < 1)) continue;
      const inCluster = (counts.get(level) ?? 0) / size;
      const effect = (inCluster - share) / Math.sqrt(share * (1 - share));
      const better =
        best === null ||
        Math.abs(effect) > Math.abs(best.effect) ||
        (Math.abs(effect) === Math.abs(best.effect) && (share > best.populationValue || (share === best.populationValue && byCode(level, best.level ?? '') < 0)));
      if (better) best = { feature: c.name, order, kind: 'categorical', level, effect, lift: inCluster / share, clusterValue: inCluster, populationValue: share };
    }
    if (best !== null) candidates.push(best);
  });
  return { numeric, categorical, candidates };
}

/** Total, mean per known value, and share of the population's total of a value column over `rows`. */
export function valueSummary(values: Float64Array, rows: readonly number[]): ValueSummary {
  let total = 0;
  let count = 0;
  for (const i of rows) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) {
      total += v;
      count++;
    }
  }
  let all = 0;
  for (const v of values) if (!Number.isNaN(v)) all += v;
  return { total, mean: count === 0 ? Number.NaN : total / count, share: all > 0 ? total / all : null };
}
