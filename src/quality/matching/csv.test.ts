import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it("reads Febrl's ', ' separated files with trimmed cells", () => {
    const r = parseCsv('rec_id, given_name, surname\nrec-1-org, chloe, nappo\nrec-2-org, , wardle\n');
    expect(r).toEqual({ ok: true, value: { header: ['rec_id', 'given_name', 'surname'], rows: [['rec-1-org', 'chloe', 'nappo'], ['rec-2-org', '', 'wardle']] } });
  });

  it('reads quotes, doubled quotes, separators and line breaks inside them, CRLF and a byte-order mark', () => {
    const r = parseCsv('\ufeffid,name,address\r\n1,"Martin, Anne","12 rue ""Haute""\r\nBât. B"\r\n2, Paul ,\r\n');
    expect(r.ok && r.value.rows).toEqual([['1', 'Martin, Anne', '12 rue "Haute"\r\nBât. B'], ['2', 'Paul', '']]);
  });

  it('takes ; as the separator when the header uses it (French spreadsheets)', () => {
    const r = parseCsv('id;prénom;ville\n1;Léa;Saint-Denis, La Réunion\n');
    expect(r.ok && r.value).toEqual({ header: ['id', 'prénom', 'ville'], rows: [['1', 'Léa', 'Saint-Denis, La Réunion']] });
  });

  it('says which line is wrong', () => {
    expect(parseCsv('a,b\n1,2\n3\n4,5\n')).toEqual({
      ok: false,
      error: { code: 'matching.invalid_csv', message: 'line 3 has 1 cells where the header has 2', line: 3 },
    });
    expect(parseCsv('a,b\n1,"2\n3,4\n')).toMatchObject({ ok: false, error: { line: 2, message: expect.stringMatching(/never closed/) } });
    expect(parseCsv('a,b\n1,"2"x\n')).toMatchObject({ ok: false, error: { line: 2 } });
    expect(parseCsv('')).toMatchObject({ ok: false, error: { line: 1, message: expect.stringMatching(/empty/) } });
  });

  it('skips blank lines and reads a header-only file as no rows', () => {
    expect(parseCsv('a,b\n\n1,2\n\n')).toEqual({ ok: true, value: { header: ['a', 'b'], rows: [['1', '2']] } });
    expect(parseCsv('a,b')).toEqual({ ok: true, value: { header: ['a', 'b'], rows: [] } });
  });
});
