import { availableParallelism } from 'node:os';
import { KeyBuilder, type KeyColumn } from './block-keys.js';
import { candidatePairs, type CandidatePairs, type RuleStats } from './blocking.js';
import { clusterPairs, type Cluster } from './cluster.js';
import { compareAll, fieldSpecs, workersAvailable } from './compare.js';
import { DEFAULT_OPTIONS, type MatchOptions } from './config.js';
import { exactKeyColumns } from './exact.js';
import {
  collectPatterns,
  estimateEm,
  explainPattern,
  matchWeight,
  probabilityOf,
  type FieldExplanation,
  type FsModel,
} from './fellegi-sunter.js';
import { buildRecordTable, type RecordInput, type RecordTable } from './features.js';

/**
 * The whole matching run: features, exact keys, blocking, comparison, EM, scoring, clustering. Pure apart from the
 * clock it is given (for the timings it reports).
 */

export type Phase = 'features' | 'blocking' | 'comparison' | 'em' | 'scoring' | 'clustering';

export interface MatchSummary {
  readonly records: number;
  readonly linking: boolean;
  readonly fields: readonly string[];
  readonly candidatePairs: number;
  /** Pairs a comparison of every record with every other would examine. */
  readonly comparablePairs: number;
  /** 1 - candidate pairs / comparable pairs. */
  readonly reductionRatio: number;
  readonly threshold: number;
  readonly pairsAboveThreshold: number;
  /** Pairs sharing an exact key (probability 1 whatever the model says). */
  readonly certainPairs: number;
  readonly clusters: number;
  readonly recordsInClusters: number;
  readonly largestCluster: number;
  readonly chainedClusters: number;
  readonly rules: readonly RuleStats[];
  readonly emIterations: number;
  readonly emConverged: boolean;
  /** Threads the comparison ran on (1: this one only). */
  readonly threads: number;
  /** Milliseconds per phase, and in total. */
  readonly timings: Readonly<Record<Phase | 'total', number>>;
}

export interface PairExplanation {
  readonly a: string;
  readonly b: string;
  readonly probability: number;
  readonly weight: number;
  /** The prior's contribution to the weight: log2(prior / (1 - prior)). */
  readonly priorWeight: number;
  /** The exact key the two records share, if any (then the probability is 1). */
  readonly exactKey: string | null;
  readonly fields: readonly FieldExplanation[];
}

export interface MatchResult {
  readonly summary: MatchSummary;
  readonly model: FsModel;
  readonly table: RecordTable;
  readonly candidates: CandidatePairs;
  /** Per candidate pair. */
  readonly probability: Float64Array;
  readonly weight: Float64Array;
  /** Per candidate pair: index of the exact key column the records share, -1 if none. */
  readonly exactKey: Int16Array;
  readonly exactKeyNames: readonly string[];
  /** Candidate pair indexes at or above the threshold, most probable first. */
  readonly matches: Int32Array;
  readonly clusters: readonly Cluster[];
  explain(pair: number): PairExplanation;
}

export interface MatchRuntime {
  /** A clock in milliseconds, for the timings (default: none, timings are 0). */
  readonly now?: () => number;
  /**
   * Worker threads for the comparison phase besides this one: a number, or "auto" (one less than the CPUs, at most
   * 3, and only above 200,000 candidate pairs, below which starting them costs more than it saves).
   */
  readonly workers?: number | 'auto';
}

/**
 * Finds duplicates among records (or links two files when `input.source` is given).
 *
 * @example
 *   const r = await matchRecords({ ids, columns: { given_name: firstNames, surname: lastNames } });
 *   for (const p of r.matches) console.log(r.explain(p));
 */
