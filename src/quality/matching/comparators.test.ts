import { describe, expect, it } from 'vitest';
import { compareDateNumbers, compareDates, compareField, compareNames, MISSING, softJaccard, withinOneEdit } from './comparators.js';
import { buildRecordTable, type FieldFeatures } from './features.js';

/** One field's features over the given raw values (record i has value i). */
function field(role: Parameters<typeof buildRecordTable>[0]['columns'] extends Partial<Record<infer R, unknown>> ? R : never, values: string[]): FieldFeatures {
  const t = buildRecordTable({ ids: values.map((_, i) => String(i)), columns: { [role]: values } });
  return t.fields[0]!;
}
const level = (f: FieldFeatures, a: number, b: number): number => compareField(f, f.id[a]!, f.id[b]!);

describe('withinOneEdit', () => {
  it('accepts one substitution, insertion, deletion or adjacent transposition, and nothing more', () => {
    for (const [a, b] of [['4011', '4011'], ['4011', '4012'], ['4011', '401'], ['401', '4011'], ['4011', '0411'], ['martin', 'matrin'], ['', 'a']]) {
      expect(withinOneEdit(a!, b!), `${a} ${b}`).toBe(true);
    }
    for (const [a, b] of [['4011', '4022'], ['4011', '40'], ['4011', '1104'], ['martin', 'mrtain'], ['abc', 'cba'], ['', 'ab']]) {
      expect(withinOneEdit(a!, b!), `${a} ${b}`).toBe(false);
    }
  });
});

describe('dates', () => {
  it('are exact, near (day and month swapped, one digit wrong, two adjacent digits swapped) or different', () => {
    expect(compareDates('19840928', '19840928')).toBe(2);
    expect(compareDates('19840307', '19840703')).toBe(1); // 7 March and 3 July: day and month swapped
    expect(compareDates('19840928', '19840929')).toBe(1);
    expect(compareDates('19840928', '19480928')).toBe(1); // 84 typed 48
    expect(compareDates('19840928', '19850929')).toBe(0);
    expect(compareDates('19840928', '19841028')).toBe(0); // two digits
    expect(compareDates('19840928', '20840928')).toBe(0); // two digits (19 -> 20)
    expect(compareDateNumbers(19840928, 19840982)).toBe(1);
  });
});

describe('names', () => {
  it('grade exact, close (one edit or Jaro-Winkler >= 0.94), similar (same sound or JW >= 0.85), disagree', () => {
    expect(compareNames('jacob', 'jacob', false)).toBe(3);
    expect(compareNames('lanyon', 'lanyln', false)).toBe(2);
    expect(compareNames('martha', 'marhta', false)).toBe(2); // JW 0.961
    expect(compareNames('dwayne', 'duane', false)).toBe(0); // JW 0.840, not the same sound given
    expect(compareNames('dwayne', 'duane', true)).toBe(1);
    expect(compareNames('jones', 'johnson', false)).toBe(0); // JW 0.832
    expect(compareNames('martin', 'bernard', false)).toBe(0);
  });

  it('use the French and English phonetic codes, and spaces do not count', () => {
    const f = field('surname', ['Catherine', 'Kathryn', 'Jac ob', 'JACOB', 'Dupont', 'Dupond', 'Zola', '']);
    expect(level(f, 0, 1)).toBe(1); // KTRN in Soundex2, though JW is 0.83
    expect(level(f, 2, 3)).toBe(3);
    expect(level(f, 4, 5)).toBe(2);
    expect(level(f, 4, 6)).toBe(0);
    expect(level(f, 0, 7)).toBe(MISSING);
  });
});

describe('address tokens', () => {
  const f = field('address_1', ['steffanoni circuit', 'steffanonui circuit', 'rue pasteur', 'rue voltaire', 'Rue  Pasteur', 'circuit steffanoni', 'av victor hugo', 'avenue victor hugo']);

  it('share a token when equal or, from 4 letters, within Jaro-Winkler 0.9 (soft Jaccard)', () => {
    expect(softJaccard(f, f.id[0]!, f.id[1]!)).toBe(1);
    expect(softJaccard(f, f.id[2]!, f.id[3]!)).toBeCloseTo(1 / 3, 12);
    expect(softJaccard(f, f.id[6]!, f.id[7]!)).toBeCloseTo(2 / 4, 12);
  });

  it('grade exact (same normalised text), similar (soft Jaccard >= 0.5) or disagree', () => {
    expect(level(f, 2, 4)).toBe(2);
    expect(level(f, 0, 5)).toBe(1); // same tokens, another order
    expect(level(f, 0, 1)).toBe(1);
    expect(level(f, 6, 7)).toBe(1);
    expect(level(f, 2, 3)).toBe(0);
  });
});

describe('codes, emails and text', () => {
  it('grade ids and postcodes exact, one edit or disagree', () => {
    const f = field('soc_sec_id', ['6988048', '6988084', '6988048', '1234567', '698804']);
    expect(level(f, 0, 2)).toBe(2);
    expect(level(f, 0, 1)).toBe(1);
    expect(level(f, 0, 4)).toBe(1);
    expect(level(f, 0, 3)).toBe(0);
  });

  it('compare phones on their last 9 digits', () => {
    const f = field('phone', ['+33 6 12 34 56 78', '06.12.34.56.78', '06 12 34 56 79', '07 00 00 00 00']);
    expect(level(f, 0, 1)).toBe(2);
    expect(level(f, 0, 2)).toBe(1);
    expect(level(f, 0, 3)).toBe(0);
  });

  it('count an email at another provider, or one keystroke away, as similar', () => {
    const f = field('email', [' Anna.Martin@Gmail.com', 'anna.martin@gmail.com', 'anna.martin@orange.fr', 'anna.matrin@gmail.com', 'paul@free.fr']);
    expect(level(f, 0, 1)).toBe(2);
    expect(level(f, 1, 2)).toBe(1);
    expect(level(f, 1, 3)).toBe(1);
    expect(level(f, 1, 4)).toBe(0);
  });

  it('grade towns by Jaro-Winkler 0.9', () => {
    const f = field('suburb', ['beaconsfield upper', 'beaconsfieod upper', 'oatlands', 'Saint-Étienne', 'saint etienne']);
    expect(level(f, 0, 1)).toBe(1);
    expect(level(f, 0, 2)).toBe(0);
    expect(level(f, 3, 4)).toBe(2);
  });
});
