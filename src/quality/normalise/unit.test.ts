import { describe, expect, it } from 'vitest';
import { normaliseUnit, unitNormaliser, UnitSpec, type UnitCode } from './unit.js';

describe('unit normaliser', () => {
  it.each<[string, UnitCode, number, number, UnitCode]>([
    ['1,5 kg', 'g', 1500, 1.5, 'kg'],
    ['1 500 g', 'kg', 1.5, 1500, 'g'],
    ['500g', 'kg', 0.5, 500, 'g'],
    ['1.1 kg', 'g', 1100, 1.1, 'kg'],
    ['2 lb', 'kg', 0.90718474, 2, 'lb'],
    ['16 oz', 'lb', 1, 16, 'oz'],
    ['3 kilos', 'kg', 3, 3, 'kg'],
    ['250 grammes', 'g', 250, 250, 'g'],
    ['180 cm', 'm', 1.8, 180, 'cm'],
    ['12"', 'cm', 30.48, 12, 'in'],
    ['6 pieds', 'm', 1.8288, 6, 'ft'],
    ['75 cl', 'l', 0.75, 75, 'cl'],
    ['75 cL', 'ml', 750, 75, 'cl'],
    ['1,5 L', 'ml', 1500, 1.5, 'l'],
    ['2 litres', 'cl', 200, 2, 'l'],
  ])('reads %j in %s as %d', (raw, target, value, originalValue, originalUnit) => {
    const result = normaliseUnit(raw, { target });
    expect(result).toEqual({ ok: true, value: { value, unit: target, original: { value: originalValue, unit: originalUnit } } });
  });

  it('uses the default unit for bare numbers, and refuses them without one', () => {
    expect(normaliseUnit('500', { target: 'kg', defaultUnit: 'g' })).toMatchObject({ ok: true, value: { value: 0.5 } });
    expect(normaliseUnit(500, { target: 'kg', defaultUnit: 'g' })).toMatchObject({ ok: true, value: { value: 0.5 } });
    expect(normaliseUnit('500', { target: 'kg' })).toMatchObject({ ok: false, error: { code: 'quality.invalid_unit' } });
  });

  it.each([
    ['1,5 m', 'is a length'],
    ['3 kWh', 'is not a unit'],
    ['beaucoup', 'is not a quantity'],
    ['kg', 'is not a quantity'],
  ])('refuses %j for a kg column with quality.invalid_unit (%s)', (raw, why) => {
    const result = unitNormaliser({ target: 'kg' })(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_unit', raw } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it('reports bad numbers as numbers', () => {
    expect(normaliseUnit('1,234 kg', { target: 'g' })).toMatchObject({ ok: false, error: { code: 'quality.ambiguous_number' } });
    expect(normaliseUnit('1,234 kg', { target: 'g', decimalSeparator: ',' })).toMatchObject({ ok: true, value: { value: 1234 } });
  });

  it('requires a known target unit', () => {
    expect(UnitSpec.safeParse({ kind: 'unit', target: 'stone' }).success).toBe(false);
  });
});
