import { Rng } from '../kernel/index.js';
import { FIRST_NAMES, LAST_NAME_WEIGHTS, STREETS } from './french-reference-data.js';

/**
 * The demo generator's dirty-data mode for customer files: French customers as a CRM export holds them, with
 * duplicate records of some people made dirty the way such files are (typos in names and streets, a swapped day
 * and month, abbreviations, another email or phone, blank cells, inconsistent case and accents). Seeded: the same
 * count and seed give the same file. Used by `segmentum demo --customers-csv` and the record-matching benchmark, which
 * keep the ground truth (`entity`: the person each record is of).
 */

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'gr', 'j', 'l', 'm', 'n', 'p', 'pr', 'r', 's', 't', 'tr', 'v', 'qu', 'gu', 'h', 'bl', 'cl'];
const VOWELS = ['a', 'e', 'i', 'o', 'ou', 'au', 'ai', 'eu', 'é', 'è', 'an', 'in', 'on', 'ei', 'oi'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 't', 'd', 'x', 'ville', 'court', 'mont', 'et', 'ard', 'ier', 'eau', 'on', 'and', 'ot'];

function inventName(rng: Rng, syllables: number): string {
  let s = '';
  for (let i = 0; i < syllables; i++) s += rng.pick(ONSETS) + rng.pick(VOWELS);
  s += rng.pick(CODAS);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A pool of distinct invented names, drawn Zipf-like (a few frequent, many rare). */
function pool(rng: Rng, size: number, syllables: [number, number]): { names: string[]; draw: (r: Rng) => string } {
  const set = new Set<string>();
  while (set.size < size) set.add(inventName(rng, rng.int(syllables[0], syllables[1])));
  const names = [...set];
  return { names, draw: (r) => names[Math.floor(names.length * r.next() ** 2)]! };
}

interface Person {
  given: string;
  surname: string;
  dob: [number, number, number];
  number: number;
  street: string;
  postcode: string;
  town: string;
  email: string;
  phone: string;
}

/** Addresses and numbers already given, so that no two people share one (per generated file). */
interface Taken {
  emails: Set<string>;
  phones: Set<string>;
}

/** A mail provider gives an address to one person only: a taken one gets a number, as providers suggest. */
function uniqueEmail(local: string, domain: string, rng: Rng, { emails }: Taken): string {
  let e = `${local}@${domain}`;
  while (emails.has(e)) e = `${local}${rng.int(1, 9999)}@${domain}`;
  emails.add(e);
  return e;
}

/** A number belongs to one line: no two people draw the same one. */
function uniquePhone(prefix: string, rng: Rng, { phones }: Taken): string {
  let p: string;
  do p = `${prefix}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
  while (phones.has(p));
  phones.add(p);
  return p;
}

const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

function generatePeople(rng: Rng, count: number, taken: Taken): Person[] {
  const givenPool = pool(rng, 6_000, [2, 3]);
  const surnamePool = pool(rng, 150_000, [2, 4]);
  const streetPool = pool(rng, 20_000, [2, 3]);
  const townPool = pool(rng, 6_000, [2, 4]);
  const places = Array.from({ length: 6_000 }, (_, i) => ({
    postcode: `${String(1 + (i % 95)).padStart(2, '0')}${String(rng.int(0, 999)).padStart(3, '0')}`,
    town: townPool.names[i]!,
  }));
  const realGiven = [...FIRST_NAMES.female.flat(), ...FIRST_NAMES.male.flat()];
  const streetTypes = ['rue', 'avenue', 'boulevard', 'chemin', 'allée', 'impasse', 'place', 'route'];
  const domains = ['gmail.com', 'orange.fr', 'free.fr', 'hotmail.fr', 'yahoo.fr', 'laposte.net', 'sfr.fr', 'outlook.fr'];
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const given = rng.chance(0.6) ? rng.pick(realGiven) : givenPool.draw(rng);
    const surname = rng.chance(0.15) ? rng.weighted(LAST_NAME_WEIGHTS) : surnamePool.draw(rng);
    const place = places[Math.floor(places.length * rng.next() ** 1.5)]!;
    const street = rng.chance(0.1) ? rng.pick(STREETS) : `${rng.pick(streetTypes)} ${streetPool.draw(rng)}`;
    people.push({
      given,
      surname,
      dob: [rng.int(1935, 2006), rng.int(1, 12), rng.int(1, 28)],
      number: rng.int(1, 250),
      street,
      postcode: place.postcode,
      town: place.town,
      email: rng.chance(0.85) ? uniqueEmail(`${ascii(given)}.${ascii(surname)}`, rng.pick(domains), rng, taken) : '',
      phone: rng.chance(0.7) ? uniquePhone('06', rng, taken) : '',
    });
  }
  return people;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function typo(s: string, rng: Rng): string {
  if (s.length < 2) return s;
  const i = rng.int(0, s.length - 1);
  switch (rng.int(0, 3)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s.charAt(i) + s.slice(i);
    case 2:
      return i < s.length - 1 ? s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2) : s;
    default:
      return s.slice(0, i) + rng.pick([...LETTERS]) + s.slice(i + 1);
  }
}
const messy = (s: string, rng: Rng): string =>
  rng.weighted<string>([[s, 50], [s.toUpperCase(), 20], [s.normalize('NFD').replace(/[\u0300-\u036f]/g, ''), 20], [` ${s} `, 10]]);

function formatDob([y, m, d]: [number, number, number], rng: Rng): string {
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  return rng.chance(0.5) ? `${y}-${mm}-${dd}` : `${dd}/${mm}/${y}`;
}

function dirtyCopy(p: Person, rng: Rng, taken: Taken): Person {
  const c: Person = { ...p, dob: [...p.dob] };
  if (rng.chance(0.2)) c.given = typo(c.given, rng);
  if (rng.chance(0.2)) c.surname = typo(c.surname, rng);
  if (rng.chance(0.03)) [c.given, c.surname] = [c.surname, c.given];
  if (rng.chance(0.05) && c.dob[2] <= 12) c.dob = [c.dob[0], c.dob[2], c.dob[1]];
  if (rng.chance(0.05)) c.dob = [c.dob[0], c.dob[1], Math.max(1, Math.min(28, c.dob[2] + rng.pick([-1, 1, 10, -10])))];
  if (rng.chance(0.15)) c.street = c.street.replace(/^avenue/, 'av.').replace(/^boulevard/, 'bd').replace(/^rue/, 'r.');
  if (rng.chance(0.15)) c.street = typo(c.street, rng);
  if (rng.chance(0.1)) c.number = rng.int(1, 250);
  if (rng.chance(0.04)) c.postcode = typo(c.postcode, rng);
  if (rng.chance(0.3) && c.email) c.email = rng.chance(0.5) ? '' : uniqueEmail(c.email.slice(0, c.email.indexOf('@')), 'gmail.com', rng, taken);
  if (rng.chance(0.3)) c.phone = rng.chance(0.5) ? '' : uniquePhone('07', rng, taken);
  return c;
}

/** The columns of a dirty customer file, one value per record ('' for a blank cell). */
export interface DirtyCustomers {
  /** The person each record is of: records with the same entity are duplicates. */
  entity: string[];
  columns: {
    given_name: string[];
    surname: string[];
    date_of_birth: string[];
    street_number: string[];
    address_1: string[];
    postcode: string[];
    suburb: string[];
    email: string[];
    phone: string[];
  };
}

/** `count` records, about one in 1.3 a dirty duplicate of another person's record. */
export function generateDirtyCustomers(count: number, seed: number): DirtyCustomers {
  const rng = new Rng(seed);
  const taken: Taken = { emails: new Set(), phones: new Set() };
  const originals = Math.round(count / 1.3);
  const people = generatePeople(rng, originals, taken);
  const rows: { p: Person; entity: number; dirty: boolean }[] = people.map((p, i) => ({ p, entity: i, dirty: false }));
  while (rows.length < count) {
    const e = rng.int(0, originals - 1);
    rows.push({ p: dirtyCopy(people[e]!, rng, taken), entity: e, dirty: true });
  }
  // Shuffle so that duplicates are not next to their original in the file.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const miss = (v: string, p: number): string => (rng.chance(p) ? '' : v);
  const col = (f: (r: (typeof rows)[number]) => string): string[] => rows.map(f);
  return {
    entity: rows.map((r) => String(r.entity)),
    columns: {
      given_name: col((r) => miss(r.dirty ? messy(r.p.given, rng) : r.p.given, 0.03)),
      surname: col((r) => miss(r.dirty ? messy(r.p.surname, rng) : r.p.surname, 0.02)),
      date_of_birth: col((r) => miss(formatDob(r.p.dob, rng), 0.08)),
      street_number: col((r) => miss(String(r.p.number), 0.1)),
      address_1: col((r) => miss(r.p.street, 0.05)),
      postcode: col((r) => miss(r.p.postcode, 0.03)),
      suburb: col((r) => miss(r.dirty ? messy(r.p.town, rng) : r.p.town, 0.05)),
      email: col((r) => r.p.email),
      phone: col((r) => (r.p.phone && rng.chance(0.5) ? `+33 ${r.p.phone.slice(1).replace(/(\d\d)(?=\d)/g, '$1 ')}` : r.p.phone)),
    },
  };
}


/** The header of the CSV file, as a French CRM exports it, and the column each comes from. */
const CSV_COLUMNS: readonly [string, keyof DirtyCustomers['columns'] | 'id'][] = [
  ['id_client', 'id'],
  ['prenom', 'given_name'],
  ['nom', 'surname'],
  ['date_naissance', 'date_of_birth'],
  ['numero', 'street_number'],
  ['adresse', 'address_1'],
  ['code_postal', 'postcode'],
  ['ville', 'suburb'],
  ['email', 'email'],
  ['telephone', 'phone'],
];

const csvCell = (v: string): string => (/[",;\r\n]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v);

/** Record i's customer number in the file: C followed by 7 digits. */
export const customerNumber = (i: number): string => `C${String(i + 1).padStart(7, '0')}`;

/**
 * The records as a CSV file (comma-separated, UTF-8, a header line): what `segmentum demo --customers-csv` writes.
 * With `broken`, that share of the records gets a value no import accepts (a 31 February, an email without a domain),
 * drawn from its own seed so the records stay those of `d`: the rows an import must refuse and keep.
 */
export function dirtyCustomersCsv(d: DirtyCustomers, broken: { share: number; seed: number } = { share: 0, seed: 0 }): string {
  const rng = new Rng(broken.seed);
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (let i = 0; i < d.entity.length; i++) {
    const cells = CSV_COLUMNS.map(([, c]) => (c === 'id' ? customerNumber(i) : (d.columns[c][i] ?? '')));
    if (broken.share > 0 && rng.chance(broken.share)) {
      if (rng.chance(0.5)) cells[3] = `31/02/${rng.int(1940, 2000)}`;
      else cells[8] = `${(cells[1] ?? 'client').toLowerCase().replace(/[^a-z]/g, '') || 'client'}@`;
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Which records `dirtyCustomersCsv` broke (for tests: the rows an import refuses). */
export function brokenRecords(count: number, broken: { share: number; seed: number }): number[] {
  const rng = new Rng(broken.seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (broken.share > 0 && rng.chance(broken.share)) {
      out.push(i);
      if (rng.chance(0.5)) rng.int(1940, 2000);
    }
  }
  return out;
}
