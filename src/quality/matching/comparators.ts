import { distance as levenshtein } from 'fastest-levenshtein';
import { assertNever } from '../../kernel/index.js';
import type { ComparatorKind } from './config.js';
import type { FieldFeatures } from './features.js';
import { jaroWinkler } from './jaro-winkler.js';
import { jaroWinklerBound, mayBeOneEditApart } from './sketch.js';

/**
 * Field comparators. Each turns two values into an agreement level: 0 is "disagree", the highest is "exact", the
 * levels between are degrees of partial agreement; MISSING when either side has no value (the model then ignores
 * the field for that pair instead of counting it as a disagreement). Fellegi-Sunter gives every level its own
 * weight, learnt by EM, so the thresholds below only decide which differences are told apart, not how much each
 * one counts.
 */

export const MISSING = 255;

export const LEVELS: Readonly<Record<ComparatorKind, readonly string[]>> = {
  // similar: same French or English phonetic code, or Jaro-Winkler >= 0.85; close: one edit (Levenshtein 1) or JW >= 0.94
  name: ['disagree', 'similar', 'close', 'exact'],
  // near: day and month swapped, one digit wrong, or two adjacent digits swapped
  date: ['disagree', 'near', 'exact'],
  // similar: soft Jaccard >= 0.5 on word tokens (tokens equal, or JW >= 0.9 for tokens of 4+ letters)
  tokens: ['disagree', 'similar', 'exact'],
  // similar: JW >= 0.9
  text: ['disagree', 'similar', 'exact'],
  // one_edit: one substitution, insertion, deletion or transposition of adjacent characters
  code: ['disagree', 'one_edit', 'exact'],
  exact: ['disagree', 'exact'],
  // similar: same local part (provider changed), or one edit
  email: ['disagree', 'similar', 'exact'],
};

/** True when b is at most one edit away from a (substitution, insertion, deletion, adjacent transposition). */
export function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (la - lb > 1 || lb - la > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === la && i === lb) return true;
  if (la === lb) {
    // a substitution at i, or a transposition of i and i + 1; then the tails must agree
    let k = i + 1;
    if (k < la && a.charCodeAt(i) === b.charCodeAt(k) && a.charCodeAt(k) === b.charCodeAt(i)) k++;
    for (; k < la; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return tailEqual(a, b, i + 1, i + 1);
    return true;
  }
  return la > lb ? tailEqual(a, b, i + 1, i) : tailEqual(a, b, i, i + 1);
}

function tailEqual(a: string, b: string, ia: number, ib: number): boolean {
  if (a.length - ia !== b.length - ib) return false;
  for (; ia < a.length; ia++, ib++) if (a.charCodeAt(ia) !== b.charCodeAt(ib)) return false;
  return true;
}

/** Dates as YYYYMMDD numbers: exact 2; near 1 (day and month swapped, one digit wrong, two adjacent digits swapped); else 0. */
export function compareDateNumbers(x: number, y: number): number {
  if (x === y) return 2;
  const yx = Math.floor(x / 10000);
  if (yx === Math.floor(y / 10000) && Math.floor(x / 100) % 100 === y % 100 && x % 100 === Math.floor(y / 100) % 100) return 1;
  // Digit by digit from the right: one position differs, or two adjacent ones swapped.
  let first = -1;
  let diffs = 0;
  let dx = x;
  let dy = y;
  let prevX = -1;
  let prevY = -1;
  let swapped = false;
  for (let i = 0; i < 8; i++) {
    const cx = dx % 10;
    const cy = dy % 10;
    if (cx !== cy) {
      diffs++;
      if (first === -1) first = i;
      else if (diffs === 2 && first === i - 1 && cx === prevY && cy === prevX) swapped = true;
    }
    prevX = cx;
    prevY = cy;
    dx = Math.floor(dx / 10);
    dy = Math.floor(dy / 10);
  }
  return diffs === 1 || (diffs === 2 && swapped) ? 1 : 0;
}

/** Dates as `YYYYMMDD` strings (see compareDateNumbers); other shapes only agree when equal. */
export function compareDates(a: string, b: string): number {
  if (a === b) return 2;
  return /^\d{8}$/.test(a) && /^\d{8}$/.test(b) ? compareDateNumbers(Number(a), Number(b)) : 0;
}

/** Names (already compacted): exact 3, close 2, similar 1, disagree 0. */
export function compareNames(a: string, b: string, samePhonetic: boolean): number {
  if (a === b) return 3;
  const jw = jaroWinkler(a, b);
  if (jw >= 0.94 || (Math.min(a.length, b.length) >= 3 && levenshtein(a, b) <= 1)) return 2;
  return samePhonetic || jw >= 0.85 ? 1 : 0;
}