export async function matchRecords(input: RecordInput, options: MatchOptions = DEFAULT_OPTIONS, runtime: MatchRuntime = {}): Promise<MatchResult> {
  const now = runtime.now ?? (() => 0);
  const t0 = now();
  let t = t0;
  const timings = { features: 0, blocking: 0, comparison: 0, em: 0, scoring: 0, clustering: 0, total: 0 };
  const lap = (phase: Phase): void => {
    const x = now();
    timings[phase] = x - t;
    t = x;
  };

  const table = buildRecordTable(input);
  lap('features');

  const builder = new KeyBuilder(table);
  const exact = exactKeyColumns(table, builder, options.exactKeys);
  const keys: KeyColumn[] = [...exact];
  for (const rule of options.blocking) {
    if (rule.kind !== 'key') continue;
    const c = builder.column(rule.name, rule.parts);
    if (c) keys.push(c);
  }
  const neighbourhoods = options.blocking.flatMap((r) => (r.kind === 'sorted_neighbourhood' && r.parts.every((p) => table.byRole.has(p.role)) ? [r] : []));
  const candidates = candidatePairs(table, keys, neighbourhoods, options.maxBlockSize);
  lap('blocking');

  const requested = runtime.workers ?? 'auto';
  const workers = requested === 'auto' ? (candidates.count >= 200_000 ? Math.min(3, availableParallelism() - 1) : 0) : requested;
  const threads = workers > 0 && workersAvailable() ? workers + 1 : 1;
  const levels = await compareAll(table, candidates.a, candidates.b, candidates.count, threads - 1);
  lap('comparison');

  const specs = fieldSpecs(table);
  const patterns = collectPatterns(levels, candidates.count, specs);
  const model = estimateEm(patterns, specs, { tolerance: options.emTolerance, maxIterations: options.emMaxIterations });
  lap('em');

  const F = specs.length;
  const patternWeight = Float64Array.from({ length: patterns.counts.length }, (_, p) => matchWeight(model, patterns.levels.subarray(p * F, (p + 1) * F)));
  const weight = new Float64Array(candidates.count);
  const probability = new Float64Array(candidates.count);
  const exactKey = new Int16Array(candidates.count).fill(-1);
  let certain = 0;
  let above = 0;
  for (let p = 0; p < candidates.count; p++) {
    const w = patternWeight[patterns.ofPair[p]!]!;
    weight[p] = w;
    probability[p] = probabilityOf(w);
    const a = candidates.a[p]!;
    const b = candidates.b[p]!;
    for (let k = 0; k < exact.length; k++) {
      const ids = exact[k]!.ids;
      if (ids[a]! >= 0 && ids[a] === ids[b]) {
        exactKey[p] = k;
        probability[p] = 1;
        certain++;
        break;
      }
    }
    if (probability[p]! >= options.threshold) above++;
  }
  const matches = new Int32Array(above);
  for (let p = 0, i = 0; p < candidates.count; p++) if (probability[p]! >= options.threshold) matches[i++] = p;
  matches.sort((x, y) => probability[y]! - probability[x]! || x - y);
  lap('scoring');

  const clusters = clusterPairs(
    table.size,
    Int32Array.from(matches, (p) => candidates.a[p]!),
    Int32Array.from(matches, (p) => candidates.b[p]!),
  );
  lap('clustering');
  timings.total = t - t0;

  const summary: MatchSummary = {
    records: table.size,
    linking: table.linking,
    fields: specs.map((s) => s.name),
    candidatePairs: candidates.count,
    comparablePairs: candidates.comparablePairs,
    reductionRatio: candidates.comparablePairs > 0 ? 1 - candidates.count / candidates.comparablePairs : 0,
    threshold: options.threshold,
    pairsAboveThreshold: above,
    certainPairs: certain,
    clusters: clusters.length,
    recordsInClusters: clusters.reduce((s, c) => s + c.members.length, 0),
    largestCluster: clusters[0]?.members.length ?? 0,
    chainedClusters: clusters.filter((c) => c.chained).length,
    rules: candidates.rules,
    emIterations: model.iterations,
    emConverged: model.converged,
    threads,
    timings,
  };
  const exactKeyNames = exact.map((c) => c.name);
  const priorWeight = Math.log2(model.prior / (1 - model.prior));
  return {
    summary,
    model,
    table,
    candidates,
    probability,
    weight,
    exactKey,
    exactKeyNames,
    matches,
    clusters,
    explain: (p) => ({
      a: table.ids[candidates.a[p]!]!,
      b: table.ids[candidates.b[p]!]!,
      probability: probability[p]!,
      weight: weight[p]!,
      priorWeight,
      exactKey: exactKey[p]! >= 0 ? exactKeyNames[exactKey[p]!]! : null,
      fields: explainPattern(model, levels.subarray(p * F, (p + 1) * F)),
    }),
  };
}
