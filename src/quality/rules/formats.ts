/**
 * Named formats for the pattern check: written and reviewed here, so a rule can ask for a common shape without a
 * regex of its own. Prefer them (or a `valid` check with a normaliser spec, which knows more than a shape) to user
 * regexes: they cannot be catastrophic, and they read better in a rule file.
 */
export const NAMED_FORMATS = {
  /** Five digits, as French postal codes (the valid/consistent checks know which codes exist). */
  fr_postal_code: /^\d{5}$/,
  /** INSEE commune code: 2 digits or 2A/2B (Corsica), then 3 digits. */
  fr_insee_commune: /^(?:\d{2}|2[AB])\d{3}$/,
  /** ISO 3166-1 alpha-2, in capitals. */
  iso_country: /^[A-Z]{2}$/,
  /** ISO 4217 currency code, in capitals. */
  iso_currency: /^[A-Z]{3}$/,
  /** Digits only, at least one. */
  digits: /^\d+$/,
  /** Letters (any script), spaces, hyphens and apostrophes, starting with a letter. */
  letters: /^\p{L}[\p{L}\p{M} '’-]*$/u,
  /** A lower-case slug: a-z, 0-9 and single hyphens. */
  slug: /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
  /** A UUID in its canonical 8-4-4-4-12 hexadecimal form. */
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
} as const satisfies Record<string, RegExp>;

export type NamedFormat = keyof typeof NAMED_FORMATS;
