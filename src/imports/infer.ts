import { normaliseEmail, normalisePhone } from '../quality/index.js';
import type { ImportKind, MappingInput } from './mapping.js';

type ColumnProposal = NonNullable<MappingInput['columns']>[string];

/** A column name folded for matching: lower case, no accents, runs of other characters as one `_`. */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

interface Rule {
  names: readonly string[];
  /** The target for each kind (absent: the rule does not apply to that kind). */
  to: Partial<Record<ImportKind, string>>;
  normalise?: (sample: string[]) => unknown;
}

const PHONE = { kind: 'phone', defaultRegion: 'FR' };
const CUSTOMER_AND_EVENTS = (to: string, traitName: string): Partial<Record<ImportKind, string>> => ({
  customers: to === 'trait' ? `traits.${traitName}` : to,
  events: to === 'trait' ? `properties.${traitName}` : to,
  orders: to === 'trait' ? `properties.${traitName}` : to,
});

/** Name heuristics, French and English. The first rule whose list holds the folded name wins. */
const RULES: readonly Rule[] = [
  { names: ['email', 'e_mail', 'mail', 'courriel', 'adresse_email', 'adresse_mail', 'adresse_e_mail', 'email_address'], to: CUSTOMER_AND_EVENTS('email', ''), normalise: () => ({ kind: 'email' }) },
  {
    names: ['user_id', 'userid', 'id_client', 'client_id', 'customer_id', 'customerid', 'id', 'identifiant', 'numero_client', 'num_client', 'n_client', 'no_client', 'code_client', 'ref_client'],
    to: CUSTOMER_AND_EVENTS('userId', ''),
  },
  { names: ['anonymous_id', 'anonymousid', 'cookie_id', 'visitor_id', 'device_id'], to: CUSTOMER_AND_EVENTS('anonymousId', '') },
  { names: ['telephone', 'tel', 'phone', 'phone_number', 'mobile', 'portable', 'gsm', 'numero_de_telephone', 'num_tel', 'tel_mobile', 'telephone_mobile'], to: CUSTOMER_AND_EVENTS('trait', 'phone'), normalise: () => PHONE },
  { names: ['nom', 'nom_de_famille', 'last_name', 'lastname', 'surname', 'family_name'], to: CUSTOMER_AND_EVENTS('trait', 'lastName'), normalise: () => ({ kind: 'name' }) },
  { names: ['prenom', 'first_name', 'firstname', 'given_name'], to: CUSTOMER_AND_EVENTS('trait', 'firstName'), normalise: () => ({ kind: 'name' }) },
  {
    names: ['date_naissance', 'date_de_naissance', 'naissance', 'birth_date', 'birthdate', 'date_of_birth', 'dob', 'birthday'],
    to: CUSTOMER_AND_EVENTS('trait', 'birthday'),
    normalise: (s) => ({ kind: 'date', formats: dateFormats(s) }),
  },
  { names: ['code_postal', 'cp', 'postcode', 'postal_code', 'zip', 'zipcode', 'zip_code'], to: CUSTOMER_AND_EVENTS('trait', 'postalCode'), normalise: () => ({ kind: 'postal_code' }) },
  { names: ['ville', 'city', 'commune', 'localite', 'town'], to: CUSTOMER_AND_EVENTS('trait', 'city') },
  { names: ['pays', 'country', 'code_pays', 'country_code'], to: CUSTOMER_AND_EVENTS('trait', 'country'), normalise: () => ({ kind: 'country' }) },
  { names: ['adresse', 'address', 'rue', 'street', 'adresse_postale', 'address_line_1', 'adresse_1'], to: CUSTOMER_AND_EVENTS('trait', 'address'), normalise: () => ({ kind: 'address' }) },
  { names: ['siren'], to: CUSTOMER_AND_EVENTS('trait', 'siren'), normalise: () => ({ kind: 'siren' }) },
  { names: ['siret'], to: CUSTOMER_AND_EVENTS('trait', 'siret'), normalise: () => ({ kind: 'siret' }) },
  {
    names: ['order_id', 'orderid', 'commande', 'numero_commande', 'num_commande', 'n_commande', 'no_commande', 'id_commande', 'ref_commande', 'order', 'order_number', 'reference_commande'],
    to: { orders: 'orderId' },
  },
  {
    names: ['montant', 'amount', 'total', 'montant_ttc', 'total_ttc', 'montant_total', 'prix', 'price', 'revenue', 'chiffre_d_affaires', 'ca'],
    to: { orders: 'revenue', events: 'properties.amount' },
    normalise: () => ({ kind: 'money', defaultCurrency: 'EUR' }),
  },
  { names: ['devise', 'currency', 'monnaie'], to: { orders: 'currency', events: 'properties.currency' }, normalise: () => ({ kind: 'currency' }) },
  { names: ['produits', 'products', 'articles', 'lignes'], to: { orders: 'products' } },
  { names: ['event', 'evenement', 'event_name', 'nom_evenement', 'action', 'type_evenement'], to: { events: 'event' } },
  {
    names: ['date', 'date_commande', 'date_de_commande', 'order_date', 'date_achat', 'date_d_achat', 'created_at', 'timestamp', 'horodatage', 'date_evenement', 'event_date', 'date_heure'],
    to: { events: 'timestamp', orders: 'timestamp' },
    normalise: (s) => ({ kind: 'datetime', formats: dateTimeFormats(s) }),
  },
];

