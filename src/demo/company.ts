import type { Rng } from '../kernel/index.js';
import {
  B2B_SECTORS,
  CITY_WEIGHTS,
  COMPANY_PATTERNS,
  LAST_NAME_WEIGHTS,
  LEGAL_FORMS,
  type City,
} from './french-reference-data.js';
import { stripAccents } from './dirty-data.js';
import type { Props } from './messages.js';
import { DAY } from './calendar.js';

/** A business customer: several employees buy on the shop under one account. */
export interface Company {
  readonly groupId: string;
  readonly name: string;
  readonly domain: string;
  readonly siren: string;
  readonly sector: string;
  readonly employees: number;
  readonly sizeBand: string;
  readonly city: City;
  readonly postalCode: string;
  readonly plan: 'pro' | 'entreprise';
  readonly createdAt: number;
}

/** Luhn check digit of a digit string, as INSEE computes the ninth digit of a SIREN. */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    // The check digit will sit at the right, so the digit next to it is the first one doubled.
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function makeSiren(rng: Rng): string {
  // Real SIRENs of companies mostly start with 3 to 9; a leading 0 or 1 would look odd in a demo.
  let body = String(rng.pick([3, 4, 5, 7, 8, 9]));
  for (let i = 0; i < 7; i++) body += String(rng.int(0, 9));
  return body + String(luhnCheckDigit(body));
}

const SIZE_BANDS: readonly (readonly [readonly [string, number, number], number])[] = [
  [['1-9', 1, 9], 45],
  [['10-49', 10, 49], 32],
  [['50-249', 50, 249], 16],
  [['250-999', 250, 999], 5],
  [['1000+', 1000, 6000], 2],
];

export function createCompany(rng: Rng, id: string, from: number): Company {
  const surname = rng.weighted(LAST_NAME_WEIGHTS);
  const base = rng.pick(COMPANY_PATTERNS).replace('{name}', surname);
  const [band, min, max] = rng.weighted(SIZE_BANDS);
  const city = rng.weighted(CITY_WEIGHTS);
  const slug = stripAccents(base).toLowerCase().replace(/&/g, 'et').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const domain = `${slug}.fr`;
  return {
    groupId: id,
    name: `${base} ${rng.weighted(LEGAL_FORMS)}`,
    domain,
    siren: makeSiren(rng),
    sector: rng.pick(B2B_SECTORS),
    employees: rng.int(min, max),
    sizeBand: band,
    city,
    postalCode: rng.pick(city.postalCodes),
    plan: max >= 250 || rng.chance(0.2) ? 'entreprise' : 'pro',
    // Business accounts have been open for a while before the window starts.
    createdAt: from - 30 * DAY - Math.floor(rng.next() * 3 * 365 * DAY),
  };
}

export function groupTraits(c: Company): Props {
  return {
    name: c.name,
    siren: c.siren,
    sector: c.sector,
    industry: c.sector,
    employees: c.employees,
    size_band: c.sizeBand,
    city: c.city.name,
    postal_code: c.postalCode,
    region: c.city.region,
    website: `https://www.${c.domain}`,
    plan: c.plan,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}
