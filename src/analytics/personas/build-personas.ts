import { capitalise, fill, formatNumber, formatRatio, formatShare, humanise, PHRASES, uncapitalise } from './phrases.js';
import { population, profileCluster, valueSummary, type RawTrait } from './profile.js';
import type { FeatureLabel, Locale, Localised, Persona, PersonaInput, PersonaOptions, PersonaReport, PriorityGrid, Quadrant, Strength, Trait } from './types.js';

/**
 * Personas: each cluster turned into something a marketer can read and rank.
 *
 * Per cluster: size and share; centroid in original units; the distinguishing traits, ranked by |effect| where
 * effect = (cluster mean - population mean) / population sd (for a level, the same on its 0/1 indicator; its lift,
 * share in cluster / share overall, is reported beside it); value (revenue, CLV) when given; a name and a paragraph in
 * French and English from the phrase table (phrases.ts), with strengths slight / moderate / strong from |effect| 0.2 /
 * 0.5 / 0.8.
 *
 * Priority grid, for clusters c = 1..k:
 *   relevance_raw(c) = mean |effect| of c's traits x max(0, silhouette(c)) (the factor only when silhouettes are given)
 *   impact_raw(c)    = max(0, c's share of CLV, or of revenue, or of the population: see `impactBasis`)
 *   relevance(c) = relevance_raw(c) / max over clusters (0..1; the most distinct cluster is 1), impact alike
 *   score(c) = w_relevance x relevance(c) + w_impact x impact(c)   (weights as given, default 0.5 / 0.5)
 *   quadrant: 'priority' if relevance >= 0.5 and impact >= 0.5; 'grow' if only impact is; 'niche' if only relevance
 *   is; 'monitor' otherwise.
 * Personas are ranked by score (ties: the larger cluster, then the lower label). Dividing by the maximum, rather than
 * stretching min..max, keeps ratios: two equally distinct clusters are both relevant, not one at 0 and one at 1.
 *
 * ```ts
 * const report = buildPersonas(
 *   { columns, labels: clustering.labels, revenue },
 *   {
 *     labels: {
 *       total_spent: { en: 'total spent', fr: 'dépenses totales', higher: { en: 'High spenders', fr: 'Gros acheteurs' } },
 *       days_since_last_order: { en: 'days since last order', fr: 'jours depuis la dernière commande', lower: { en: 'recent', fr: 'récents' } },
 *     },
 *   },
 * );
 * report.personas[0].name; // { en: 'High spenders, recent', fr: 'Gros acheteurs, récents' }
 * ```
 */

const STRENGTHS: readonly (readonly [number, Strength])[] = [
  [0.8, 'strong'],
  [0.5, 'moderate'],
  [0.2, 'slight'],
];
const strengthOf = (effect: number): Strength => STRENGTHS.find(([min]) => Math.abs(effect) >= min)?.[1] ?? 'negligible';

/** Traits always kept per persona (when the features allow), whatever their strength. */
const ALWAYS_KEPT = 3;

const localised = (f: (l: Locale) => string): Localised => ({ en: f('en'), fr: f('fr') });

function labelOf(labels: PersonaOptions['labels'], feature: string): FeatureLabel {
  const given = labels?.[feature];
  if (given) return given;
  const h = humanise(feature);
  return { en: h, fr: h };
}

function phraseTrait(t: RawTrait, label: FeatureLabel): Localised {
  const direction = t.effect >= 0 ? 'higher' : 'lower';
  const strength = strengthOf(t.effect);
  return localised((l) => {
    const p = PHRASES[l];
    const comparison = p.comparison[direction][strength];
    const text =
      t.kind === 'numeric'
        ? fill(p.numericTrait, { feature: label[l], comparison, cluster: formatNumber(t.clusterValue, l), population: formatNumber(t.populationValue, l) })
        : fill(p.levelTrait, {
            level: t.level ?? '',
            feature: label[l],
            comparison,
            cluster: formatShare(t.clusterValue, l),
            population: formatShare(t.populationValue, l),
            lift: formatRatio(t.lift ?? 0, l),
          });
    return capitalise(text);
  });
}

