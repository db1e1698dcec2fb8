import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { collapseSpaces, fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

export const TextCase = z.enum(['title', 'upper', 'keep']);
export type TextCase = z.infer<typeof TextCase>;

/** Typographic apostrophes and lookalikes become the ASCII one, so that "d’Artagnan" and "d'Artagnan" match. */
export function straightenApostrophes(text: string): string {
  return text.replace(/[’‘`´ʼ]/gu, "'");
}

/** First letter upper-case, the rest lower-case. */
export function capitalise(word: string): string {
  const lower = word.toLocaleLowerCase('fr');
  const first = lower.codePointAt(0);
  if (first === undefined) return lower;
  const head = String.fromCodePoint(first);
  return head.toLocaleUpperCase('fr') + lower.slice(head.length);
}

// Written intentionally with inner capitals (McDonald, DiCaprio, LeBlanc): kept as written.
const CAMEL = /^\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)+$/u;

/** Capitalises each part of a word split on hyphens and apostrophes ("jean-pierre" -> "Jean-Pierre", "o'neil" -> "O'Neil"). */
export function capitaliseParts(word: string): string {
  return word
    .split(/([-'])/u)
    .map((part) => (part === '-' || part === "'" || CAMEL.test(part) ? part : capitalise(part)))
    .join('');
}

// Nobiliary and patronymic particles, lower-case inside a name (Charles de Gaulle, Ludwig van Beethoven).
const PARTICLES = new Set(['de', 'du', 'des', 'van', 'von', 'der', 'den', 'di', 'da', 'del', 'dos', 'das']);
// Articles are lower-case after a particle (de la Fontaine) and capitalised otherwise (Le Pen, Le Goff, La Rochelle).
const ARTICLES = new Set(['la', 'le', 'les']);

export const NameSpec = z.strictObject({
  kind: z.literal('name'),
  /** title: Jean-Pierre de la Fontaine; upper: JEAN-PIERRE DE LA FONTAINE (as on French official forms); keep: spaces only. */
  case: TextCase.default('title'),
});
export type NameOptions = Omit<z.input<typeof NameSpec>, 'kind'>;

/**
 * Person names: `nameNormaliser()("jean-pierre DE LA FONTAINE")` is `ok("Jean-Pierre de la Fontaine")`.
 * Spaces are collapsed, apostrophes straightened, each part capitalised; particles (de, du, des, van, von...) are
 * lower-case except at the start, "d'" always ("d'Artagnan"), la/le/les after a particle only.
 */
export function nameNormaliser(options: NameOptions = {}): Normaliser<string> {
  const spec = NameSpec.parse({ ...options, kind: 'name' });
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_name', 'name');
    if (!text.ok) return text;
    const cleaned = collapseSpaces(straightenApostrophes(text.value))
      .replace(/\s*-\s*/gu, '-')
      .replace(/'\s+/gu, "'");
    if (!/^[\p{L}\p{M}' .-]+$/u.test(cleaned) || !/\p{L}/u.test(cleaned)) {
      return fail(
        'quality.invalid_name',
        raw,
        `${show(raw)} is not a name: write it with letters, spaces, hyphens and apostrophes only (no digits, @ or other signs).`,
      );
    }
    if (spec.case === 'keep') return ok(cleaned);
    if (spec.case === 'upper') return ok(cleaned.toLocaleUpperCase('fr'));
    return ok(titleCaseName(cleaned));
  };
}

/** Title case for a cleaned person name (see nameNormaliser). */
export function titleCaseName(name: string): string {
  const words = name.split(' ');
  const out: string[] = [];
  words.forEach((word, i) => {
    const lower = word.toLocaleLowerCase('fr');
    const previous = (words[i - 1] ?? '').toLocaleLowerCase('fr');
    const last = i === words.length - 1;
    if (i > 0 && !last && PARTICLES.has(lower)) out.push(lower);
    else if (i > 0 && !last && ARTICLES.has(lower) && PARTICLES.has(previous)) out.push(lower);
    else if (/^d'./u.test(lower)) out.push(`d'${capitaliseParts(word.slice(2))}`);
    else out.push(capitaliseParts(word));
  });
  return out.join(' ');
}

export function normaliseName(raw: unknown, options: NameOptions = {}): Result<string, NormaliseError> {
  return nameNormaliser(options)(raw);
}
