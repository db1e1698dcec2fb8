import type { Rng } from '../kernel/index.js';
import { CATEGORY_WEIGHTS, type Category } from './catalogue.js';
import { DAY, type ParisTime } from './calendar.js';
import type { Company } from './company.js';
import {
  badPhone,
  DIRT_KINDS,
  frenchDate,
  messyEmail,
  messySurname,
  misspellEmail,
  misspellSurname,
  stripAccents,
  type DirtKind,
} from './dirty-data.js';
import {
  ACQUISITION_CHANNELS,
  CITY_WEIGHTS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  IP_PREFIXES,
  LAST_NAME_WEIGHTS,
  STREETS,
  USER_AGENTS,
  type Channel,
  type City,
} from './french-reference-data.js';
import type { Device, Props } from './messages.js';

/** How a person shops: drawn once, so that each person is consistent over the whole window. */
export interface Habits {
  /** Mean visits per week while active; log-normal across people, so a few visit daily and most rarely. */
  readonly sessionsPerWeek: number;
  /** Mean products looked at per visit. */
  readonly browseDepth: number;
  /** Chance that a product looked at goes into the cart. */
  readonly addRate: number;
  /** Chance that a visit ends in an order; 0 for people who never buy. */
  readonly conversion: number;
  /** Position in each category's price range, 0 = cheapest. */
  readonly budget: number;
  readonly favourites: readonly Category[];
  readonly openRate: number;
  /** Chance of clicking an email once opened. */
  readonly clickRate: number;
}

export interface Visitor {
  readonly kind: 'visitor';
  readonly habits: Habits;
  readonly device: Device;
}

/** Who a customer account says it is; a duplicate account carries a second, slightly wrong one. */
export interface Identity {
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly phone: string;
}

export interface Customer {
  readonly kind: 'customer';
  readonly identity: Identity;
  readonly gender: 'female' | 'male';
  /** YYYY-MM-DD. */
  readonly birthday: string;
  readonly city: City;
  readonly postalCode: string;
  readonly street: string;
  readonly signupAt: number;
  /** Signed up before the window: already a customer when the simulation starts. */
  readonly existing: boolean;
  readonly acquisition: Channel;
  readonly newsletterOptIn: boolean;
  readonly plan: 'standard' | 'premium';
  /** Spend before the window, which sets the loyalty tier the person starts with. */
  readonly priorSpend: number;
  readonly habits: Habits;
  readonly devices: readonly Device[];
  /** When activity stops for good (churn), or null if still active at the end of the window. */
  readonly churnAt: number | null;
  readonly dirt: readonly DirtKind[];
  /** The contact fields as the shop's records hold them: the identity, plus this person's dirt if any. */
  readonly recorded: Readonly<Record<'lastName' | 'email' | 'phone' | 'birthday', string>>;
  readonly duplicate: Identity | null;
  readonly company: Company | null;
}

/** Things that must be unique across a run: emails (a second Jean Dupont on gmail gets a number) and user ids. */
export class Registry {
  private readonly emails = new Set<string>();
  private readonly userIds = new Set<string>();

  claimEmail(candidate: (attempt: number) => string): string {
    for (let attempt = 0; ; attempt++) {
      const email = candidate(attempt);
      if (!this.emails.has(email)) {
        this.emails.add(email);
        return email;
      }
    }
  }

