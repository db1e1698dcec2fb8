/**
 * The evidence of a match as the API gives it (a review pair's, or a merge's with cause "match"): the probability
 * and, per compared field, its agreement level and weight. Evidence is an open record on the server, so it is read
 * defensively: what is not there is left out rather than guessed.
 */

export interface FieldEvidence {
  field: string;
  /** exact, close, similar, near, one_edit, disagree, or missing (either side has no value). */
  level: string;
  weight: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function evidenceFields(evidence: Record<string, unknown>): FieldEvidence[] {
  const fields = evidence.fields;
  if (!Array.isArray(fields)) return [];
  return fields
    .filter(isRecord)
    .filter((f) => typeof f.field === 'string')
    .map((f) => ({ field: String(f.field), level: typeof f.level === 'string' ? f.level : 'missing', weight: typeof f.weight === 'number' ? f.weight : 0 }));
}

/** A level that counts for the two records being one person: anything but a disagreement or a missing value. */
export const agrees = (level: string): boolean => level !== 'disagree' && level !== 'missing';

export function evidenceProbability(evidence: Record<string, unknown>): number | null {
  return typeof evidence.probability === 'number' && Number.isFinite(evidence.probability) ? evidence.probability : null;
}

export function evidenceStrings(evidence: Record<string, unknown>, key: string): string[] {
  const v = evidence[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
