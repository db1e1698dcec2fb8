/**
 * Jaro and Jaro-Winkler similarity (Jaro 1989; Winkler 1990, "String comparator metrics and enhanced decision rules
 * in the Fellegi-Sunter model of record linkage"), written for speed: no allocation per call, flags in reused typed
 * arrays, char codes compared directly. Values are in [0, 1], 1 for equal strings; two empty strings give 1.
 */

// Scratch flags for strings longer than 31 characters, reused across calls (grown on demand): the comparison phase
// calls this millions of times, and a fresh array per call would dominate its cost. Not shared state: each call
// clears what it uses first.
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** The Jaro similarity: matching characters within half the longer length, and half-transpositions among them. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  return la <= 31 && lb <= 31 ? jaroShort(a, b, la, lb) : jaroLong(a, b, la, lb);
}

/** Strings of up to 31 characters (names, towns, most tokens): the matched flags are the bits of two integers. */
function jaroShort(a: string, b: string, la: number, lb: number): number {
  const range = Math.max(0, ((la > lb ? la : lb) >> 1) - 1);
  let flagsA = 0;
  let flagsB = 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = i > range ? i - range : 0;
    const hi = i + range + 1 < lb ? i + range + 1 : lb;
    for (let j = lo; j < hi; j++) {
      if ((flagsB & (1 << j)) === 0 && b.charCodeAt(j) === c) {
        flagsA |= 1 << i;
        flagsB |= 1 << j;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let j = 0;
  for (let i = 0; i < la; i++) {
    if ((flagsA & (1 << i)) === 0) continue;
    while ((flagsB & (1 << j)) === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) halfTranspositions++;
    j++;
  }
  const t = halfTranspositions >> 1;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

function jaroLong(a: string, b: string, la: number, lb: number): number {
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = i > range ? i - range : 0;
    const hi = Math.min(i + range + 1, lb);
    for (let j = lo; j < hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let halfTranspositions = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const t = halfTranspositions >> 1;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/**
 * Jaro-Winkler: the Jaro similarity raised for a common prefix of up to `maxPrefix` characters, by `scale` per
 * character (0.1 and 4 as in Winkler's paper): MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
 */
export function jaroWinkler(a: string, b: string, scale = 0.1, maxPrefix = 4): number {
  const j = jaro(a, b);
  if (j === 1 || j === 0) return j;
  const n = Math.min(maxPrefix, a.length, b.length);
  let prefix = 0;
  while (prefix < n && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * scale * (1 - j);
}
