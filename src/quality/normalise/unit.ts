import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { collapseSpaces, fail, fold, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';
import { DecimalSeparator, parseDecimal } from './scalar.js';

type Dimension = 'mass' | 'length' | 'volume';

export const UnitCode = z.enum(['mg', 'g', 'kg', 'lb', 'oz', 'mm', 'cm', 'm', 'km', 'in', 'ft', 'ml', 'cl', 'dl', 'l']);
export type UnitCode = z.infer<typeof UnitCode>;

// Factors to the dimension's reference unit (g, m, l). The pound and the inch are exact by definition (international
// yard and pound agreement, 1959): 1 lb = 453.59237 g, 1 in = 2.54 cm.
const UNITS: Readonly<Record<UnitCode, { dimension: Dimension; factor: number }>> = {
  mg: { dimension: 'mass', factor: 0.001 },
  g: { dimension: 'mass', factor: 1 },
  kg: { dimension: 'mass', factor: 1000 },
  lb: { dimension: 'mass', factor: 453.59237 },
  oz: { dimension: 'mass', factor: 453.59237 / 16 },
  mm: { dimension: 'length', factor: 0.001 },
  cm: { dimension: 'length', factor: 0.01 },
  m: { dimension: 'length', factor: 1 },
  km: { dimension: 'length', factor: 1000 },
  in: { dimension: 'length', factor: 0.0254 },
  ft: { dimension: 'length', factor: 0.3048 },
  ml: { dimension: 'volume', factor: 0.001 },
  cl: { dimension: 'volume', factor: 0.01 },
  dl: { dimension: 'volume', factor: 0.1 },
  l: { dimension: 'volume', factor: 1 },
};

// Spellings in French and English, folded (no case, no accents).
const SPELLINGS: Readonly<Record<string, UnitCode>> = {
  milligramme: 'mg', milligrammes: 'mg', milligram: 'mg', milligrams: 'mg',
  gr: 'g', gramme: 'g', grammes: 'g', gram: 'g', grams: 'g',
  kgs: 'kg', kilo: 'kg', kilos: 'kg', kilogramme: 'kg', kilogrammes: 'kg', kilogram: 'kg', kilograms: 'kg',
  lbs: 'lb', pound: 'lb', pounds: 'lb', ounce: 'oz', ounces: 'oz',
  millimetre: 'mm', millimetres: 'mm', millimeter: 'mm', millimeters: 'mm',
  centimetre: 'cm', centimetres: 'cm', centimeter: 'cm', centimeters: 'cm',
  metre: 'm', metres: 'm', meter: 'm', meters: 'm', kilometre: 'km', kilometres: 'km', kilometer: 'km', kilometers: 'km',
  '"': 'in', inch: 'in', inches: 'in', pouce: 'in', pouces: 'in', foot: 'ft', feet: 'ft', pied: 'ft', pieds: 'ft',
  millilitre: 'ml', millilitres: 'ml', milliliter: 'ml', milliliters: 'ml', centilitre: 'cl', centilitres: 'cl',
  litre: 'l', litres: 'l', liter: 'l', liters: 'l', lt: 'l',
};

export function unitOf(token: string): UnitCode | undefined {
  const key = collapseSpaces(fold(token)).replace(/\.$/u, '');
  const parsed = UnitCode.safeParse(key);
  return parsed.success ? parsed.data : SPELLINGS[key];
}

export function dimensionOf(unit: UnitCode): Dimension {
  return UNITS[unit].dimension;
}

export const UnitSpec = z.strictObject({
  kind: z.literal('unit'),
  /** The unit every value is converted to; it also fixes what the column measures (mass, length or volume). */
  target: UnitCode,
  /** The unit of values written without one ("500"); without it they are refused. */
  defaultUnit: UnitCode.optional(),
  decimalSeparator: DecimalSeparator.default('auto'),
});
export type UnitOptions = Omit<z.input<typeof UnitSpec>, 'kind'>;

/** A quantity in the target unit, with the quantity as written. */
export interface Quantity {
  readonly value: number;
  readonly unit: UnitCode;
  readonly original: { readonly value: number; readonly unit: UnitCode };
}

/**
 * Quantities to one unit: `unitNormaliser({ target: "kg" })("1 500 g")` is
 * `ok({ value: 1.5, unit: "kg", original: { value: 1500, unit: "g" } })`. Results are rounded to 12 significant
 * digits, which removes binary noise (1.1 kg is 1100 g, not 1100.0000000000002) and keeps every real digit.
 */
export function unitNormaliser(options: UnitOptions): Normaliser<Quantity> {
  const spec = UnitSpec.parse({ ...options, kind: 'unit' });
  const target = UNITS[spec.target];
  return (raw) => {
    let amount: number;
    let token = '';
    if (typeof raw === 'number' && Number.isFinite(raw)) amount = raw;
    else {
      const text = textOf(raw, 'quality.invalid_unit', 'quantity');
      if (!text.ok) return text;
      const m = /^([+-]?[\d\s.,'’]*\d)\s*(\D.*)?$/u.exec(text.value);
      if (m === null) {
        return fail('quality.invalid_unit', raw, `${show(raw)} is not a quantity: write a number and its unit, such as 1,5 kg.`);
      }
      const parsed = parseDecimal(m[1] ?? '', spec.decimalSeparator, raw);
      if (!parsed.ok) return parsed;
      amount = parsed.value;
      token = (m[2] ?? '').trim();
    }
    const unit = token === '' ? spec.defaultUnit : unitOf(token);
    if (unit === undefined) {
      return fail(
        'quality.invalid_unit',
        raw,
        token === ''
          ? `${show(raw)} has no unit: write it (500 g), or set defaultUnit in the spec.`
          : `${show(raw)}: ${JSON.stringify(token)} is not a unit Segmentum knows: use ${UnitCode.options.join(', ')}.`,
      );
    }
    const from = UNITS[unit];
    if (from.dimension !== target.dimension) {
      return fail(
        'quality.invalid_unit',
        raw,
        `${show(raw)} is a ${from.dimension}, and this column holds a ${target.dimension} in ${spec.target}: check the unit.`,
      );
    }
    const value = Number(((amount * from.factor) / target.factor).toPrecision(12));
    return ok({ value, unit: spec.target, original: { value: amount, unit } });
  };
}

export function normaliseUnit(raw: unknown, options: UnitOptions): Result<Quantity, NormaliseError> {
  return unitNormaliser(options)(raw);
}
