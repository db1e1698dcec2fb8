import { z } from 'zod';

/**
 * What a column means to the matcher. Each role has one comparator (how two values are compared and into which
 * agreement levels) and can take part in blocking keys and exact keys.
 */
export const Role = z.enum([
  'given_name',
  'surname',
  'date_of_birth',
  'street_number',
  'address_1',
  'address_2',
  'suburb',
  'postcode',
  'state',
  'soc_sec_id',
  'email',
  'phone',
]);
export type Role = z.infer<typeof Role>;

/** How two values of a role are compared (see comparators.ts for the levels of each). */
export type ComparatorKind = 'name' | 'date' | 'tokens' | 'text' | 'code' | 'exact' | 'email';

export const COMPARATOR_OF: Readonly<Record<Role, ComparatorKind>> = {
  given_name: 'name',
  surname: 'name',
  date_of_birth: 'date',
  street_number: 'exact',
  address_1: 'tokens',
  address_2: 'tokens',
  suburb: 'text',
  postcode: 'code',
  state: 'exact',
  soc_sec_id: 'code',
  email: 'email',
  phone: 'code',
};

/** Column names recognised without a mapping file (compared after normalisation: case, accents, separators). */
const ALIASES: Readonly<Record<Role, readonly string[]>> = {
  given_name: ['given_name', 'first_name', 'firstname', 'forename', 'prenom', 'given'],
  surname: ['surname', 'last_name', 'lastname', 'family_name', 'nom', 'nom_de_famille', 'name_last'],
  date_of_birth: ['date_of_birth', 'dob', 'birth_date', 'birthdate', 'birthday', 'date_naissance', 'date_de_naissance'],
  street_number: ['street_number', 'house_number', 'numero', 'numero_de_rue'],
  address_1: ['address_1', 'address', 'address1', 'street', 'street_address', 'adresse', 'adresse_1', 'line1'],
  address_2: ['address_2', 'address2', 'adresse_2', 'complement_adresse', 'line2'],
  suburb: ['suburb', 'city', 'town', 'ville', 'commune', 'locality'],
  postcode: ['postcode', 'postal_code', 'zip', 'zipcode', 'zip_code', 'code_postal', 'cp'],
  state: ['state', 'region', 'county', 'province', 'departement'],
  soc_sec_id: ['soc_sec_id', 'ssn', 'social_security_number', 'national_id', 'nir'],
  email: ['email', 'e_mail', 'email_address', 'mail', 'courriel'],
  phone: ['phone', 'telephone', 'phone_number', 'mobile', 'tel', 'portable'],
};

const key = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** The role a column name stands for by default, if any: `First Name` -> given_name, `code postal` -> postcode. */
export function defaultRoleOf(column: string): Role | undefined {
  const k = key(column);
  for (const role of Role.options) if (ALIASES[role].includes(k)) return role;
  return undefined;
}

/** One part of a blocking key: a role's value transformed. */
export const KeyPart = z
  .object({
    role: Role,
    /**
     * value: the normalised value; phonetic: Soundex2 (French) of a name; soundex: American Soundex; initial: first
     * letter; year: the year of a date; prefix: the first `length` characters.
     */
    take: z.enum(['value', 'phonetic', 'soundex', 'initial', 'year', 'prefix']).default('value'),
    length: z.number().int().positive().optional(),
  })
  .strict()
  .refine((p) => (p.take !== 'phonetic' && p.take !== 'soundex') || p.role === 'given_name' || p.role === 'surname', {
    message: 'phonetic and soundex codes apply to given_name and surname only',
    path: ['take'],
  });
export type KeyPart = z.infer<typeof KeyPart>;

export const BlockingRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key'), name: z.string().min(1), parts: z.array(KeyPart).min(1) }).strict(),
  z
    .object({
      kind: z.literal('sorted_neighbourhood'),
      name: z.string().min(1),
      parts: z.array(KeyPart).min(1),
      window: z.number().int().min(2).max(100),
    })
    .strict(),
]);
export type BlockingRule = z.infer<typeof BlockingRule>;

