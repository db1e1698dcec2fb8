import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber as LibPhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

// The 'max' metadata is the one that knows number types (mobile, fixed line...); 'min' only checks lengths.

export const PhoneType = z.enum([
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'voip',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
]);
export type PhoneType = z.infer<typeof PhoneType>;

/** A phone number in E.164 with what libphonenumber knows of it. */
export interface PhoneNumber {
  /** +33612345678 */
  readonly e164: string;
  /** null when the metadata cannot tell. */
  readonly type: PhoneType | null;
  /** ISO 3166-1 alpha-2 region of the number, null for non-geographic numbers. */
  readonly region: string | null;
  /** The extension (poste), when one was written with "ext." or ";ext=". */
  readonly extension: string | null;
}

// A refinement rather than z.custom, so that the spec keeps a JSON Schema.
const Region = z
  .string()
  .regex(/^[A-Z]{2}$/, 'Use an ISO 3166-1 alpha-2 code in capitals, such as FR')
  .refine((region) => isSupportedCountry(region), 'libphonenumber has no numbering plan for this region');

export const PhoneSpec = z.strictObject({
  kind: z.literal('phone'),
  /** The region national numbers (06 12 34 56 78) are read in. */
  defaultRegion: Region.default('FR'),
  /** Accept only these types, such as ['mobile'] for an SMS list; numbers of unknown type are then refused too. */
  types: z.array(PhoneType).min(1).optional(),
  /**
   * With defaultRegion FR, read national numbers that are not valid in metropolitan France (0590..., 0692...) in the
   * overseas departments and collectivities that share the French national numbering plan.
   */
  frenchOverseas: z.boolean().default(true),
});
export type PhoneOptions = Omit<z.input<typeof PhoneSpec>, 'kind'>;

// Dialled from France with a leading 0 but carrying their own country calling code in E.164 (+590, +596, +594, +262,
// +508): Guadeloupe, Saint-Barthélemy, Saint-Martin, Martinique, French Guiana, Réunion, Mayotte, Saint-Pierre.
const FRENCH_OVERSEAS: readonly CountryCode[] = ['GP', 'BL', 'MF', 'MQ', 'GF', 'RE', 'YT', 'PM'];

/**
 * Phone numbers to E.164: `phoneNormaliser()("06 12 34 56 78")` is
 * `ok({ e164: "+33612345678", type: "mobile", region: "FR", extension: null })`.
 * "+33 (0)6 ...", "0033 6 ..." and "06.12.34.56.78" are read too; invalid numbers are refused, never repaired.
 */
export function phoneNormaliser(options: PhoneOptions = {}): Normaliser<PhoneNumber> {
  const spec = PhoneSpec.parse({ ...options, kind: 'phone' });
  const region = regionOf(spec.defaultRegion);
  const fallbacks = spec.frenchOverseas && region === 'FR' ? FRENCH_OVERSEAS : [];
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_phone', 'phone number');
    if (!text.ok) return text;
    const parsed = parse(text.value, region, fallbacks);
    if (parsed === undefined) {
      return fail(
        'quality.invalid_phone',
        raw,
        `${show(raw)} is not a valid phone number in ${region}: check the number of digits, or write it in international form (+33 6 12 34 56 78).`,
      );
    }
    const type = typeOf(parsed);
    if (spec.types !== undefined && (type === null || !spec.types.includes(type))) {
      return fail(
        'quality.invalid_phone',
        raw,
        `${show(raw)} is a ${type?.replaceAll('_', ' ') ?? 'phone number of unknown type'}, and this column takes ${spec.types.join(' or ').replaceAll('_', ' ')} numbers only.`,
      );
    }
    return ok({ e164: parsed.number, type, region: parsed.country ?? null, extension: parsed.ext ?? null });
  };
}

function parse(text: string, region: CountryCode, fallbacks: readonly CountryCode[]): LibPhoneNumber | undefined {
  // extract: false refuses numbers buried in other text ("appelez le 06...") instead of picking them out.
  const first = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
  if (first?.isValid()) return first;
  // Only a national number (with its trunk 0) can belong to a territory that shares the French plan.
  if (!/^\s*0[1-9]/.test(text)) return undefined;
  for (const overseas of fallbacks) {
    const candidate = parsePhoneNumberFromString(text, { defaultCountry: overseas, extract: false });
    if (candidate?.isValid()) return candidate;
  }
  return undefined;
}

function regionOf(region: string): CountryCode {
  if (isSupportedCountry(region)) return region;
  throw new TypeError(`No numbering plan for ${region}`); // the spec schema refuses it first
}

function typeOf(number: LibPhoneNumber): PhoneType | null {
  const type = number.getType();
  if (type === undefined) return null;
  const parsed = PhoneType.safeParse(type.toLowerCase());
  return parsed.success ? parsed.data : null;
}

export function normalisePhone(raw: unknown, options: PhoneOptions = {}): Result<PhoneNumber, NormaliseError> {
  return phoneNormaliser(options)(raw);
}
