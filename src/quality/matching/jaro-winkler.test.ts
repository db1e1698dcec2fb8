import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler } from './jaro-winkler.js';

/**
 * Reference values: the Wikipedia article "Jaro-Winkler distance" (MARTHA/MARHTA, DWAYNE/DUANE, DIXON/DICKSONX, after
 * Winkler 1990) and the table of Jaro-Winkler values of name pairs in Porter and Winkler (1997), "Approximate string
 * comparison and its effect on an advanced record linkage system", all given to 3 decimals, hence a tolerance of
 * 0.001. That table's 0.000 entries (HARDIN/MARTINEZ, ITMAN/SMITH, JON/JAN) are left out: they are the cut-off of
 * the software it describes, not values of the formula (which gives 0.722, 0.467 and 0.800).
 */
const TOL = 0.001;
const close = (actual: number, expected: number): void => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOL);

describe('jaro', () => {
  it('gives the published Jaro similarities', () => {
    close(jaro('MARTHA', 'MARHTA'), 0.944);
    close(jaro('DWAYNE', 'DUANE'), 0.822);
    close(jaro('DIXON', 'DICKSONX'), 0.767);
  });

  it('is 1 for equal strings, 0 with nothing in common or an empty side, and symmetric', () => {
    expect(jaro('jacob', 'jacob')).toBe(1);
    expect(jaro('', '')).toBe(1);
    expect(jaro('abc', '')).toBe(0);
    expect(jaro('abc', 'xyz')).toBe(0);
    for (const [a, b] of [['MARTHA', 'MARHTA'], ['DWAYNE', 'DUANE'], ['crate', 'trace'], ['a', 'ab']] as const) {
      expect(jaro(a, b)).toBeCloseTo(jaro(b, a), 12);
    }
  });
});

describe('jaroWinkler', () => {
  it('gives the published Jaro-Winkler similarities (prefix scale 0.1, prefix up to 4)', () => {
    close(jaroWinkler('MARTHA', 'MARHTA'), 0.961);
    close(jaroWinkler('DWAYNE', 'DUANE'), 0.84);
    close(jaroWinkler('DIXON', 'DICKSONX'), 0.813);
    close(jaroWinkler('SHACKLEFORD', 'SHACKELFORD'), 0.982);
    close(jaroWinkler('JONES', 'JOHNSON'), 0.832);
    close(jaroWinkler('MASSEY', 'MASSIE'), 0.933);
    close(jaroWinkler('JULIES', 'JULIUS'), 0.933);
    close(jaroWinkler('TANYA', 'TONYA'), 0.88);
    close(jaroWinkler('JON', 'JOHN'), 0.933);
    close(jaroWinkler('DUNNINGHAM', 'CUNNIGHAM'), 0.896);
    close(jaroWinkler('NICHLESON', 'NICHULSON'), 0.956);
    close(jaroWinkler('ABROMS', 'ABRAMS'), 0.922);
    close(jaroWinkler('JERALDINE', 'GERALDINE'), 0.926);
    close(jaroWinkler('MICHELLE', 'MICHAEL'), 0.921);
    close(jaroWinkler('SEAN', 'SUSAN'), 0.805);
  });

  it('stays in [0, 1] and never below Jaro', () => {
    const words = ['jacob', 'jac ob', 'lanyon', 'lanyln', 'beaconsfield', 'beaconsfieod', 'x', ''];
    for (const a of words) {
      for (const b of words) {
        const v = jaroWinkler(a, b);
        expect(v).toBeGreaterThanOrEqual(jaro(a, b) - 1e-12);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });

  it('handles strings longer than its scratch buffers', () => {
    const long = 'a'.repeat(500) + 'b';
    expect(jaroWinkler(long, long.slice(0, -1) + 'c')).toBeGreaterThan(0.99);
  });
});