/** The part of a persona name a trait gives, or null for a negligible one. */
function namePart(t: Trait, label: FeatureLabel, l: Locale): string | null {
  if (t.strength === 'negligible') return null;
  const p = PHRASES[l];
  if (t.kind === 'numeric') {
    const own = label[t.direction];
    return own ? own[l] : fill(p.nameNumeric[t.direction][t.strength], { feature: label[l] });
  }
  const template = t.direction === 'lower' ? p.nameLevel.rarely : t.clusterValue >= 0.5 ? p.nameLevel.mostly : p.nameLevel.often;
  return fill(template, { feature: label[l], level: t.level ?? '' });
}

function nameOf(traits: readonly Trait[], labels: PersonaOptions['labels']): Localised {
  return localised((l) => {
    const parts = traits.flatMap((t) => namePart(t, labelOf(labels, t.feature), l) ?? []).slice(0, 2);
    if (parts.length === 0) return PHRASES[l].averageName;
    const [first, second] = parts as [string, string | undefined];
    return capitalise(second === undefined ? first : fill(PHRASES[l].nameJoin, { first, second: uncapitalise(second) }));
  });
}

function paragraph(p: Omit<Persona, 'name' | 'description' | 'grid' | 'rank'>): Localised {
  return localised((l) => {
    const t = PHRASES[l];
    const sentences = [fill(p.size === 1 ? t.size.one : t.size.other, { count: formatNumber(p.size, l), share: formatShare(p.share, l) })];
    const shown = p.traits.filter((tr) => tr.strength !== 'negligible');
    sentences.push(shown.length === 0 ? t.noTrait : fill(t.traitsIntro, { traits: shown.map((tr) => uncapitalise(tr.phrase[l])).join(t.traitsJoin) }));
    const { revenue, clv } = p.value;
    if (revenue && revenue.share !== null) sentences.push(fill(t.revenue, { share: formatShare(revenue.share, l), total: formatNumber(revenue.total, l), mean: formatNumber(revenue.mean, l) }));
    if (clv && clv.share !== null) sentences.push(fill(t.clv, { share: formatShare(clv.share, l), mean: formatNumber(clv.mean, l) }));
    return sentences.join(' ');
  });
}

function quadrantOf(relevance: number, impact: number): Quadrant {
  if (relevance >= 0.5) return impact >= 0.5 ? 'priority' : 'niche';
  return impact >= 0.5 ? 'grow' : 'monitor';
}

function checkInput(input: PersonaInput, options: PersonaOptions): { n: number; weights: { relevance: number; impact: number }; maxTraits: number } {
  const n = input.labels.length;
  for (const c of input.columns) if (c.values.length !== n) throw new RangeError(`feature '${c.name}' has ${c.values.length} values, labels has ${n}`);
  for (const [what, v] of [['revenue', input.revenue], ['clv', input.clv]] as const) {
    if (v !== undefined && v.length !== n) throw new RangeError(`${what} has ${v.length} values, labels has ${n}`);
  }
  for (const l of input.labels) if (l < -1) throw new RangeError(`cluster labels are >= 0, or -1 for noise; got ${l}`);
  const weights = options.weights ?? { relevance: 0.5, impact: 0.5 };
  const ok = (w: number): boolean => Number.isFinite(w) && w >= 0;
  if (!ok(weights.relevance) || !ok(weights.impact) || weights.relevance + weights.impact === 0) {
    throw new RangeError(`weights must be finite numbers >= 0, not both 0; got relevance ${weights.relevance}, impact ${weights.impact}`);
  }
  const maxTraits = options.maxTraits ?? 5;
  if (!Number.isInteger(maxTraits) || maxTraits < 1 || maxTraits > 10) throw new RangeError(`maxTraits must be a whole number from 1 to 10, got ${maxTraits}`);
  return { n, weights, maxTraits };
}

