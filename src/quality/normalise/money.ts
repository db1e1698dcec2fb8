import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { collapseSpaces, fail, fold, show, textOf, type NormaliseContext, type NormaliseError, type Normaliser } from './normalise-error.js';
import { DecimalSeparator, parseDecimal } from './scalar.js';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const CurrencyCode = z
  .string()
  .refine((code) => ISO_CURRENCIES.has(code), 'Use an ISO 4217 currency code in capitals, such as EUR');

// Symbols and words as French and English files write them. "$" alone is read as USD, the reading a French team
// expects; a Canadian or Australian file says so with symbols: { "$": "CAD" }. "kr", "R" and "F" are left out: too
// many currencies share them.
const SYMBOLS: Readonly<Record<string, string>> = {
  '€': 'EUR', euro: 'EUR', euros: 'EUR',
  $: 'USD', us$: 'USD', 'us dollar': 'USD', 'us dollars': 'USD', dollar: 'USD', dollars: 'USD',
  '£': 'GBP', 'livre sterling': 'GBP', 'livres sterling': 'GBP', pound: 'GBP', pounds: 'GBP',
  chf: 'CHF', 'fr.': 'CHF', sfr: 'CHF', 'franc suisse': 'CHF', 'francs suisses': 'CHF',
  'c$': 'CAD', ca$: 'CAD', 'a$': 'AUD', au$: 'AUD', nz$: 'NZD', hk$: 'HKD', 'r$': 'BRL',
  '¥': 'JPY', yen: 'JPY', '₹': 'INR', '₽': 'RUB', '₩': 'KRW', '₺': 'TRY', '₪': 'ILS', zł: 'PLN', zl: 'PLN', kc: 'CZK',
};

const symbolKey = (symbol: string): string => collapseSpaces(fold(symbol));

export const RateRow = z.strictObject({
  currency: CurrencyCode,
  /** The day the rate applies from (ISO 8601). */
  date: z.iso.date(),
  /** How many units of `currency` one unit of the base currency buys, as the ECB publishes it: 1 EUR = 1.0876 USD. */
  unitsPerBase: z.number().positive(),
});
export type RateRow = z.infer<typeof RateRow>;

export const MoneySpec = z.strictObject({
  kind: z.literal('money'),
  /** The currency of amounts written without one ("12,50"); without it they are refused. */
  defaultCurrency: CurrencyCode.optional(),
  /** Extra or overriding symbols, such as { "$": "CAD" }. */
  symbols: z.record(z.string().min(1), CurrencyCode).default({}),
  decimalSeparator: DecimalSeparator.default('auto'),
  /** Convert every amount to this currency with the rate table; without it amounts keep their own currency. */
  base: CurrencyCode.optional(),
  rates: z.array(RateRow).default([]),
  /** The date to take rates at when the caller passes none (context.date wins). */
  asOf: z.iso.date().optional(),
  /** Refuse a rate older than this many days before the amount's date. */
  maxRateAgeDays: z.number().int().nonnegative().optional(),
});
export type MoneyOptions = Omit<z.input<typeof MoneySpec>, 'kind'>;

/** An amount in the base currency (or its own, without a base), with the amount as written. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
  readonly original: { readonly amount: number; readonly currency: string };
  /** The rate used, null when no conversion took place (no base, or already in the base currency). */
  readonly rate: { readonly unitsPerBase: number; readonly date: string } | null;
}

export const CurrencySpec = z.strictObject({
  kind: z.literal('currency'),
  symbols: z.record(z.string().min(1), CurrencyCode).default({}),
});
export type CurrencyOptions = Omit<z.input<typeof CurrencySpec>, 'kind'>;

function currencyReader(overrides: Readonly<Record<string, string>>): (token: string) => string | undefined {
  const table = new Map<string, string>();
  for (const [symbol, code] of [...Object.entries(SYMBOLS), ...Object.entries(overrides)]) table.set(symbolKey(symbol), code);
  return (token) => {
    const upper = token.toUpperCase();
    return table.get(symbolKey(token)) ?? (ISO_CURRENCIES.has(upper) ? upper : undefined);
  };
}

/** Currency codes and symbols to ISO 4217: `currencyNormaliser()("€")` is `ok("EUR")`. */
export function currencyNormaliser(options: CurrencyOptions = {}): Normaliser<string> {
  const spec = CurrencySpec.parse({ ...options, kind: 'currency' });
  const read = currencyReader(spec.symbols);
  return (raw) => {
    const text = textOf(raw, 'quality.unknown_currency', 'currency');
    if (!text.ok) return text;
    const code = read(text.value);
    return code === undefined ? unknownCurrency(raw, text.value) : ok(code);
  };
}

function unknownCurrency(raw: unknown, token: string): Result<never, NormaliseError> {
  return fail(
    'quality.unknown_currency',
    raw,
    `${show(raw)}: ${JSON.stringify(token)} is not a known currency: write its ISO 4217 code (EUR, USD, CHF), or map the symbol in the spec's symbols.`,
  );
}

/**
 * Amounts such as "1 234,56 €", "1,234.56 USD", "EUR 12.5" or "-12,50", optionally converted to a base currency with
 * the rate of the amount's date, or the latest rate before it:
 * `moneyNormaliser({ base: "EUR", rates })("12,50 $", { date: "2024-03-04" })`.
 */
