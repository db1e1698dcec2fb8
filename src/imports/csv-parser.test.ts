import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, detectDelimiter } from './csv-parser.js';

const parseAll = (text: string, d = ',', cuts: number[] = []): { line: number; fields: string[] }[] => {
  const p = new CsvParser(d);
  const out = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...p.push(text.slice(at, c)));
    at = c;
  }
  out.push(...p.push(text.slice(at)), ...p.end());
  return out;
};

describe('CsvParser', () => {
  it('reads quoted fields holding delimiters, doubled quotes and newlines, with the line each record starts on', () => {
    const text = 'a;b;c\r\n1;"x;y";"he said ""oui"""\r\n2;"two\r\nlines";z\n\n3;;\n';
    expect(parseAll(text, ';')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x;y', 'he said "oui"'] },
      { line: 3, fields: ['2', 'two\nlines', 'z'] },
      { line: 6, fields: ['3', '', ''] },
    ]);
  });

  it('keeps a last record without a newline, quotes inside unquoted text, and CR line ends', () => {
    expect(parseAll('a,b\r1,5" screen\r2,x')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '5" screen'] },
      { line: 3, fields: ['2', 'x'] },
    ]);
  });

  it('refuses a quoted field left open at the end', () => {
    expect(() => parseAll('a,b\n1,"open\n')).toThrow(/not closed/);
  });

  it('gives the same records whatever the pieces the text arrives in', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '1') });
    const quote = (s: string) => (/[,"\r\n]/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s);
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat()), (rows, rawCuts) => {
        const text = rows.map((r) => r.map(quote).join(',')).join('\r\n');
        const cuts = rawCuts.map((c) => c % (text.length + 1));
        const whole = parseAll(text);
        expect(parseAll(text, ',', cuts)).toEqual(whole);
        expect(whole.map((r) => r.fields)).toEqual(rows.map((r) => r.map((c) => c.replaceAll('\r\n', '\n'))));
      }),
    );
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter used most in the header, outside quotes', () => {
    expect(detectDelimiter('id;nom;"a,b";ville')).toBe(';');
    expect(detectDelimiter('id\tnom\tville')).toBe('\t');
    expect(detectDelimiter('id|nom')).toBe('|');
    expect(detectDelimiter('id,nom')).toBe(',');
    expect(detectDelimiter('email')).toBe(',');
  });
});
