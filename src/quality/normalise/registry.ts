import { z } from 'zod';
import { assertNever, ok, type Result } from '../../kernel/index.js';
import { addressNormaliser, AddressSpec } from './address.js';
import { countryNormaliser, CountrySpec } from './country.js';
import { dateNormaliser, DateSpec, dateTimeNormaliser, DateTimeSpec } from './date.js';
import { emailNormaliser, EmailSpec } from './email.js';
import { currencyNormaliser, CurrencySpec, moneyNormaliser, MoneySpec, type Money } from './money.js';
import { nameNormaliser, NameSpec } from './name.js';
import { fail, type NormaliseError, type Normaliser } from './normalise-error.js';
import { phoneNormaliser, PhoneSpec, type PhoneNumber } from './phone.js';
import { postalCodeNormaliser, PostalCodeSpec } from './postal-code.js';
import { booleanKey, booleanNormaliser, BooleanSpec, numberNormaliser, NumberSpec } from './scalar.js';
import { sirenNormaliser, SirenSpec, siretNormaliser, SiretSpec } from './siren.js';
import { dimensionOf, unitNormaliser, UnitSpec, type Quantity } from './unit.js';

/**
 * A normaliser described as data, as mapping files name them per column: `{ "kind": "phone", "defaultRegion": "FR" }`,
 * `{ "kind": "date", "formats": ["DD/MM/YYYY"] }`. Unknown keys are refused, so that a misspelt option is reported
 * rather than ignored. docs/normalisation.md describes each kind.
 */
export const NormaliserSpec = z
  .discriminatedUnion('kind', [
    EmailSpec,
    PhoneSpec,
    DateSpec,
    DateTimeSpec,
    MoneySpec,
    CurrencySpec,
    CountrySpec,
    PostalCodeSpec,
    SirenSpec,
    SiretSpec,
    NameSpec,
    AddressSpec,
    UnitSpec,
    NumberSpec,
    BooleanSpec,
  ])
  .superRefine((spec, ctx) => {
    // Checks that span several options of one kind.
    if (spec.kind === 'boolean') {
      const trueKeys = new Set(spec.trueValues.map(booleanKey));
      spec.falseValues.forEach((word, i) => {
        if (trueKeys.has(booleanKey(word))) {
          ctx.addIssue({ code: 'custom', path: ['falseValues', i], message: `"${word}" is also listed in trueValues` });
        }
      });
    }
    if (spec.kind === 'unit' && spec.defaultUnit !== undefined && dimensionOf(spec.defaultUnit) !== dimensionOf(spec.target)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultUnit'],
        message: `${spec.defaultUnit} is a ${dimensionOf(spec.defaultUnit)} and the target ${spec.target} a ${dimensionOf(spec.target)}`,
      });
    }
    if (spec.kind === 'money') {
      if (spec.rates.length > 0 && spec.base === undefined) {
        ctx.addIssue({ code: 'custom', path: ['base'], message: 'A rate table needs the base currency its rates are quoted against' });
      }
      const seen = new Map<string, number>();
      spec.rates.forEach((row, i) => {
        const key = `${row.currency} ${row.date}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['rates', i], message: `A second ${row.currency} rate for ${row.date} (the first is rates.${earlier})` });
        } else seen.set(key, i);
      });
    }
  });
export type NormaliserSpec = z.infer<typeof NormaliserSpec>;
/** The spec as written, before defaults are filled in. */
export type NormaliserSpecInput = z.input<typeof NormaliserSpec>;
export type NormaliserKind = NormaliserSpec['kind'];

/** Every kind of normaliser, in the order of the spec union. */
export const NORMALISER_KINDS: readonly NormaliserKind[] = NormaliserSpec.options.map((option) => option.shape.kind.value);

/** What a normaliser answers: text (emails, dates, codes, names), numbers, booleans, or a structured value. */
export type NormalisedValue = string | number | boolean | PhoneNumber | Money | Quantity;

/** Parses a spec read from a mapping file or an API body; the error lists each issue with its path. */
export function parseNormaliserSpec(input: unknown): Result<NormaliserSpec, NormaliseError> {
  const parsed = NormaliserSpec.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'spec'}: ${issue.message}`);
  return fail('quality.invalid_spec', input, `The normaliser spec is invalid: ${issues.join('; ')}.`);
}

/**
 * The normaliser a spec describes, built once and applied to every value of a column:
 *
 * ```ts
 * const phone = normaliserFor({ kind: 'phone', defaultRegion: 'FR' });
 * if (phone.ok) phone.value('06 12 34 56 78'); // ok({ e164: '+33612345678', type: 'mobile', ... })
 * ```
 */
export function normaliserFor(spec: unknown): Result<Normaliser<NormalisedValue>, NormaliseError> {
  const parsed = parseNormaliserSpec(spec);
  return parsed.ok ? ok(buildNormaliser(parsed.value)) : parsed;
}

/** The normaliser of a spec already parsed. */
export function buildNormaliser(spec: NormaliserSpec): Normaliser<NormalisedValue> {
  switch (spec.kind) {
    case 'email':
      return emailNormaliser(spec);
    case 'phone':
      return phoneNormaliser(spec);
    case 'date':
      return dateNormaliser(spec);
    case 'datetime':
      return dateTimeNormaliser(spec);
    case 'money':
      return moneyNormaliser(spec);
    case 'currency':
      return currencyNormaliser(spec);
    case 'country':
      return countryNormaliser(spec);
    case 'postal_code':
      return postalCodeNormaliser(spec);
    case 'siren':
      return sirenNormaliser();
    case 'siret':
      return siretNormaliser();
    case 'name':
      return nameNormaliser(spec);
    case 'address':
      return addressNormaliser(spec);
    case 'unit':
      return unitNormaliser(spec);
    case 'number':
      return numberNormaliser(spec);
    case 'boolean':
      return booleanNormaliser(spec);
    default:
      return assertNever(spec);
  }
}

/** The value a trait or property holds: text, number or boolean (a phone its E.164, an amount its number). */
export function plainValue(v: NormalisedValue): string | number | boolean {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if ('e164' in v) return v.e164;
  if ('amount' in v) return v.amount;
  return v.value;
}