export function moneyNormaliser(options: MoneyOptions = {}): Normaliser<Money> {
  const spec = MoneySpec.parse({ ...options, kind: 'money' });
  const currencyOf = currencyReader(spec.symbols);
  const rates = rateLookup(spec.rates);
  const digitsOf = minorUnits();
  return (raw, context = {}) => {
    const read = readAmount(raw, spec, currencyOf);
    if (!read.ok) return read;
    const original = read.value;
    const { currency } = original;
    if (spec.base === undefined || spec.base === currency) return ok({ ...original, original, rate: null });

    const date = context.date ?? spec.asOf;
    if (date === undefined || !/^\d{4}-\d{2}-\d{2}/.test(date)) {
      return fail(
        'quality.missing_rate',
        raw,
        `${show(raw)} needs a date to pick its ${currency} rate${date === undefined ? '' : ` (got ${JSON.stringify(date)})`}: pass the date of the amount, or set asOf in the spec.`,
      );
    }
    const day = date.slice(0, 10);
    const rate = rates(currency, day);
    if (rate === undefined) {
      return fail(
        'quality.missing_rate',
        raw,
        `No ${currency} rate on or before ${day} in the rate table, for ${show(raw)}: add one (1 ${spec.base} = x ${currency}).`,
      );
    }
    if (spec.maxRateAgeDays !== undefined && daysBetween(rate.date, day) > spec.maxRateAgeDays) {
      return fail(
        'quality.missing_rate',
        raw,
        `The latest ${currency} rate before ${day} dates from ${rate.date}, more than ${spec.maxRateAgeDays} days earlier: add a recent rate.`,
      );
    }
    const amount = round(original.amount / rate.unitsPerBase, digitsOf(spec.base));
    return ok({ amount, currency: spec.base, original, rate: { unitsPerBase: rate.unitsPerBase, date: rate.date } });
  };
}

/** The amount and currency a value writes, before any conversion. */
function readAmount(
  raw: unknown,
  spec: Pick<z.infer<typeof MoneySpec>, 'defaultCurrency' | 'decimalSeparator'>,
  currencyOf: (token: string) => string | undefined,
): Result<{ amount: number; currency: string }, NormaliseError> {
  const noCurrency = () =>
    fail('quality.unknown_currency', raw, `${show(raw)} has no currency: write it (12,50 € or EUR 12.50), or set defaultCurrency in the spec.`);
  // A JSON number is an amount already: reading its text back could find 1.234 ambiguous.
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return spec.defaultCurrency === undefined ? noCurrency() : ok({ amount: raw, currency: spec.defaultCurrency });
  }
  const text = textOf(raw, 'quality.invalid_number', 'amount');
  if (!text.ok) return text;
  const parts = splitAmount(text.value);
  const tokens = [parts.before, parts.after].filter((t) => t !== '');
  const codes = tokens.map(currencyOf);
  const unknown = tokens.find((_t, i) => codes[i] === undefined);
  if (unknown !== undefined) return unknownCurrency(raw, unknown);
  const [first, second] = codes;
  if (first !== undefined && second !== undefined && first !== second) {
    return fail('quality.unknown_currency', raw, `${show(raw)} names two currencies (${first} and ${second}): keep one.`);
  }
  const currency = first ?? spec.defaultCurrency;
  if (currency === undefined) return noCurrency();
  const amount = parseDecimal(`${parts.sign}${parts.number}`, spec.decimalSeparator, raw);
  return amount.ok ? ok({ amount: amount.value, currency }) : amount;
}

/** Splits "-€ 1 234,56" into sign, the text before the number, the number and the text after it. */
function splitAmount(text: string): { sign: string; before: string; number: string; after: string } {
  const first = text.search(/[\d.,]\d|\d/u);
  const last = text.search(/\d[^\d]*$/u);
  if (first < 0 || last < 0) return { sign: '', before: text, number: '', after: '' };
  let before = text.slice(0, first);
  let sign = '';
  const signMatch = /[+-]/.exec(before);
  if (signMatch !== null) {
    sign = signMatch[0];
    before = before.slice(0, signMatch.index) + before.slice(signMatch.index + 1);
  }
  return { sign, before: before.trim(), number: text.slice(first, last + 1), after: text.slice(last + 1).trim() };
}

/** The rate in force on a day: that day's, or the latest before it. Rows are sorted once; lookups are binary searches. */
function rateLookup(rows: readonly RateRow[]): (currency: string, day: string) => RateRow | undefined {
  const byCurrency = new Map<string, RateRow[]>();
  for (const row of rows) byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
  for (const list of byCurrency.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return (currency, day) => {
    const list = byCurrency.get(currency) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid]?.date ?? '') <= day) lo = mid + 1;
      else hi = mid;
    }
    return list[lo - 1];
  };
}

function minorUnits(): (currency: string) => number {
  const cache = new Map<string, number>();
  return (currency) => {
    let digits = cache.get(currency);
    if (digits === undefined) {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
      cache.set(currency, digits);
    }
    return digits;
  };
}

/** Half away from zero, on the decimal digits as written (1.005 -> 1.01), not on the binary approximation. */
export function round(value: number, digits: number): number {
  const written = String(Math.abs(value));
  // Shifting the decimal point in the text is exact; numbers JS writes with an exponent are far from any half.
  const magnitude = Math.round(written.includes('e') ? Math.abs(value) * 10 ** digits : Number(`${written}e${digits}`));
  const rounded = Number(`${magnitude}e-${digits}`);
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export function normaliseMoney(raw: unknown, options: MoneyOptions = {}, context: NormaliseContext = {}): Result<Money, NormaliseError> {
  return moneyNormaliser(options)(raw, context);
}

export function normaliseCurrency(raw: unknown, options: CurrencyOptions = {}): Result<string, NormaliseError> {
  return currencyNormaliser(options)(raw);
}