/**
 * The default blocking rules (docs/matching.md has the measurements behind them). Each catches what the others miss:
 *
 * - surname sound + given-name sound: typos that keep the sound, whatever the date of birth or the address;
 * - surname sound + given initial + birth year: a given name misspelt beyond its sound;
 * - surname sound + date of birth: a given name replaced (nickname, second name);
 * - postcode + surname sound: a wrong date of birth or a new given name, same place;
 * - postcode + given initial + surname initial: a surname misspelt beyond its sound, same place;
 * - given-name sound + date of birth: a new surname (marriage);
 * - date of birth + postcode: given name and surname swapped, or both misspelt;
 * - social-security id prefix: everything else wrong but the id (Febrl's files have one);
 * - sorted neighbourhood on surname + given name (window 3): pairs no key shares.
 *
 * Exact keys (email, phone...) come first and also pair their records. Keys such as "surname sound + birth year" or
 * "postcode + given initial" alone make blocks of hundreds of records in a million (common names, large towns):
 * three times as many pairs for a quarter of a percent of pair completeness. A rule whose roles a file lacks is left out.
 */
const sound = (role: 'surname' | 'given_name'): KeyPart => ({ role, take: 'phonetic' });
export const DEFAULT_BLOCKING: readonly BlockingRule[] = [
  { kind: 'key', name: 'surname_sound+given_sound', parts: [sound('surname'), sound('given_name')] },
  {
    kind: 'key',
    name: 'surname_sound+given_initial+birth_year',
    parts: [sound('surname'), { role: 'given_name', take: 'initial' }, { role: 'date_of_birth', take: 'year' }],
  },
  { kind: 'key', name: 'surname_sound+date_of_birth', parts: [sound('surname'), { role: 'date_of_birth', take: 'value' }] },
  { kind: 'key', name: 'postcode+surname_sound', parts: [{ role: 'postcode', take: 'value' }, sound('surname')] },
  {
    kind: 'key',
    name: 'postcode+given_initial+surname_initial',
    parts: [{ role: 'postcode', take: 'value' }, { role: 'given_name', take: 'initial' }, { role: 'surname', take: 'initial' }],
  },
  { kind: 'key', name: 'given_sound+date_of_birth', parts: [sound('given_name'), { role: 'date_of_birth', take: 'value' }] },
  { kind: 'key', name: 'date_of_birth+postcode', parts: [{ role: 'date_of_birth', take: 'value' }, { role: 'postcode', take: 'value' }] },
  { kind: 'key', name: 'soc_sec_id_prefix', parts: [{ role: 'soc_sec_id', take: 'prefix', length: 5 }] },
  {
    kind: 'sorted_neighbourhood',
    name: 'sorted_name',
    parts: [{ role: 'surname', take: 'value' }, { role: 'given_name', take: 'value' }],
    window: 3,
  },
];

/** Composite keys whose equality makes two records certain duplicates (all parts present and equal after normalisation). */
export const DEFAULT_EXACT_KEYS: readonly (readonly Role[])[] = [['email'], ['phone'], ['surname', 'given_name', 'date_of_birth']];

/** What a mapping file (`--mapping m.json`) may say; every part optional. */
export const MatchConfigFile = z
  .object({
    /** Column name -> role, or "ignore" to leave a column out although its name is recognised. */
    columns: z.record(z.string(), z.union([Role, z.literal('ignore')])).optional(),
    exactKeys: z.array(z.array(Role).min(1)).max(20).optional(),
    blocking: z.array(BlockingRule).min(1).max(100).optional(),
    /** Blocks with more records than this are not paired (their records remain reachable through other keys). */
    maxBlockSize: z.number().int().min(2).optional(),
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export type MatchConfigFile = z.infer<typeof MatchConfigFile>;

export interface MatchOptions {
  blocking: readonly BlockingRule[];
  exactKeys: readonly (readonly Role[])[];
  maxBlockSize: number;
  /** Pairs whose match probability is at least this are reported as duplicates. */
  threshold: number;
  /** EM: stop when no parameter moves by more than this between iterations, or after maxIterations. */
  emTolerance: number;
  emMaxIterations: number;
}

export const DEFAULT_OPTIONS: MatchOptions = {
  blocking: DEFAULT_BLOCKING,
  exactKeys: DEFAULT_EXACT_KEYS,
  maxBlockSize: 500,
  threshold: 0.5,
  emTolerance: 1e-6,
  emMaxIterations: 500,
};
