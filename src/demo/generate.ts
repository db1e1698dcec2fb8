import { AppError, Rng } from '../kernel/index.js';
import { simulateCustomer, simulateVisitor } from './behaviour.js';
import { DAY, ParisTime } from './calendar.js';
import { buildCatalogue } from './catalogue.js';
import { createCompany } from './company.js';
import { planCampaigns } from './email-marketing.js';
import { finishChunk, MessageCounter, type DemoMessage, type Draft } from './messages.js';
import { createCustomer, createVisitor, Registry } from './person.js';
import { OrderNumbers, type Sim } from './session.js';

export type { DemoMessage } from './messages.js';

export interface DemoOptions {
  /** People simulated, identified or not (a duplicate account is the same person and does not count). */
  profiles: number;
  /** Length of the window, ending at `now`. */
  days: number;
  seed: number;
  now: Date;
}

/** Share of people who browse and never identify. */
const VISITOR_SHARE = 0.3;
/** Chance that a slot opens a business account; with 2-5 buyers each, about 3 % of people belong to one. */
const ACCOUNT_SHARE = 0.009;

/** A per-slot seed: murmur3's finaliser, so that neighbouring seeds and slots give unrelated streams. */
function mix(seed: number, slot: number): number {
  let h = (seed ^ Math.imul(slot + 0x6a09e667, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function validate(opts: DemoOptions): void {
  const fail = (path: string, message: string): never => {
    throw new AppError('config.invalid', message, { path });
  };
  if (!Number.isInteger(opts.profiles) || opts.profiles < 0) fail('profiles', 'profiles must be a whole number ≥ 0');
  if (!Number.isFinite(opts.days) || opts.days <= 0) fail('days', 'days must be a positive number');
  if (!Number.isInteger(opts.seed)) fail('seed', 'seed must be an integer');
  if (Number.isNaN(opts.now.getTime())) fail('now', 'now must be a valid date');
}

/**
 * Generates a realistic French e-commerce audience as Segment messages, one person (or one business account) per
 * chunk, each chunk in time order. The same options always give the same messages.
 *
 * @example
 * for (const chunk of generateDemo({ profiles: 1000, days: 90, seed: 42, now: new Date('2026-01-31T00:00:00Z') })) {
 *   await ingest(chunk);
 * }
 */
export function* generateDemo(opts: DemoOptions): Generator<DemoMessage[]> {
  validate(opts);
  const to = opts.now.getTime();
  const from = to - Math.round(opts.days * DAY);
  const paris = new ParisTime();
  const catalogue = buildCatalogue();
  const campaigns = planCampaigns(new Rng(mix(opts.seed, -1)), paris, from, to);
  const ids = new MessageCounter(opts.seed);
  const orders = new OrderNumbers();
  const registry = new Registry();

  let people = 0;
  for (let slot = 0; people < opts.profiles; slot++) {
    const rng = new Rng(mix(opts.seed, slot));
    const out: Draft[] = [];
    const sim: Sim = { rng, catalogue, paris, campaigns, from, to, orders, out };
    const left = opts.profiles - people;
    if (left >= 2 && rng.chance(ACCOUNT_SHARE)) {
      const company = createCompany(rng, `org_${slot.toString(36)}${rng.uint32().toString(36).slice(0, 4)}`, from);
      const members = Math.min(left, rng.int(2, 5));
      for (let m = 0; m < members; m++) {
        simulateCustomer(sim, createCustomer(rng, registry, { from, to, paris, company }));
      }
      people += members;
    } else if (rng.chance(VISITOR_SHARE)) {
      simulateVisitor(sim, createVisitor(rng));
      people += 1;
    } else {
      simulateCustomer(sim, createCustomer(rng, registry, { from, to, paris, company: null }));
      people += 1;
    }
    const chunk = finishChunk(out, from, to, ids);
    if (chunk.length > 0) yield chunk;
  }
}

/**
 * About how many messages `generateDemo` yields, for a progress bar. The per-person rate is a curve fitted on
 * 10,000-person runs of 7 to 365 days (a fixed part for the first visits and sign-up, a part growing with the
 * window, and a square-root part because churners stop contributing); it is within 5 % of those runs.
 *
 * @example
 * bar.start(estimateDemoMessages({ profiles: 10_000, days: 180 }), 0); // about 670,000
 */
export function estimateDemoMessages(opts: Pick<DemoOptions, 'profiles' | 'days'>): number {
  const days = Math.max(0, opts.days);
  return Math.round(Math.max(0, opts.profiles) * (10 + 0.22 * days + 1.3 * Math.sqrt(days)));
}