/**
 * Soft Jaccard of the token sets of values va and vb: tokens equal, or (4 letters or more) Jaro-Winkler >= 0.9,
 * count as shared. Street names with a typo ("steffanoni circuit", "steffanonui circuit") then still overlap. Sets of
 * more than 31 tokens (not addresses) only count equal tokens.
 */
export function softJaccard(f: TokenFeatures, va: number, vb: number): number {
  const ids = f.tokenIds;
  const a0 = f.tokenStart[va]!;
  const b0 = f.tokenStart[vb]!;
  const na = f.tokenStart[va + 1]! - a0;
  const nb = f.tokenStart[vb + 1]! - b0;
  if (na === 0 || nb === 0) return 0;
  let shared = 0;
  let usedA = 0;
  let usedB = 0;
  // Both sorted: a merge finds the equal tokens.
  for (let i = 0, k = 0; i < na && k < nb; ) {
    const x = ids[a0 + i]!;
    const y = ids[b0 + k]!;
    if (x === y) {
      if (i < 31) usedA |= 1 << i;
      if (k < 31) usedB |= 1 << k;
      shared++;
      i++;
      k++;
    } else if (x < y) i++;
    else k++;
  }
  if (shared < na && shared < nb && na <= 31 && nb <= 31) {
    for (let i = 0; i < na; i++) {
      const x = ids[a0 + i]!;
      const lx = f.tokenLen[x]!;
      if ((usedA & (1 << i)) !== 0 || lx < 4) continue;
      for (let k = 0; k < nb; k++) {
        const y = ids[b0 + k]!;
        const ly = f.tokenLen[y]!;
        if ((usedB & (1 << k)) !== 0 || ly < 4 || jaroWinklerBound(lx, ly, f.tokenMask[x]!, f.tokenMask[y]!) < 0.9) continue;
        if (jaroWinkler(f.tokenText[x]!, f.tokenText[y]!) >= 0.9) {
          usedB |= 1 << k;
          shared++;
          break;
        }
      }
    }
  }
  return shared / (na + nb - shared);
}

type TokenFeatures = Pick<FieldFeatures, 'tokenStart' | 'tokenIds' | 'tokenText' | 'tokenLen' | 'tokenMask'>;

/**
 * The agreement level of field f between two records whose values have ids va and vb (-1: missing). The sketches
 * (lengths, character masks, numbers) settle most disagreements before any string is read.
 */
export function compareField(f: Omit<FieldFeatures, 'id'>, va: number, vb: number): number {
  if (va < 0 || vb < 0) return MISSING;
  const top = LEVELS[f.kind].length - 1;
  if (va === vb) return top;
  switch (f.kind) {
    case 'name': {
      const fr = f.phoneticFr[va]!;
      const en = f.phoneticEn[va]!;
      const same = (fr >= 0 && fr === f.phoneticFr[vb]) || (en >= 0 && en === f.phoneticEn[vb]);
      const la = f.len[va]!;
      const lb = f.len[vb]!;
      const ma = f.mask[va]!;
      const mb = f.mask[vb]!;
      // 'similar' needs JW >= 0.85 (or the same phonetic code), 'close' JW >= 0.94 or one edit.
      if (jaroWinklerBound(la, lb, ma, mb) < 0.85 && !(la >= 3 && lb >= 3 && mayBeOneEditApart(la, lb, ma, mb))) return same ? 1 : 0;
      return compareNames(f.values[va]!, f.values[vb]!, same);
    }
    case 'date':
      return compareDateNumbers(f.num[va]!, f.num[vb]!);
    case 'tokens':
      return softJaccard(f, va, vb) >= 0.5 ? 1 : 0;
    case 'text':
      if (jaroWinklerBound(f.len[va]!, f.len[vb]!, f.mask[va]!, f.mask[vb]!) < 0.9) return 0;
      return jaroWinkler(f.values[va]!, f.values[vb]!) >= 0.9 ? 1 : 0;
    case 'code':
      if (!mayBeOneEditApart(f.len[va]!, f.len[vb]!, f.mask[va]!, f.mask[vb]!)) return 0;
      return withinOneEdit(f.values[va]!, f.values[vb]!) ? 1 : 0;
    case 'exact':
      return 0;
    case 'email':
      if (f.num[va] === f.num[vb]) return 1;
      if (!mayBeOneEditApart(f.len[va]!, f.len[vb]!, f.mask[va]!, f.mask[vb]!)) return 0;
      return withinOneEdit(f.values[va]!, f.values[vb]!) ? 1 : 0;
    default:
      return assertNever(f.kind);
  }
}
