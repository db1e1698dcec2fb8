import { describe, expect, it } from 'vitest';
import { optionsFrom, parseMatchConfig, recordsFromCsv, rolesOf } from './columns.js';
import { DEFAULT_OPTIONS, defaultRoleOf } from './config.js';

describe('column roles', () => {
  it('come from the column names by default, in English or French', () => {
    expect(defaultRoleOf('First Name')).toBe('given_name');
    expect(defaultRoleOf('prénom')).toBe('given_name');
    expect(defaultRoleOf('Nom')).toBe('surname');
    expect(defaultRoleOf('Date de naissance')).toBe('date_of_birth');
    expect(defaultRoleOf('code postal')).toBe('postcode');
    expect(defaultRoleOf('E-mail')).toBe('email');
    expect(defaultRoleOf('favourite colour')).toBeUndefined();
  });

  it('can be given, or ignored, by a mapping; one column per role', () => {
    const header = ['id', 'first', 'surname', 'last_name', 'city', 'state'];
    const roles = rolesOf(header, 'id', { first: 'given_name', last_name: 'surname', state: 'ignore' });
    expect(Object.fromEntries([...roles].map(([i, r]) => [header[i], r]))).toEqual({ first: 'given_name', last_name: 'surname', city: 'suburb' });
  });
});

describe('mapping files', () => {
  it('are validated, with the path of what is wrong', () => {
    expect(parseMatchConfig('{"columns": {"x": "given_name"}, "threshold": 0.8}')).toEqual({ ok: true, value: { columns: { x: 'given_name' }, threshold: 0.8 } });
    expect(parseMatchConfig('{"columns": {"x": "nickname"}}')).toMatchObject({ ok: false, error: { code: 'matching.invalid_mapping', path: 'columns.x' } });
    expect(parseMatchConfig('{"thresold": 0.8}')).toMatchObject({ ok: false, error: { code: 'matching.invalid_mapping' } });
    const phoneticPostcode = { blocking: [{ kind: 'key', name: 'k', parts: [{ role: 'postcode', take: 'phonetic' }] }] };
    expect(parseMatchConfig(JSON.stringify(phoneticPostcode))).toMatchObject({
      ok: false,
      error: { path: 'blocking.0.parts.0.take', message: expect.stringMatching(/given_name and surname only/) },
    });
    expect(parseMatchConfig('{"columns": ')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^not valid JSON/) } });
  });

  it('override the defaults, and the command line overrides them', () => {
    expect(optionsFrom({ threshold: 0.9, maxBlockSize: 50 })).toMatchObject({ threshold: 0.9, maxBlockSize: 50, blocking: DEFAULT_OPTIONS.blocking });
    expect(optionsFrom({ threshold: 0.9 }, 0.7).threshold).toBe(0.7);
  });
});

describe('recordsFromCsv', () => {
  const a = { header: ['id', 'prenom', 'nom'], rows: [['1', 'Anne', 'Martin'], ['2', 'Paul', 'Durand']] };
  const b = { header: ['ref', 'nom', 'email'], rows: [['x', 'Martin', 'a@b.fr']] };

  it('concatenates two files by role, marking the file of each record', () => {
    const r = recordsFromCsv([a, { ...b, header: ['id', 'nom', 'email'] }], 'id');
    expect(r.ok && r.value.input).toEqual({
      ids: ['1', '2', 'x'],
      columns: { given_name: ['Anne', 'Paul', ''], surname: ['Martin', 'Durand', 'Martin'], email: ['', '', 'a@b.fr'] },
      source: Uint8Array.from([0, 0, 1]),
    });
  });

  it('reports an id column a file lacks, a mapped column no file has, and files with no known column', () => {
    expect(recordsFromCsv([a, b], 'id')).toMatchObject({ ok: false, error: { code: 'matching.unknown_column', column: 'id' } });
    expect(recordsFromCsv([a], 'id', { prénom: 'given_name' })).toMatchObject({ ok: false, error: { code: 'matching.unknown_column', column: 'prénom' } });
    expect(recordsFromCsv([{ header: ['id', 'x'], rows: [] }], 'id')).toMatchObject({ ok: false, error: { code: 'matching.no_comparable_fields' } });
  });
});
