import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../kernel/index.js';
import { z } from 'zod';
import { NORMALISER_KINDS, normaliserFor, NormaliserSpec, parseNormaliserSpec, type NormalisedValue } from './registry.js';

// One example per kind, written as a mapping file would hold it (JSON), with a value in and out: the same examples as
// docs/normalisation.md.
const EXAMPLES: Array<[spec: string, raw: unknown, expected: NormalisedValue]> = [
  ['{ "kind": "email" }', ' Jean.Dupont@Orange.FR ', 'jean.dupont@orange.fr'],
  ['{ "kind": "email", "rewrite": ["gmail"] }', 'Jean.Dupont+promo@googlemail.com', 'jeandupont@gmail.com'],
  ['{ "kind": "phone", "defaultRegion": "FR" }', '06 12 34 56 78', { e164: '+33612345678', type: 'mobile', region: 'FR', extension: null }],
  ['{ "kind": "date", "formats": ["DD/MM/YYYY"] }', '03/04/2024', '2024-04-03'],
  ['{ "kind": "date", "formats": ["DD/MM/YY"], "yearPivot": 29 }', '14/07/89', '1989-07-14'],
  ['{ "kind": "datetime", "timeZone": "Europe/Paris" }', '03/04/2024 14:30', '2024-04-03T12:30:00.000Z'],
  [
    '{ "kind": "money", "base": "EUR", "asOf": "2024-03-04", "rates": [{ "currency": "USD", "date": "2024-03-04", "unitsPerBase": 1.0858 }] }',
    '1,085.80 $',
    { amount: 1000, currency: 'EUR', original: { amount: 1085.8, currency: 'USD' }, rate: { unitsPerBase: 1.0858, date: '2024-03-04' } },
  ],
  ['{ "kind": "currency" }', '€', 'EUR'],
  ['{ "kind": "country" }', 'Royaume-Uni', 'GB'],
  ['{ "kind": "postal_code", "numericInput": true }', 1000, '01000'],
  ['{ "kind": "siren" }', '732 829 320', '732829320'],
  ['{ "kind": "siret" }', '732 829 320 00074', '73282932000074'],
  ['{ "kind": "name" }', 'jean-pierre DE LA FONTAINE', 'Jean-Pierre de la Fontaine'],
  ['{ "kind": "address", "expandAbbreviations": true }', '12 av. de la république', '12 Avenue de la République'],
  ['{ "kind": "unit", "target": "kg" }', '1 500 g', { value: 1.5, unit: 'kg', original: { value: 1500, unit: 'g' } }],
  ['{ "kind": "number" }', '1 234,56', 1234.56],
  ['{ "kind": "boolean" }', 'Oui', true],
];

describe('normaliser registry', () => {
  it.each(EXAMPLES)('builds %s and normalises %j', (spec, raw, expected) => {
    const normaliser = normaliserFor(JSON.parse(spec));
    expect(normaliser.ok).toBe(true);
    if (normaliser.ok) expect(normaliser.value(raw)).toEqual({ ok: true, value: expected });
  });

  it('has an example for every kind', () => {
    expect(new Set(EXAMPLES.map(([spec]) => (JSON.parse(spec) as { kind: string }).kind))).toEqual(new Set(NORMALISER_KINDS));
    expect(NORMALISER_KINDS).toHaveLength(15);
  });

  it('has a JSON Schema, for mapping-file editors and the API reference', () => {
    const schema = JSON.stringify(z.toJSONSchema(NormaliserSpec, { io: 'input' }));
    for (const kind of NORMALISER_KINDS) expect(schema).toContain(`"const":"${kind}"`);
  });

  it('fills in the defaults', () => {
    expect(parseNormaliserSpec({ kind: 'date' })).toEqual({ ok: true, value: { kind: 'date', formats: ['DD/MM/YYYY', 'ISO'], yearPivot: 29 } });
    expect(parseNormaliserSpec({ kind: 'phone' })).toEqual({ ok: true, value: { kind: 'phone', defaultRegion: 'FR', frenchOverseas: true } });
  });

  it.each([
    [{ kind: 'telephone' }, 'kind'],
    [{ kind: 'phone', defaultRgion: 'FR' }, 'defaultRgion'],
    [{ kind: 'date', formats: ['DD/MM'] }, 'formats.0: The date format "DD/MM" has no year'],
    [{ kind: 'date', formats: [] }, 'formats'],
    [{ kind: 'date', yearPivot: 100 }, 'yearPivot'],
    [{ kind: 'datetime', timeZone: 'Europe/Lutece' }, 'timeZone: Use an IANA time zone'],
    [{ kind: 'money', rates: [{ currency: 'USD', date: '2024-03-04', unitsPerBase: 1.08 }] }, 'base: A rate table needs the base currency'],
    [{ kind: 'money', base: 'EUR', rates: [{ currency: 'USD', date: '2024-02-30', unitsPerBase: 1.08 }] }, 'rates.0.date'],
    [{ kind: 'money', base: 'EUR', rates: [{ currency: 'USD', date: '2024-03-04', unitsPerBase: 0 }] }, 'rates.0.unitsPerBase'],
    [
      { kind: 'money', base: 'EUR', rates: [{ currency: 'USD', date: '2024-03-04', unitsPerBase: 1.08 }, { currency: 'USD', date: '2024-03-04', unitsPerBase: 1.09 }] },
      'rates.1: A second USD rate for 2024-03-04',
    ],
    [{ kind: 'money', base: 'EURO' }, 'base'],
    [{ kind: 'country', aliases: { Gaule: 'GAU' } }, 'aliases.Gaule'],
    [{ kind: 'boolean', trueValues: ['Abonné'], falseValues: ['abonne'] }, 'falseValues.0: "abonne" is also listed in trueValues'],
    [{ kind: 'unit', target: 'kg', defaultUnit: 'cm' }, 'defaultUnit: cm is a length and the target kg a mass'],
    [{ kind: 'unit' }, 'target'],
    ['phone', 'spec'],
  ])('refuses %j with quality.invalid_spec naming %s', (spec, where) => {
    const result = normaliserFor(spec);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_spec', raw: spec } });
    if (!result.ok) expect(result.error.message).toContain(where);
  });

  it('documents each kind and each quality code in docs/normalisation.md', () => {
    const doc = readFileSync(new URL('../../../docs/normalisation.md', import.meta.url), 'utf8');
    const quality = ERROR_CODES.filter((code) => code.startsWith('quality.'));
    expect(quality.length).toBeGreaterThan(15);
    for (const code of quality) expect(doc, code).toContain(`\`${code}\``);
    for (const [spec] of EXAMPLES) expect(doc).toContain(`"kind": "${(JSON.parse(spec) as { kind: string }).kind}"`);
  });
});