/** Personas of a clustering, ranked by priority. Deterministic: the same input gives the same report. */
export function buildPersonas(input: PersonaInput, options: PersonaOptions = {}): PersonaReport {
  const { n, weights, maxTraits } = checkInput(input, options);
  if (n === 0) throw new RangeError('no rows given');
  const impactBasis = options.impactBasis ?? (input.clv ? 'clv' : input.revenue ? 'revenue' : 'size');
  if (impactBasis !== 'size' && !input[impactBasis]) throw new RangeError(`impactBasis '${impactBasis}' needs the ${impactBasis} column`);
  const members = new Map<number, number[]>();
  input.labels.forEach((l, i) => {
    const list = members.get(l) ?? [];
    list.push(i);
    members.set(l, list);
  });
  const clusters = [...members.keys()].filter((l) => l >= 0).sort((a, b) => a - b);
  if (input.silhouette) {
    const s = input.silhouette;
    const lacking = clusters.filter((c) => !Number.isFinite(s[c]));
    if (lacking.length > 0) throw new RangeError(`silhouette is given but lacks cluster(s) ${lacking.join(', ')}`);
  }
  const pop = population(input.columns);

  const drafts = clusters.map((cluster) => {
    const rows = members.get(cluster) as number[];
    const profile = profileCluster(input.columns, pop, rows);
    const ranked = [...profile.candidates].sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.order - b.order);
    const traits: Trait[] = ranked
      .filter((t, i) => i < ALWAYS_KEPT || strengthOf(t.effect) !== 'negligible')
      .slice(0, maxTraits)
      .map((t) => ({
        feature: t.feature,
        kind: t.kind,
        level: t.level,
        direction: t.effect >= 0 ? 'higher' : 'lower',
        effect: t.effect,
        strength: strengthOf(t.effect),
        lift: t.lift,
        clusterValue: t.clusterValue,
        populationValue: t.populationValue,
        phrase: phraseTrait(t, labelOf(options.labels, t.feature)),
      }));
    const draft = {
      cluster,
      size: rows.length,
      share: rows.length / n,
      numeric: profile.numeric,
      categorical: profile.categorical,
      traits,
      value: { revenue: input.revenue ? valueSummary(input.revenue, rows) : null, clv: input.clv ? valueSummary(input.clv, rows) : null },
    };
    const distinct = traits.length === 0 ? 0 : traits.reduce((a, t) => a + Math.abs(t.effect), 0) / traits.length;
    const relevanceRaw = distinct * (input.silhouette ? Math.max(0, input.silhouette[cluster] as number) : 1);
    const basisShare = impactBasis === 'size' ? draft.share : (draft.value[impactBasis]?.share ?? 0);
    return { draft, relevanceRaw, impactRaw: Math.max(0, basisShare) };
  });

  const maxRel = Math.max(0, ...drafts.map((d) => d.relevanceRaw));
  const maxImp = Math.max(0, ...drafts.map((d) => d.impactRaw));
  const personas: Persona[] = drafts.map(({ draft, relevanceRaw, impactRaw }) => {
    const relevance = maxRel > 0 ? relevanceRaw / maxRel : 0;
    const impact = maxImp > 0 ? impactRaw / maxImp : 0;
    const quadrant = quadrantOf(relevance, impact);
    const grid: PriorityGrid = {
      relevance,
      impact,
      score: weights.relevance * relevance + weights.impact * impact,
      quadrant,
      label: localised((l) => PHRASES[l].quadrant[quadrant]),
    };
    return { ...draft, rank: 0, name: nameOf(draft.traits, options.labels), description: paragraph(draft), grid };
  });
  personas.sort((a, b) => b.grid.score - a.grid.score || b.size - a.size || a.cluster - b.cluster);
  personas.forEach((p, i) => (p.rank = i + 1));

  const noiseRows = members.get(-1);
  const noise = noiseRows
    ? {
        size: noiseRows.length,
        share: noiseRows.length / n,
        revenue: input.revenue ? valueSummary(input.revenue, noiseRows) : null,
        clv: input.clv ? valueSummary(input.clv, noiseRows) : null,
      }
    : null;
  return { personas, noise, weights: { ...weights }, impactBasis };
}
