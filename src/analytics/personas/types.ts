import type { FeatureColumn } from '../features/types.js';

/** Shapes of the persona builder: what it is given and what it returns. Every text comes in French and English. */

export type Locale = 'fr' | 'en';
export type Localised = Record<Locale, string>;

export interface PersonaInput {
  /** The features in their original units (not scaled or transformed), so that the centroids read as such. */
  columns: readonly FeatureColumn[];
  /** Cluster of each row; -1 is noise (DBSCAN), reported apart and never a persona. */
  labels: Int32Array;
  /** Optional value per row (NaN = unknown): past revenue and predicted customer lifetime value. */
  revenue?: Float64Array;
  clv?: Float64Array;
  /** Optional mean silhouette per cluster label, in [-1, 1]: makes relevance reward tight clusters. */
  silhouette?: Readonly<Record<number, number>>;
}

/** How a feature is named: the label, and optionally the words a persona name uses when the cluster is high or low on it. */
export interface FeatureLabel {
  fr: string;
  en: string;
  /** e.g. { en: 'High spenders', fr: 'Gros acheteurs' } for total_spent. */
  higher?: Localised;
  /** e.g. { en: 'recent', fr: 'récents' } for days_since_last_order. */
  lower?: Localised;
}

export interface PersonaOptions {
  /** Weights of the priority score (default 0.5 / 0.5): score = relevance x w.relevance + impact x w.impact. */
  weights?: { relevance: number; impact: number };
  /** Labels per feature name; a feature without one is humanised (days_since_last_order -> "days since last order"). */
  labels?: Readonly<Record<string, FeatureLabel>>;
  /** Distinguishing traits kept per persona, 1 to 10 (default 5): the 3 strongest always, more only if at least slight. */
  maxTraits?: number;
  /** What impact measures: share of CLV, of revenue, or of the population (default: CLV if given, else revenue, else size). */
  impactBasis?: 'clv' | 'revenue' | 'size';
}

export type Direction = 'higher' | 'lower';
/** |effect| below 0.2, from 0.2, from 0.5, from 0.8 (Cohen's conventional small / medium / large). */
export type Strength = 'negligible' | 'slight' | 'moderate' | 'strong';
export type Quadrant = 'priority' | 'grow' | 'niche' | 'monitor';

export interface Trait {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** The level, for a categorical trait. */
  level: string | null;
  direction: Direction;
  /**
   * Standardised difference: (cluster mean - population mean) / population standard deviation; for a level, the same
   * on its 0/1 indicator, (share in cluster - share overall) / sqrt(share overall x (1 - share overall)), so that
   * numeric and categorical traits rank on one scale.
   */
  effect: number;
  strength: Strength;
  /** Share in cluster / share overall, for a categorical trait; null for a numeric one. */
  lift: number | null;
  /** Cluster mean and population mean (numeric), or the level's share in the cluster and overall (categorical). */
  clusterValue: number;
  populationValue: number;
  phrase: Localised;
}

export interface NumericCentroid {
  feature: string;
  mean: number;
  median: number;
  /** Rows of the cluster without a value. */
  missing: number;
}

export interface CategoricalCentroid {
  feature: string;
  /** The most frequent level in the cluster (null if every value is missing), and its share of the cluster's rows. */
  topLevel: string | null;
  topShare: number;
}

export interface ValueSummary {
  total: number;
  /** Per profile with a known value (NaN when no profile of the group has one). */
  mean: number;
  /** Of the population's total (noise included); null when that total is not positive. */
  share: number | null;
}

export interface PriorityGrid {
  relevance: number;
  impact: number;
  score: number;
  quadrant: Quadrant;
  label: Localised;
}

/** A type alias, not an interface, so that it is assignable to loose record schemas (`{ [key: string]: unknown }`). */
export type Persona = {
  cluster: number;
  /** 1 = highest score. */
  rank: number;
  size: number;
  /** Of all rows, noise included. */
  share: number;
  numeric: NumericCentroid[];
  categorical: CategoricalCentroid[];
  traits: Trait[];
  value: { revenue: ValueSummary | null; clv: ValueSummary | null };
  name: Localised;
  description: Localised;
  grid: PriorityGrid;
};

export interface PersonaReport {
  /** Ranked by score. */
  personas: Persona[];
  /** Rows labelled -1; null when there are none. */
  noise: { size: number; share: number; revenue: ValueSummary | null; clv: ValueSummary | null } | null;
  weights: { relevance: number; impact: number };
  impactBasis: 'clv' | 'revenue' | 'size';
}