  claimUserId(rng: Rng): string {
    for (;;) {
      const id = `usr_${rng.uint32().toString(36).padStart(7, '0')}${rng.int(0, 35).toString(36)}`;
      if (!this.userIds.has(id)) {
        this.userIds.add(id);
        return id;
      }
    }
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function drawHabits(rng: Rng, buyer: boolean): Habits {
  const favourites: Category[] = [];
  const wanted = rng.int(1, 3);
  for (let i = 0; i < 8 && favourites.length < wanted; i++) {
    const c = rng.weighted(CATEGORY_WEIGHTS);
    if (!favourites.includes(c)) favourites.push(c);
  }
  return {
    sessionsPerWeek: Math.min(6, rng.logNormal(Math.log(0.27), 0.9)),
    browseDepth: 0.5 + rng.logNormal(Math.log(1.4), 0.5),
    addRate: clamp(rng.normal(0.14, 0.06), 0.02, 0.4),
    conversion: buyer ? clamp(rng.logNormal(Math.log(0.16), 0.7), 0.02, 0.6) : 0,
    budget: (rng.next() + rng.next()) / 2,
    favourites,
    openRate: rng.chance(0.22) ? 0.02 : clamp(rng.normal(0.37, 0.15), 0.05, 0.9),
    clickRate: clamp(rng.normal(0.12, 0.06), 0.02, 0.45),
  };
}

export function makeDevice(rng: Rng): Device {
  const { ua, kind } = rng.weighted(USER_AGENTS);
  const ip = `${rng.pick(IP_PREFIXES)}${rng.int(1, 254)}`;
  return { anonymousId: rng.uuid(), userAgent: ua, kind, ip, userId: null };
}

export function createVisitor(rng: Rng): Visitor {
  return { kind: 'visitor', habits: drawHabits(rng, false), device: makeDevice(rng) };
}

function emailLocalPart(first: string, last: string, rng: Rng): string {
  const f = stripAccents(first).toLowerCase().replace(/[^a-z]/g, '');
  const l = stripAccents(last).toLowerCase().replace(/[^a-z]/g, '');
  return rng.weighted<string>([
    [`${f}.${l}`, 50],
    [`${f.charAt(0)}.${l}`, 12],
    [`${f}${l}`, 12],
    [`${l}.${f}`, 8],
    [`${f}.${l}${rng.int(60, 99)}`, 10],
    [`${f}_${l}`, 8],
  ]);
}

function frenchMobile(rng: Rng): string {
  const digits = [rng.chance(0.8) ? '6' : '7'];
  for (let i = 0; i < 8; i++) digits.push(String(rng.int(0, 9)));
  const d = digits.join('');
  const pairs = `${d.slice(1, 3)} ${d.slice(3, 5)} ${d.slice(5, 7)} ${d.slice(7, 9)}`;
  return rng.weighted<string>([
    [`0${d.charAt(0)} ${pairs}`, 50],
    [`+33 ${d.charAt(0)} ${pairs}`, 25],
    [`0${d}`, 15],
    [`+33${d}`, 10],
  ]);
}

function cohort(birthYear: number): 0 | 1 | 2 {
  if (birthYear < 1970) return 0;
  return birthYear < 1995 ? 1 : 2;
}

export interface CustomerSpec {
  readonly from: number;
  readonly to: number;
  readonly paris: ParisTime;
  readonly company: Company | null;
}

export function createCustomer(rng: Rng, registry: Registry, spec: CustomerSpec): Customer {
  const { from, to, paris, company } = spec;
  const gender = rng.chance(0.54) ? 'female' : 'male';
  const age = Math.round(clamp(rng.normal(41, 13), 18, 84));
  const birth = new Date(to - (age + rng.next()) * 365.25 * DAY);
  const birthday = birth.toISOString().slice(0, 10);
  const namePool = FIRST_NAMES[gender][cohort(birth.getUTCFullYear())] ?? [];
  const firstName = rng.pick(namePool);
  const lastName = rng.weighted(LAST_NAME_WEIGHTS);
  const email = registry.claimEmail((attempt) => {
    const local = emailLocalPart(firstName, lastName, rng);
    const domain = company ? company.domain : rng.weighted(EMAIL_DOMAINS);
    return attempt === 0 ? `${local}@${domain}` : `${local}${rng.int(1, 999)}@${domain}`;
  });
  const userId = registry.claimUserId(rng);
  const identity: Identity = { userId, firstName, lastName, email, phone: frenchMobile(rng) };

  const existing = rng.chance(0.45);
  // Accounts opened before the window go back up to four years (and not before their company's); new ones open
  // during it. Both at the hours people shop.
  const earliest = Math.max(from - 4 * 365 * DAY, company ? company.createdAt : -Infinity);
  const signupAt = existing ? paris.sample(rng, earliest, from - DAY) : paris.sample(rng, from, to);
  const buyer = company !== null || rng.chance(0.7);
  const habits = drawHabits(rng, buyer);
  const activeFrom = existing ? from : signupAt;
  const churnAt = rng.chance(0.3) ? activeFrom + Math.floor(rng.exponential(45 * DAY)) : null;

  const devices = [makeDevice(rng)];
  if (rng.chance(0.15)) devices.push(makeDevice(rng));

  const dirt: DirtKind[] = [];
  if (rng.chance(0.035)) {
    dirt.push(rng.weighted(DIRT_KINDS));
    if (rng.chance(0.4)) {
      const second = rng.weighted(DIRT_KINDS);
      if (!dirt.includes(second)) dirt.push(second);
    }
  }
  const city = company && rng.chance(0.7) ? company.city : rng.weighted(CITY_WEIGHTS);
  const recorded = {
    lastName: dirt.includes('messy_name') ? messySurname(lastName, rng) : lastName,
    email: dirt.includes('messy_email') ? messyEmail(identity.email, rng) : identity.email,
    phone: dirt.includes('bad_phone') ? badPhone(identity.phone, rng) : identity.phone,
    birthday: dirt.includes('birthday_ddmmyyyy') ? frenchDate(birthday) : birthday,
  };
  return {
    kind: 'customer',
    identity,
    gender,
    birthday,
    city,
    postalCode: rng.pick(city.postalCodes),
    street: `${rng.int(1, 180)} ${rng.pick(STREETS)}`,
    signupAt,
    existing,
    acquisition: company ? 'direct' : rng.weighted(ACQUISITION_CHANNELS),
    newsletterOptIn: rng.chance(company ? 0.3 : 0.6),
    plan: rng.chance(0.08) ? 'premium' : 'standard',
    priorSpend: existing && buyer ? rng.logNormal(Math.log(140), 1.1) : 0,
    habits,
    devices,
    churnAt: churnAt !== null && churnAt < to ? churnAt : null,
    dirt,
    recorded,
    duplicate: dirt.includes('duplicate') ? duplicateIdentity(rng, registry, identity) : null,
    company,
  };
}

/** The same person signing up a second time, with a typo in the name, the email or both. */
function duplicateIdentity(rng: Rng, registry: Registry, real: Identity): Identity {
  const lastName = rng.chance(0.6) ? misspellSurname(real.lastName, rng) : real.lastName;
  const email = registry.claimEmail((attempt) => {
    const base = lastName !== real.lastName && rng.chance(0.5)
      ? real.email.replace(
          stripAccents(real.lastName).toLowerCase().replace(/[^a-z]/g, ''),
          stripAccents(lastName).toLowerCase().replace(/[^a-z]/g, ''),
        )
      : misspellEmail(real.email, rng);
    return attempt === 0 ? base : misspellEmail(base, rng);
  });
  return { userId: registry.claimUserId(rng), firstName: real.firstName, lastName, email, phone: real.phone };
}

export type LoyaltyTier = 'bronze' | 'argent' | 'or' | 'platine';

export function loyaltyTier(lifetimeSpend: number): LoyaltyTier {
  if (lifetimeSpend >= 1500) return 'platine';
  if (lifetimeSpend >= 500) return 'or';
  if (lifetimeSpend >= 150) return 'argent';
  return 'bronze';
}

function ageAt(birthday: string, t: number): number {
  const now = new Date(t);
  const [y = 0, m = 1, d = 1] = birthday.split('-').map(Number);
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  return now.getUTCFullYear() - y - (beforeBirthday ? 1 : 0);
}

/**
 * The traits an identify call carries: Segment's reserved ones (firstName, email, address, createdAt...) plus the
 * shop's own in snake_case. Contact fields are the recorded ones, dirt included, so every identify of a person
 * repeats the same mistake.
 */
export function customerTraits(c: Customer, who: Identity, t: number, tier: LoyaltyTier): Props {
  const isDuplicate = who !== c.identity;
  const traits: Props = {
    firstName: who.firstName,
    lastName: isDuplicate ? who.lastName : c.recorded.lastName,
    email: isDuplicate ? who.email : c.recorded.email,
    phone: isDuplicate ? who.phone : c.recorded.phone,
    gender: c.gender,
    birthday: c.recorded.birthday,
    age: ageAt(c.birthday, t),
    address: { street: c.street, city: c.city.name, postalCode: c.postalCode, state: c.city.region, country: 'France' },
    city: c.city.name,
    postal_code: c.postalCode,
    region: c.city.region,
    createdAt: new Date(isDuplicate ? t : c.signupAt).toISOString(),
    signup_date: new Date(isDuplicate ? t : c.signupAt).toISOString().slice(0, 10),
    acquisition_channel: isDuplicate ? 'direct' : c.acquisition,
    loyalty_tier: tier,
    plan: c.plan,
    newsletter_opt_in: isDuplicate ? false : c.newsletterOptIn,
    preferred_language: 'fr',
  };
  if (c.company) traits.company = { id: c.company.groupId, name: c.company.name };
  return traits;
}
