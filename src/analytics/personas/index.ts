/**
 * Personas: clusters turned into named, described and ranked segments a marketer can act on, in French and English.
 * See build-personas.ts for the effect sizes and the priority grid, phrases.ts for the wording.
 *
 * ```ts
 * import { buildPersonas } from '../analytics/index.js';
 * const { personas, noise } = buildPersonas({ columns, labels, revenue }, { weights: { relevance: 0.3, impact: 0.7 } });
 * personas[0].name.fr; // e.g. "Gros acheteurs, récents"
 * personas[0].grid.quadrant; // 'priority' | 'grow' | 'niche' | 'monitor'
 * ```
 */
export { buildPersonas } from './build-personas.js';
export { PHRASES, humanise, type Phrasebook } from './phrases.js';
export type {
  CategoricalCentroid,
  Direction,
  FeatureLabel,
  Locale,
  Localised,
  NumericCentroid,
  Persona,
  PersonaInput,
  PersonaOptions,
  PersonaReport,
  PriorityGrid,
  Quadrant,
  Strength,
  Trait,
  ValueSummary,
} from './types.js';
