/**
 * Field normalisers, shared by imports (mapping files name one per column) and the tracking API's traits. Each is a
 * pure function from a raw value to `Result<value, NormaliseError>`; `normaliserFor(spec)` builds one from a
 * declarative spec. docs/normalisation.md documents each kind, its options and its error codes.
 *
 * ```ts
 * const date = normaliserFor({ kind: 'date', formats: ['DD/MM/YYYY'] });
 * if (date.ok) date.value('03/04/2024'); // ok('2024-04-03')
 * ```
 */
export {
  isBlank,
  type NormaliseContext,
  type NormaliseError,
  type NormaliseErrorCode,
  type Normaliser,
} from './normalise-error.js';
export {
  buildNormaliser,
  normaliserFor,
  plainValue,
  NORMALISER_KINDS,
  parseNormaliserSpec,
  NormaliserSpec,
  type NormalisedValue,
  type NormaliserKind,
  type NormaliserSpecInput,
} from './registry.js';
export { emailNormaliser, normaliseEmail, EmailSpec, type EmailOptions, type EmailRewrite } from './email.js';
export { phoneNormaliser, normalisePhone, PhoneSpec, PhoneType, type PhoneNumber, type PhoneOptions } from './phone.js';
export {
  dateNormaliser,
  dateTimeNormaliser,
  normaliseDate,
  normaliseDateTime,
  DateSpec,
  DateTimeSpec,
  type DateOptions,
  type DateTimeOptions,
} from './date.js';
export { expandTwoDigitYear } from './date-format.js';
export {
  currencyNormaliser,
  moneyNormaliser,
  normaliseCurrency,
  normaliseMoney,
  CurrencySpec,
  MoneySpec,
  RateRow,
  type CurrencyOptions,
  type Money,
  type MoneyOptions,
} from './money.js';
export { countryNormaliser, normaliseCountry, CountryCode, CountrySpec, type CountryOptions } from './country.js';
export {
  checkPostalCodeCountry,
  frenchPostalCodeProblem,
  normalisePostalCode,
  postalCodeNormaliser,
  FRENCH_POSTAL_COUNTRIES,
  PostalCodeSpec,
  type PostalCodeOptions,
} from './postal-code.js';
export { luhnCheckDigit, luhnValid, normaliseSiren, normaliseSiret, sirenNormaliser, siretNormaliser, SirenSpec, SiretSpec } from './siren.js';
export { nameNormaliser, normaliseName, NameSpec, TextCase, type NameOptions } from './name.js';
export { addressNormaliser, normaliseAddress, AddressSpec, type AddressOptions } from './address.js';
export { normaliseUnit, unitNormaliser, UnitCode, UnitSpec, type Quantity, type UnitOptions } from './unit.js';
export {
  booleanNormaliser,
  normaliseBoolean,
  normaliseNumber,
  numberNormaliser,
  parseDecimal,
  BooleanSpec,
  DecimalSeparator,
  NumberSpec,
  type BooleanOptions,
  type NumberOptions,
} from './scalar.js';
