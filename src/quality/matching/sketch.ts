/**
 * Cheap numeric sketches of a string (its length and the set of its characters as a 32-bit mask) that bound what
 * the string comparators can return, so that most non-matching pairs are rejected without reading either string.
 * In the comparison phase the strings are what misses the CPU cache, not the arithmetic; these bounds are proven
 * conservative (never reject a pair the comparator would accept) by the property tests in sketch.test.ts.
 */

/** The set of characters of s, each folded to one of 32 bits (c & 31; collisions only make the bounds looser). */
export function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m |= 1 << (s.charCodeAt(i) & 31);
  return m;
}

export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * An upper bound of jaroWinkler(a, b) (scale 0.1, prefix up to 4) from the lengths and masks alone. Every character
 * of a whose bit is not in b's mask is unmatched, and each such bit stands for at least one character, so the
 * matches are at most la - |maskA \ maskB| (and likewise for b); transpositions are taken as zero and the prefix as 4.
 */
export function jaroWinklerBound(la: number, lb: number, ma: number, mb: number): number {
  if (la === 0 || lb === 0) return la === lb ? 1 : 0;
  const m = Math.min(la - popcount(ma & ~mb), lb - popcount(mb & ~ma));
  if (m <= 0) return 0;
  const j = (m / la + m / lb + 1) / 3;
  return j + 0.4 * (1 - j);
}

/**
 * False when a and b are certainly more than one edit apart (substitution, insertion, deletion or adjacent
 * transposition): one edit changes the length by at most 1 and adds or removes at most one character kind each way.
 */
export function mayBeOneEditApart(la: number, lb: number, ma: number, mb: number): boolean {
  return la - lb <= 1 && lb - la <= 1 && popcount(ma & ~mb) <= 1 && popcount(mb & ~ma) <= 1;
}
