import { DAY, MINUTE, SECOND } from './calendar.js';
import { simulateEmails, type Campaign } from './email-marketing.js';
import { RETURN_CHANNELS, ACQUISITION_CHANNELS, type Channel } from './french-reference-data.js';
import type { Device } from './messages.js';
import { loyaltyTier, makeDevice, type Customer, type Identity, type Visitor } from './person.js';
import { runVisit, type Shopper, type Sim } from './session.js';

const WEEK = 7 * DAY;

interface PlannedVisit {
  readonly t: number;
  readonly channel: Channel;
  readonly campaign: Campaign | null;
  /** Visits before sign-up stay anonymous and cannot buy. */
  readonly beforeSignup: boolean;
}

/** A visit that starts while the previous one is still running is pushed back: one person, one tab. */
const GAP = 2 * MINUTE;

/**
 * An anonymous visitor: a handful of visits bunched together (a product researched over a few days, then
 * forgotten), never identified.
 */
export function simulateVisitor(sim: Sim, v: Visitor): void {
  const { rng, paris, from, to } = sim;
  const shopper: Shopper = {
    customer: null,
    identity: null,
    habits: v.habits,
    signedUp: false,
    orders: 0,
    lifetimeSpend: 0,
    tier: 'bronze',
    groupSent: false,
  };
  const visits = rng.weighted<number>([[1, 45], [2, 22], [3, 12], [4, 8], [5, 6], [rng.int(6, 14), 7]]);
  let t = paris.sample(rng, from, to);
  let channel = rng.weighted(ACQUISITION_CHANNELS);
  for (let i = 0; i < visits && t < to; i++) {
    const end = runVisit(sim, shopper, {
      start: t,
      device: v.device,
      channel,
      campaign: null,
      identify: 'none',
      canBuy: false,
      eagerness: 1,
    });
    t = Math.max(end + GAP, t + Math.floor(rng.exponential(5 * DAY)));
    t = paris.sample(rng, t, t + DAY);
    channel = rng.weighted(RETURN_CHANNELS);
  }
}

/**
 * A customer over the window: email engagement, anonymous visits before sign-up, the sign-up (or, for an account
 * opened before the window, the first log-in on each device), regular visits at the person's own rate until churn,
 * visits prompted by email clicks, and for some a duplicate account opened later by mistake.
 */
export function simulateCustomer(sim: Sim, c: Customer): void {
  const { rng, paris, from, to } = sim;
  const clicks = simulateEmails(rng, sim.campaigns, c, sim.out);
  const activeFrom = c.existing ? from : c.signupAt;
  const activeTo = c.churnAt ?? to;
  const planned: PlannedVisit[] = [];

  if (!c.existing) {
    planned.push({ t: c.signupAt, channel: c.acquisition, campaign: null, beforeSignup: false });
    const anonymousVisits = rng.weighted<number>([[0, 35], [1, 30], [2, 20], [3, 15]]);
    const researchFrom = Math.max(from, c.signupAt - 21 * DAY);
    for (let i = 0; i < anonymousVisits && researchFrom < c.signupAt; i++) {
      const t = paris.sample(rng, researchFrom, c.signupAt);
      planned.push({ t, channel: 'direct', campaign: null, beforeSignup: true });
    }
  }
  const regular = rng.poisson((c.habits.sessionsPerWeek * Math.max(0, activeTo - activeFrom)) / WEEK);
  const returning = (t: number): PlannedVisit => ({
    t,
    channel: rng.weighted(RETURN_CHANNELS),
    campaign: null,
    beforeSignup: false,
  });
  for (let i = 0; i < regular; i++) planned.push(returning(paris.sample(rng, activeFrom, activeTo)));
  // Someone already a customer shows up at least once, or the window would hold no trace of who they are.
  if (c.existing && regular === 0) {
    planned.push(returning(paris.sample(rng, from, activeTo)));
  }
  for (const click of clicks) {
    const t = click.t + rng.int(2, 8) * SECOND;
    planned.push({ t, channel: 'email', campaign: click.campaign, beforeSignup: false });
  }
  planned.sort((a, b) => a.t - b.t);
  // The very first visit of a newcomer is the one their acquisition channel brought.
  const first = planned[0];
  if (first && !c.existing) planned[0] = { ...first, channel: c.acquisition };

  const shopper: Shopper = {
    customer: c,
    identity: c.identity,
    habits: c.habits,
    signedUp: c.existing,
    orders: 0,
    lifetimeSpend: c.priorSpend,
    tier: loyaltyTier(c.priorSpend),
    groupSent: false,
  };
  const [primary, second] = c.devices;
  if (!primary) return;
  const secondFrom = second ? paris.sample(rng, activeFrom, to) : Infinity;
  let busyUntil = -Infinity;
  for (const p of planned) {
    const device: Device = second && p.t >= secondFrom && rng.chance(0.45) ? second : primary;
    const start = Math.max(p.t, busyUntil + GAP);
    const identify = p.beforeSignup || device.userId !== null ? 'none' : shopper.signedUp ? 'login' : 'signup';
    busyUntil = runVisit(sim, shopper, {
      start,
      device,
      channel: p.channel,
      campaign: p.campaign,
      identify,
      canBuy: !p.beforeSignup,
      eagerness: identify === 'signup' ? 2.5 : 1,
    });
  }
  if (c.duplicate) simulateDuplicate(sim, c, c.duplicate);
}

/**
 * A second account for the same person (forgotten password, typo at sign-up): a fresh browser signs up with a
 * slightly different name or email and usually orders straight away, which is why the account was made.
 */
function simulateDuplicate(sim: Sim, c: Customer, dup: Identity): void {
  const { rng, paris, from, to } = sim;
  const start = Math.max(from, c.signupAt) + DAY;
  if (start >= to) return;
  const shopper: Shopper = {
    customer: c,
    identity: dup,
    habits: { ...c.habits, conversion: Math.max(0.5, c.habits.conversion) },
    signedUp: false,
    orders: 0,
    lifetimeSpend: 0,
    tier: 'bronze',
    groupSent: false,
  };
  const device = makeDevice(rng);
  let t = paris.sample(rng, start, to);
  const visits = rng.int(1, 2);
  for (let i = 0; i < visits && t < to; i++) {
    const end = runVisit(sim, shopper, {
      start: t,
      device,
      channel: 'direct',
      campaign: null,
      identify: device.userId === null ? 'signup' : 'none',
      canBuy: true,
      eagerness: 1,
    });
    t = end + GAP + Math.floor(rng.exponential(10 * DAY));
  }
}
