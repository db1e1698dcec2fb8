/**
 * Phonetic keys: names that sound alike get the same short code, so that a blocking key or a comparator can see
 * "Dupont" and "Dupond", or "Robert" and "Rupert", as the same name. Two are provided, because customer files mix
 * French and English names:
 *
 * - `soundexFr`: Soundex2, Frédéric Brouard's adaptation of Soundex to French spelling ("L'art des Soundex",
 *   sqlpro.developpez.com): French letter groups (GUI, QU, CH, PH, SCH) and silent endings (-d, -t, -s) handled.
 * - `soundex`: American Soundex as the U.S. National Archives define it (Russell and Odell), with the H/W rule.
 *
 * Both take any text (accents, case, spaces and hyphens are ignored) and give '' when it has no letter.
 */

/** Upper-case Latin letters only, accents dropped: the input both algorithms expect. */
function letters(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/Œ/g, 'OE')
    .replace(/Æ/g, 'AE')
    .replace(/[^A-Z]/g, '');
}

// Soundex codes by letter, A..Z; 0 for vowels and Y (they separate equal codes), -1 for H and W (they do not).
const SOUNDEX_CODES = [0, 1, 2, 3, 0, 1, 2, -1, 0, 2, 2, 4, 5, 5, 0, 1, 2, 6, 2, 3, 0, 1, -1, 2, 0, 2];

/** American Soundex: the first letter and three digits, `Robert` -> `R163`, `Tymczak` -> `T522`, `Pfister` -> `P236`. */
export function soundex(name: string): string {
  const s = letters(name);
  if (s === '') return '';
  let out = s[0]!;
  let prev = SOUNDEX_CODES[s.charCodeAt(0) - 65]!;
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const code = SOUNDEX_CODES[s.charCodeAt(i) - 65]!;
    if (code === -1) continue; // H and W: letters on both sides with the same code are coded once
    if (code !== 0 && code !== prev) out += String(code);
    prev = code;
  }
  return out.padEnd(4, '0');
}

const SOUNDEX2_GROUPS: readonly (readonly [RegExp, string])[] = [
  [/GUI/g, 'KI'],
  [/GUE/g, 'KE'],
  [/GA/g, 'KA'],
  [/GO/g, 'KO'],
  [/GU/g, 'K'],
  [/CA/g, 'KA'],
  [/CO/g, 'KO'],
  [/CU/g, 'KU'],
  [/Q/g, 'K'],
  [/CC/g, 'K'],
  [/CK/g, 'K'],
];

const SOUNDEX2_PREFIXES: readonly (readonly [string, string])[] = [
  ['MAC', 'MCC'],
  ['ASA', 'AZA'],
  ['KN', 'NN'],
  ['PF', 'FF'],
  ['SCH', 'SSS'],
  ['PH', 'FF'],
];

/**
 * Soundex2 (Brouard), the French Soundex: up to four letters, `Martin` -> `MRTN`, `Gauthier` -> `KTR`,
 * `Philippe` -> `FLP`, `Dupont` and `Dupond` -> `DPN`.
 */
export function soundexFr(name: string): string {
  let s = letters(name);
  if (s === '') return '';
  // 1. letter groups that sound as K
  for (const [from, to] of SOUNDEX2_GROUPS) s = s.replace(from, to);
  // 2. every vowel but the first letter becomes A
  s = s[0]! + s.slice(1).replace(/[EIOU]/g, 'A');
  // 3. prefixes
  for (const [from, to] of SOUNDEX2_PREFIXES) {
    if (s.startsWith(from)) {
      s = to + s.slice(from.length);
      break;
    }
  }
  // 4. a silent H (not after C or S), then a Y not after A
  s = s.replace(/([^CS])H/g, '$1').replace(/([^A])Y/g, '$1');
  // 5. a silent ending: A, D, T or S
  if (s.length > 1 && /[ADTS]$/.test(s)) s = s.slice(0, -1);
  // 6. the A's (the former vowels) go, except as first letter; doubled letters are written once
  s = s[0]! + s.slice(1).replace(/A/g, '');
  s = s.replace(/(.)\1+/g, '$1');
  return s.slice(0, 4);
}