const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})/;
const ISO = /^\d{4}-\d{2}-\d{2}/;

/** The date formats a sample is written in: day first (the French reading) unless a value proves month first. */
function dateFormats(sample: string[]): string[] {
  const values = sample.map((s) => s.trim()).filter((s) => s !== '');
  if (values.length > 0 && values.every((v) => ISO.test(v))) return ['ISO'];
  const dmy = values.map((v) => DMY.exec(v)).filter((x): x is RegExpExecArray => x !== null);
  const sep = dmy[0]?.[0].replace(/\d/g, '')[0] ?? '/';
  const monthFirst = dmy.some((x) => Number(x[2]) > 12) && dmy.every((x) => Number(x[1]) <= 12);
  return [monthFirst ? `MM${sep}DD${sep}YYYY` : `DD${sep}MM${sep}YYYY`, 'ISO'];
}

function dateTimeFormats(sample: string[]): string[] {
  const [dateOnly] = dateFormats(sample);
  if (dateOnly === 'ISO' || dateOnly === undefined) return ['ISO'];
  return [`${dateOnly} HH:mm:ss`, `${dateOnly} HH:mm`, dateOnly, 'ISO'];
}

/** A trait or property name for a column no rule knows: its folded name in camelCase. */
function propertyName(column: string): string {
  const parts = foldName(column).split('_').filter(Boolean);
  const name = parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
  return /^[a-z]/.test(name) ? name.slice(0, 100) : `col${name}`.slice(0, 100);
}

/** Share of non-blank sample values that pass a test (0 when the sample has none). */
function share(values: string[], test: (v: string) => boolean): number {
  const filled = values.filter((v) => v.trim() !== '');
  return filled.length === 0 ? 0 : filled.filter(test).length / filled.length;
}

/**
 * Proposes a mapping for a file from its header and a sample of its rows: column names first (French and English),
 * then the values of columns no name rule knows (emails, phone numbers, dates). Unknown columns become traits
 * (customers) or properties, named after the column, without a normaliser: edit the proposal before importing.
 *
 * ```ts
 * inferMapping('customers', ['Courriel', 'Téléphone'], rows) // { kind: 'customers', columns: { Courriel: { to: 'email', ... } } }
 * ```
 */
export function inferMapping(kind: ImportKind, header: readonly string[], sample: readonly Record<string, unknown>[]): MappingInput {
  const columns: Record<string, ColumnProposal> = {};
  const used = new Set<string>();
  const prefix = kind === 'customers' ? 'traits.' : 'properties.';
  for (const column of header) {
    const values = sample.map((r) => r[column]).filter((v) => v !== undefined && v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    const folded = foldName(column);
    const rule = RULES.find((r) => r.names.includes(folded) && r.to[kind] !== undefined);
    let proposal: ColumnProposal | null = null;
    if (rule) {
      const to = rule.to[kind] as string;
      proposal = { to, ...(rule.normalise ? { normalise: rule.normalise(values) } : {}) };
    } else if (share(values, (v) => normaliseEmail(v).ok) >= 0.8) {
      proposal = { to: 'email', normalise: { kind: 'email' } };
    } else if (share(values, (v) => /\d/.test(v) && normalisePhone(v, { defaultRegion: 'FR' }).ok) >= 0.8) {
      proposal = { to: `${prefix}phone`, normalise: PHONE };
    } else if (share(values, (v) => DMY.test(v.trim()) || ISO.test(v.trim())) >= 0.8) {
      const isDateTime = values.some((v) => /\d{1,2}:\d{2}/.test(v));
      const target = kind !== 'customers' && !used.has('timestamp') ? 'timestamp' : `${prefix}${propertyName(column)}`;
      proposal = { to: target, normalise: isDateTime || target === 'timestamp' ? { kind: 'datetime', formats: dateTimeFormats(values) } : { kind: 'date', formats: dateFormats(values) } };
    }
    // A second column for the same identifier or field (two email columns) becomes a trait/property instead.
    if (!proposal || (used.has(proposal.to) && !proposal.to.startsWith(prefix))) proposal = { to: `${prefix}${propertyName(column)}`, ...(proposal?.normalise ? { normalise: proposal.normalise } : {}) };
    if (used.has(proposal.to)) proposal = { to: 'ignore' };
    used.add(proposal.to);
    columns[column] = proposal;
  }
  return { kind, columns, ...(kind === 'events' && !used.has('event') ? { event: 'Imported Event' } : {}) };
}
