import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/index.js';
import { CITIES } from './french-reference-data.js';
import { estimateDemoMessages, generateDemo, type DemoMessage, type DemoOptions } from './index.js';

const NOW = new Date('2026-03-15T12:00:00.000Z');
const DAY = 86_400_000;
const SMALL: DemoOptions = { profiles: 300, days: 60, seed: 20260315, now: NOW };
/** Big enough for rates to settle (about 40,000 messages), small enough to run in well under a second. */
const MEDIUM: DemoOptions = { profiles: 1000, days: 90, seed: 7, now: NOW };

function collect(opts: DemoOptions): DemoMessage[][] {
  return [...generateDemo(opts)];
}

function digest(chunks: DemoMessage[][]): string {
  const h = createHash('sha256');
  for (const chunk of chunks) for (const m of chunk) h.update(JSON.stringify(m));
  return h.digest('hex');
}

interface Msg {
  type: string;
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  groupId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

const small = collect(SMALL);
const medium = collect(MEDIUM);
const mediumFlat = medium.flat() as unknown as Msg[];

const events = (name: string): Msg[] => mediumFlat.filter((m) => m.type === 'track' && m.event === name);
/** Identifies that carry a whole profile (not the partial updates: loyalty tier, unsubscribe). */
const profileIdentifies = mediumFlat.filter((m) => m.type === 'identify' && typeof m.traits?.email === 'string');

/** An independent Luhn check (the generator's own is not reused, so a bug in it cannot hide here). */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The French mobile formats a normaliser can read: 06 12 34 56 78, +33 6 12 34 56 78, 0612345678, +33612345678. */
function validFrenchMobile(phone: string): boolean {
  return /^(?:0|\+33)[67]\d{8}$/.test(phone.replace(/ /g, ''));
}

describe('generateDemo: determinism', () => {
  it('gives exactly the same messages for the same seed and now', () => {
    const again = collect(SMALL);
    expect(again.slice(0, 25)).toEqual(small.slice(0, 25));
    expect(again.flat().length).toBe(small.flat().length);
    expect(digest(again)).toBe(digest(small));
  });

  it('gives different messages for another seed', () => {
    const other = collect({ ...SMALL, seed: SMALL.seed + 1 });
    expect(digest(other)).not.toBe(digest(small));
    expect(other[0]).not.toEqual(small[0]);
  });

  it('moves with now rather than with the wall clock', () => {
    const later = collect({ ...SMALL, profiles: 20, now: new Date(NOW.getTime() + 30 * DAY) });
    const first = later.flat()[0] as unknown as Msg;
    expect(Date.parse(first.timestamp)).toBeGreaterThanOrEqual(NOW.getTime() + 30 * DAY - SMALL.days * DAY);
  });

  it('refuses options it cannot honour', () => {
    expect(() => [...generateDemo({ ...SMALL, profiles: -1 })]).toThrow(AppError);
    expect(() => [...generateDemo({ ...SMALL, days: 0 })]).toThrow(AppError);
    expect(() => [...generateDemo({ ...SMALL, now: new Date('not a date') })]).toThrow(AppError);
  });
});

describe('generateDemo: every message is a well-formed Segment message', () => {
  const all = small.flat() as unknown as Msg[];
  const from = NOW.getTime() - SMALL.days * DAY;

  it('has a type, a unique messageId, an ISO timestamp inside the window, and an identity', () => {
    expect(all.length).toBeGreaterThan(SMALL.profiles * 10);
    const ids = new Set<string>();
    for (const m of all) {
      expect(['identify', 'track', 'page', 'group']).toContain(m.type);
      expect(typeof m.messageId).toBe('string');
      ids.add(m.messageId);
      expect(m.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const t = Date.parse(m.timestamp);
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThanOrEqual(NOW.getTime());
      expect(Boolean(m.userId) || Boolean(m.anonymousId)).toBe(true);
      if (m.type === 'track') expect(m.event).toBeTruthy();
      if (m.type === 'page') expect(m.name).toBeTruthy();
      if (m.type === 'group') expect(m.groupId).toBeTruthy();
      expect(m.context?.locale).toBe('fr-FR');
    }
    expect(ids.size).toBe(all.length);
  });

  it('keeps each chunk in time order', () => {
    for (const chunk of small) {
      const times = (chunk as unknown as Msg[]).map((m) => Date.parse(m.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('fills the page context the way analytics.js does', () => {
    const pages = all.filter((m) => m.type === 'page');
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages) {
      const page = p.context?.page as Record<string, unknown>;
      expect(page.url).toBe(p.properties?.url);
      expect(String(page.url)).toMatch(/^https:\/\//);
      expect(typeof p.context?.userAgent).toBe('string');
      expect(String(p.context?.ip)).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
    }
    expect(pages.some((p) => p.context?.campaign !== undefined)).toBe(true);
  });

  it('estimates the message count within 15 %', () => {
    const actual = mediumFlat.length;
    const estimate = estimateDemoMessages(MEDIUM);
    expect(Math.abs(estimate - actual) / actual).toBeLessThan(0.15);
  });
});

describe('generateDemo: a plausible audience', () => {
  const identified = new Set(profileIdentifies.map((m) => m.userId));
  const ordersByUser = new Map<string, number>();
  for (const o of events('Order Completed')) {
    ordersByUser.set(String(o.userId), (ordersByUser.get(String(o.userId)) ?? 0) + 1);
  }

  it('identifies most people but leaves some anonymous', () => {
    const anonymousOnly = medium.filter((chunk) => (chunk as unknown as Msg[]).every((m) => m.userId === undefined));
    expect(identified.size / MEDIUM.profiles).toBeGreaterThan(0.55);
    expect(identified.size / MEDIUM.profiles).toBeLessThan(0.85);
    expect(anonymousOnly.length / MEDIUM.profiles).toBeGreaterThan(0.15);
    expect(anonymousOnly.length / MEDIUM.profiles).toBeLessThan(0.45);
  });

  it('has one-time buyers, repeat buyers and people who never buy', () => {
    const buyers = ordersByUser.size;
    const repeat = [...ordersByUser.values()].filter((n) => n > 1).length;
    expect(buyers / identified.size).toBeGreaterThan(0.25);
    expect(buyers / identified.size).toBeLessThan(0.65);
    expect(repeat / buyers).toBeGreaterThan(0.2);
    expect(repeat / buyers).toBeLessThan(0.75);
  });

  it('has heavy-tailed order values that add up', () => {
    const orders = events('Order Completed');
    const totals = orders.map((o) => Number(o.properties?.total)).sort((a, b) => a - b);
    const median = totals[Math.floor(totals.length / 2)] ?? 0;
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    expect(mean).toBeGreaterThan(median * 1.2);
    expect(totals[totals.length - 1]).toBeGreaterThan(median * 5);
    for (const o of orders) {
      const p = o.properties ?? {};
      const products = p.products as Record<string, unknown>[];
      expect(p.currency).toBe('EUR');
      expect(products.length).toBeGreaterThan(0);
      const subtotal = products.reduce((s, l) => s + Number(l.price) * Number(l.quantity), 0);
      expect(Number(p.subtotal)).toBeCloseTo(subtotal, 2);
      expect(Number(p.revenue)).toBeCloseTo(Number(p.subtotal) - Number(p.discount), 2);
      expect(Number(p.total)).toBeCloseTo(Number(p.revenue) + Number(p.shipping), 2);
    }
    expect(orders.some((o) => typeof o.properties?.coupon === 'string')).toBe(true);
  });

  it('abandons carts and checkouts', () => {
    const completedCheckouts = new Set(events('Order Completed').map((o) => o.properties?.checkout_id));
    const abandoned = events('Checkout Started').filter((c) => !completedCheckouts.has(c.properties?.checkout_id));
    expect(abandoned.length).toBeGreaterThan(0);
    expect(events('Cart Abandoned').length).toBeGreaterThan(0);
    expect(events('Product Added').length).toBeLessThan(events('Product Viewed').length / 3);
  });

  it('has email engagement at industry rates', () => {
    const sent = events('Email Sent').length;
    expect(sent).toBeGreaterThan(1000);
    expect(events('Email Opened').length / sent).toBeGreaterThan(0.18);
    expect(events('Email Opened').length / sent).toBeLessThan(0.36);
    expect(events('Email Link Clicked').length / sent).toBeGreaterThan(0.015);
    expect(events('Email Link Clicked').length / sent).toBeLessThan(0.06);
    expect(events('Unsubscribed').length / sent).toBeLessThan(0.01);
    for (const e of events('Email Opened')) expect(e.properties?.campaign_id).toMatch(/^cmp_\d{8}_/);
  });

  it('follows the week and the day: Monday busier than Saturday, evenings busier than nights', () => {
    // Paris is UTC+1 in this window (winter), which the generator handles without Intl.
    const local = (m: Msg): Date => new Date(Date.parse(m.timestamp) + 3_600_000);
    const pages = mediumFlat.filter((m) => m.type === 'page').map(local);
    const onDay = (d: number): number => pages.filter((x) => x.getUTCDay() === d).length;
    expect(onDay(1)).toBeGreaterThan(onDay(6) * 1.2);
    const night = pages.filter((x) => x.getUTCHours() >= 2 && x.getUTCHours() < 5).length;
    const evening = pages.filter((x) => x.getUTCHours() >= 19 && x.getUTCHours() < 22).length;
    expect(evening).toBeGreaterThan(night * 5);
    const orders = events('Order Completed').map(local);
    const ordersOn = (d: number): number => orders.filter((x) => x.getUTCDay() === d).length;
    expect(ordersOn(1)).toBeGreaterThan(ordersOn(6) * 1.3);
  });

  it('puts people in real French cities with matching postal codes and regions', () => {
    const byName = new Map(CITIES.map((c) => [c.name, c]));
    expect(profileIdentifies.length).toBeGreaterThan(500);
    for (const m of profileIdentifies) {
      const city = byName.get(String(m.traits?.city));
      expect(city).toBeDefined();
      expect(city?.postalCodes).toContain(m.traits?.postal_code);
      expect(m.traits?.region).toBe(city?.region);
    }
    const paris = profileIdentifies.filter((m) => m.traits?.city === 'Paris').length;
    expect(paris / profileIdentifies.length).toBeGreaterThan(0.08);
    expect(paris / profileIdentifies.length).toBeLessThan(0.4);
  });
});

describe('generateDemo: identity', () => {
  it('links anonymous browsing to a user with an identify carrying both ids', () => {
    let linked = 0;
    for (const chunk of medium) {
      const msgs = chunk as unknown as Msg[];
      msgs.forEach((m, i) => {
        if (m.type !== 'identify' || !m.userId || !m.anonymousId) return;
        const before = msgs.slice(0, i).some((e) => e.anonymousId === m.anonymousId && e.userId === undefined);
        const after = msgs.slice(i + 1).some((e) => e.anonymousId === m.anonymousId && e.userId === m.userId);
        if (before && after) linked += 1;
      });
    }
    expect(linked).toBeGreaterThan(MEDIUM.profiles * 0.4);
  });

  it('has people on two devices that identify to the same user', () => {
    const devices = new Map<string, Set<string>>();
    for (const m of profileIdentifies) {
      if (!m.userId || !m.anonymousId) continue;
      const set = devices.get(m.userId) ?? new Set<string>();
      set.add(m.anonymousId);
      devices.set(m.userId, set);
    }
    const multi = [...devices.values()].filter((s) => s.size > 1).length;
    expect(multi).toBeGreaterThan(10);
    expect(multi / devices.size).toBeLessThan(0.3);
  });

  it('has business accounts whose SIREN passes the Luhn check', () => {
    expect(luhnValid('732829320')).toBe(true);
    expect(luhnValid('732829321')).toBe(false);
    const groups = mediumFlat.filter((m) => m.type === 'group');
    expect(groups.length).toBeGreaterThan(5);
    const members = new Set(groups.map((g) => g.userId));
    expect(members.size / MEDIUM.profiles).toBeLessThan(0.08);
    for (const g of groups) {
      const siren = String(g.traits?.siren);
      expect(siren).toMatch(/^\d{9}$/);
      expect(luhnValid(siren)).toBe(true);
      expect(typeof g.traits?.name).toBe('string');
      expect(typeof g.traits?.employees).toBe('number');
    }
  });
});

describe('generateDemo: dirty data for the quality features', () => {
  it('writes a few birthdays as DD/MM/YYYY among ISO ones', () => {
    const birthdays = profileIdentifies.map((m) => String(m.traits?.birthday));
    const french = birthdays.filter((b) => /^\d{2}\/\d{2}\/\d{4}$/.test(b)).length;
    expect(french).toBeGreaterThan(0);
    expect(french / birthdays.length).toBeLessThan(0.05);
    expect(birthdays.filter((b) => /^\d{4}-\d{2}-\d{2}$/.test(b)).length).toBe(birthdays.length - french);
  });

  it('has a few phone numbers no normaliser can repair', () => {
    const phones = profileIdentifies.map((m) => String(m.traits?.phone));
    const bad = phones.filter((p) => !validFrenchMobile(p)).length;
    expect(bad).toBeGreaterThan(0);
    expect(bad / phones.length).toBeLessThan(0.05);
  });

  it('has emails with capitals or stray whitespace', () => {
    const messy = profileIdentifies.filter((m) => {
      const e = String(m.traits?.email);
      return e !== e.trim().toLowerCase();
    });
    expect(messy.length).toBeGreaterThan(0);
    expect(messy.length / profileIdentifies.length).toBeLessThan(0.05);
  });

  it('has duplicate people: two user ids, same phone and birthday, a typo in the name or email', () => {
    const byPerson = new Map<string, Map<string, Msg>>();
    for (const m of profileIdentifies) {
      const key = `${String(m.traits?.firstName)}|${String(m.traits?.phone)}|${String(m.traits?.birthday)}`;
      const users = byPerson.get(key) ?? new Map<string, Msg>();
      users.set(String(m.userId), m);
      byPerson.set(key, users);
    }
    const duplicates = [...byPerson.values()].filter((users) => users.size > 1);
    expect(duplicates.length).toBeGreaterThan(0);
    for (const users of duplicates) {
      const [a, b] = [...users.values()];
      const differs = a?.traits?.email !== b?.traits?.email || a?.traits?.lastName !== b?.traits?.lastName;
      expect(differs).toBe(true);
    }
  });
});
