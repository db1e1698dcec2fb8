import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withinOneEdit } from './comparators.js';
import { jaroWinkler } from './jaro-winkler.js';
import { charMask, jaroWinklerBound, mayBeOneEditApart, popcount } from './sketch.js';

/**
 * The sketches may only reject pairs the comparators would reject too. Property tests (fast-check, 5,000 cases each)
 * on short strings over a small alphabet, where near-equal strings are frequent, against the comparators themselves
 * and against a plain dynamic-programming edit distance.
 */

/** Optimal string alignment distance (Damerau without repeated edits), the textbook DP. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const word = fc.string({ unit: fc.constantFrom(...'abcdeé1 '), maxLength: 12 });
const sketch = (s: string) => [s.length, charMask(s)] as const;

describe('string sketches', () => {
  it('counts bits', () => {
    expect(popcount(0)).toBe(0);
    expect(popcount(0b1011)).toBe(3);
    expect(popcount(-1)).toBe(32);
  });

  it('bound Jaro-Winkler from above', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const [la, ma] = sketch(a);
        const [lb, mb] = sketch(b);
        expect(jaroWinklerBound(la, lb, ma, mb)).toBeGreaterThanOrEqual(jaroWinkler(a, b) - 1e-12);
      }),
      { numRuns: 5000 },
    );
  });

  it('never rule out two strings one edit apart', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const [la, ma] = sketch(a);
        const [lb, mb] = sketch(b);
        if (withinOneEdit(a, b)) expect(mayBeOneEditApart(la, lb, ma, mb)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('agree with the textbook edit distance (withinOneEdit is OSA distance <= 1)', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(withinOneEdit(a, b)).toBe(osa(a, b) <= 1);
      }),
      { numRuns: 5000 },
    );
    // Near-equal strings are rare among random ones: derive them from one another too.
    fc.assert(
      fc.property(word, fc.nat(12), fc.constantFrom('delete', 'insert', 'swap', 'replace'), (a, i, op) => {
        const k = a.length === 0 ? 0 : i % a.length;
        const b =
          op === 'delete' ? a.slice(0, k) + a.slice(k + 1) : op === 'insert' ? `${a.slice(0, k)}x${a.slice(k)}` : op === 'swap' ? a.slice(0, k) + a.slice(k + 1, k + 2) + a.slice(k, k + 1) + a.slice(k + 2) : `${a.slice(0, k)}z${a.slice(k + 1)}`;
        expect(withinOneEdit(a, b)).toBe(osa(a, b) <= 1);
        expect(withinOneEdit(a, b)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
