import { z } from 'zod';
import { buildPersonas, type FeatureColumn, type FeatureLabel, type Persona, type PersonaReport } from '../analytics/index.js';

/**
 * Personas of a clustering of profiles: the analytics persona builder, given the profile features in their original
 * units and labels for Segmentum's own features (the words a persona name uses when a cluster is high or low on
 * one), which a caller's labels override.
 */

const Localised = z.object({ fr: z.string().min(1).max(80), en: z.string().min(1).max(80) }).strict();

export const PersonaOptions = z
  .object({
    /** Priority score = relevance x weights.relevance + impact x weights.impact. */
    weights: z.object({ relevance: z.number().min(0).max(1), impact: z.number().min(0).max(1) }).strict().optional(),
    /** Per feature: its name in French and English, and optionally the words for a high or a low cluster. */
    labels: z.record(z.string().min(1).max(200), Localised.extend({ higher: Localised.optional(), lower: Localised.optional() })).optional(),
    maxTraits: z.number().int().min(1).max(10).optional(),
    impactBasis: z.enum(['clv', 'revenue', 'size']).optional(),
  })
  .strict();
export type PersonaOptions = z.infer<typeof PersonaOptions>;
export type PersonaView = Persona;

const L = (en: string, fr: string) => ({ en, fr });

/** How Segmentum's event features read in a persona. */
export const FEATURE_LABELS: Readonly<Record<string, FeatureLabel>> = {
  orders: { ...L('orders', 'commandes'), higher: L('Frequent buyers', 'Acheteurs fréquents'), lower: L('Rare buyers', 'Acheteurs occasionnels') },
  revenue: { ...L('revenue', "chiffre d'affaires"), higher: L('High spenders', 'Gros acheteurs'), lower: L('Small spenders', 'Petits acheteurs') },
  avg_order_value: { ...L('average order value', 'panier moyen'), higher: L('Big baskets', 'Gros paniers'), lower: L('Small baskets', 'Petits paniers') },
  orders_90d: { ...L('orders in 90 days', 'commandes sur 90 jours'), higher: L('active buyers', 'acheteurs actifs'), lower: L('quiet lately', 'peu actifs récemment') },
  revenue_90d: { ...L('revenue in 90 days', "chiffre d'affaires sur 90 jours"), higher: L('spending now', 'dépensiers en ce moment'), lower: L('spending little lately', 'peu dépensiers récemment') },
  days_since_last_order: { ...L('days since the last order', 'jours depuis la dernière commande'), higher: L('lapsing', 'en perte de vitesse'), lower: L('recent', 'récents') },
  days_since_first_seen: { ...L('days since first seen', 'ancienneté (jours)'), higher: L('long-standing', 'de longue date'), lower: L('newcomers', 'nouveaux venus') },
  days_since_last_seen: { ...L('days since last seen', 'jours depuis la dernière visite'), higher: L('dormant', 'endormis'), lower: L('seen lately', 'vus récemment') },
  events_30d: { ...L('events in 30 days', 'événements sur 30 jours'), higher: L('very active', 'très actifs'), lower: L('inactive', 'inactifs') },
  events_90d: { ...L('events in 90 days', 'événements sur 90 jours'), higher: L('engaged', 'engagés'), lower: L('disengaged', 'désengagés') },
  active_days_90d: { ...L('active days in 90 days', 'jours actifs sur 90 jours'), higher: L('regulars', 'habitués'), lower: L('occasional visitors', 'visiteurs occasionnels') },
};

export function personasOf(i: {
  columns: readonly FeatureColumn[];
  /** Rows of the columns that were clustered, in the order of `labels`. */
  rows: readonly number[];
  labels: Int32Array;
  revenue: Float64Array;
  clv: Float64Array | null;
  silhouette: readonly number[] | null;
  options: PersonaOptions;
}): PersonaReport {
  const pick = <T>(values: ArrayLike<T>): T[] => i.rows.map((r) => values[r] as T);
  const columns: FeatureColumn[] = i.columns.map((c) =>
    c.kind === 'numeric' ? { name: c.name, kind: 'numeric', values: Float64Array.from(pick(c.values)) } : { name: c.name, kind: 'categorical', values: pick(c.values) },
  );
  const labels: Record<string, FeatureLabel> = { ...FEATURE_LABELS };
  for (const [k, v] of Object.entries(i.options.labels ?? {})) labels[k] = v;
  return buildPersonas(
    {
      columns,
      labels: i.labels,
      revenue: Float64Array.from(pick(i.revenue)),
      ...(i.clv ? { clv: i.clv } : {}),
      ...(i.silhouette ? { silhouette: Object.fromEntries(i.silhouette.map((s, c) => [c, s])) } : {}),
    },
    {
      labels,
      ...(i.options.weights ? { weights: i.options.weights } : {}),
      ...(i.options.maxTraits ? { maxTraits: i.options.maxTraits } : {}),
      ...(i.options.impactBasis ? { impactBasis: i.options.impactBasis } : {}),
    },
  );
}
