import type { Direction, Locale, Quadrant, Strength } from './types.js';

/**
 * The words of persona names and descriptions. Templates are data: `{slot}` placeholders filled with plain text by
 * `fill`, never code, so a feature name or a level coming from a customer's data cannot do more than appear in the
 * text. The French avoids agreement with the feature's gender and number ("dépenses" and "panier" alike) by using
 * invariable phrasing: "au-dessus de la moyenne", "niveau élevé", "part de « ... »" (the quotes also spare the elision
 * that "de" would need before a level starting with a vowel).
 */

export interface Phrasebook {
  /** The comparison with the population, by direction and strength. */
  comparison: Record<Direction, Record<Strength, string>>;
  /** A numeric trait: {feature}, {comparison}, {cluster} and {population} (means). */
  numericTrait: string;
  /** A categorical trait: {level}, {feature}, {comparison}, {cluster} and {population} (shares), {lift}. */
  levelTrait: string;
  /** A name part from a numeric trait (strengths below slight are never named). */
  nameNumeric: Record<Direction, Record<Exclude<Strength, 'negligible'>, string>>;
  /** A name part from a level: mostly (half the cluster or more), often (over-represented), rarely (under-represented). */
  nameLevel: { mostly: string; often: string; rarely: string };
  nameJoin: string;
  averageName: string;
  size: { one: string; other: string };
  traitsIntro: string;
  traitsJoin: string;
  noTrait: string;
  revenue: string;
  clv: string;
  quadrant: Record<Quadrant, string>;
}

export const PHRASES: Readonly<Record<Locale, Phrasebook>> = {
  en: {
    comparison: {
      higher: { strong: 'much higher than average', moderate: 'higher than average', slight: 'slightly higher than average', negligible: 'close to average' },
      lower: { strong: 'much lower than average', moderate: 'lower than average', slight: 'slightly lower than average', negligible: 'close to average' },
    },
    numericTrait: '{feature} {comparison} ({cluster} vs {population})',
    levelTrait: 'share of {level} ({feature}) {comparison} ({cluster} vs {population}, ×{lift})',
    nameNumeric: {
      higher: { strong: 'Very high {feature}', moderate: 'High {feature}', slight: 'Slightly high {feature}' },
      lower: { strong: 'Very low {feature}', moderate: 'Low {feature}', slight: 'Slightly low {feature}' },
    },
    nameLevel: { mostly: '{feature}: mostly {level}', often: '{feature}: often {level}', rarely: '{feature}: rarely {level}' },
    nameJoin: '{first}, {second}',
    averageName: 'Average profile',
    size: { one: '1 profile, {share} of the population.', other: '{count} profiles, {share} of the population.' },
    traitsIntro: 'Compared with the whole population: {traits}.',
    traitsJoin: '; ',
    noTrait: 'No trait stands out: close to the average on every feature.',
    revenue: 'This group brings {share} of revenue ({total} in total, {mean} per profile).',
    clv: 'Predicted lifetime value: {share} of the total ({mean} per profile).',
    quadrant: { priority: 'Priority', grow: 'Grow', niche: 'Niche', monitor: 'Monitor' },
  },
  fr: {
    comparison: {
      higher: {
        strong: 'nettement au-dessus de la moyenne',
        moderate: 'au-dessus de la moyenne',
        slight: 'légèrement au-dessus de la moyenne',
        negligible: 'proche de la moyenne',
      },
      lower: {
        strong: 'nettement en dessous de la moyenne',
        moderate: 'en dessous de la moyenne',
        slight: 'légèrement en dessous de la moyenne',
        negligible: 'proche de la moyenne',
      },
    },
    numericTrait: '{feature} {comparison} ({cluster} contre {population})',
    levelTrait: 'part de «\u00a0{level}\u00a0» ({feature}) {comparison} ({cluster} contre {population}, ×{lift})',
    nameNumeric: {
      higher: { strong: '{feature} : niveau très élevé', moderate: '{feature} : niveau élevé', slight: '{feature} : niveau un peu élevé' },
      lower: { strong: '{feature} : niveau très bas', moderate: '{feature} : niveau bas', slight: '{feature} : niveau un peu bas' },
    },
    nameLevel: { mostly: '{feature} : surtout {level}', often: '{feature} : souvent {level}', rarely: '{feature} : rarement {level}' },
    nameJoin: '{first}, {second}',
    averageName: 'Profil moyen',
    size: { one: '1 profil, soit {share} de la population.', other: '{count} profils, soit {share} de la population.' },
    traitsIntro: "Par rapport à l'ensemble : {traits}.",
    traitsJoin: ' ; ',
    noTrait: 'Aucun trait ne se distingue : proche de la moyenne sur chaque critère.',
    revenue: "Ce groupe apporte {share} du chiffre d'affaires ({total} au total, {mean} par profil).",
    clv: 'Valeur client prévue : {share} du total ({mean} par profil).',
    quadrant: { priority: 'Prioritaire', grow: 'À développer', niche: 'Niche', monitor: 'À surveiller' },
  },
};

/** Fills `{slot}`s with text. A slot missing from `values` is a defect of the phrase table, so it throws. */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`phrase template slot {${key}} has no value`);
    return v;
  });
}

/** days_since_last_order, daysSinceLastOrder, days-since-last-order -> "days since last order". */
export function humanise(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b([A-Z])([a-z]+)\b/g, (_, a: string, b: string) => a.toLowerCase() + b);
}

export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Lower-cases the first letter to continue a sentence, unless the word is an acronym (CLV, RFM). */
export const uncapitalise = (s: string): string => (/^[A-Z][A-Z0-9]/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1));

const TAG: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

/** A number with the precision a reader needs: none from 100, one decimal from 10, two below. */
export function formatNumber(x: number, locale: Locale): string {
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return new Intl.NumberFormat(TAG[locale], { maximumFractionDigits: digits }).format(x);
}

export function formatShare(x: number, locale: Locale): string {
  return new Intl.NumberFormat(TAG[locale], { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

export function formatRatio(x: number, locale: Locale): string {
  return new Intl.NumberFormat(TAG[locale], { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(x);
}
