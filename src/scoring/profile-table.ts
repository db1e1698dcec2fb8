import { z } from 'zod';
import type { Clock, Logger, ProfileId } from '../kernel/index.js';
import type { LiveEngine, SegmentService, WriterLoop } from '../segments/index.js';
import type { ModelStore, SegmentStore } from '../store/index.js';

/**
 * Profiles as a table of features, point-in-time correct: a table "as of" T reads only events before T and only the
 * traits last set at or before T (a trait changed since is unknown at T, so missing). Labels read the events after T.
 * Training a propensity model therefore uses T = now - horizon (the outcome is observed), and scoring uses T = now with
 * the same features: no information from after T leaks into the features the model learns from.
 */

const DAY = 86_400_000;

/** What the analytics services on profiles (CLV, clusters, models) are built with. */
export interface AnalyticsDeps {
  store: SegmentStore & ModelStore;
  engine: LiveEngine;
  writer: WriterLoop;
  segments: SegmentService;
  clock: Clock;
  logger: Logger;
  /** The order event and its revenue property (scoring.rfm), which features and CLV read. */
  orderEvent: string;
  revenueProperty: string;
}

/** The features built from events, before `asOf`. */
export const EVENT_FEATURES = {
  orders: 'orders before the date (the order event, all time)',
  revenue: 'sum of the revenue property of those orders',
  avg_order_value: 'revenue / orders (missing without orders)',
  orders_90d: 'orders in the 90 days before the date',
  revenue_90d: 'revenue in the 90 days before the date',
  days_since_last_order: 'days from the last order to the date (missing without orders)',
  days_since_first_seen: 'days from the first event to the date',
  days_since_last_seen: 'days from the last event to the date',
  events_30d: 'events of any kind in the 30 days before the date',
  events_90d: 'events of any kind in the 90 days before the date',
  active_days_90d: 'distinct UTC days with an event in the 90 days before the date',
} as const;
export type EventFeature = keyof typeof EVENT_FEATURES;
const EVENT_FEATURE_NAMES = Object.keys(EVENT_FEATURES) as EventFeature[];

/** `orders`, `trait:city`, `count_90d:Product Viewed`: see EVENT_FEATURES and docs/models.md. */
export const FeatureName = z
  .string()
  .min(1)
  .max(200)
  .refine((f) => (EVENT_FEATURE_NAMES as string[]).includes(f) || /^trait:[A-Za-z0-9_.-]{1,100}$/.test(f) || /^count_90d:.{1,150}$/.test(f), {
    message: `A feature is one of ${EVENT_FEATURE_NAMES.join(', ')}, trait:NAME (a trait of the profile) or count_90d:EVENT (that event's count over 90 days).`,
  });

export const DEFAULT_CLUSTER_FEATURES: readonly string[] = ['orders', 'revenue', 'avg_order_value', 'days_since_last_order', 'days_since_first_seen', 'events_90d'];

/** What a propensity model predicts, observed over `days` after the date. */
export const Target = z.discriminatedUnion('kind', [
  /** 1 when the profile performs `event` within `days` after the date. */
  z.object({ kind: z.literal('event'), event: z.string().min(1).max(200), days: z.number().int().min(1).max(3650) }).strict(),
  /** Among profiles with the event before the date: 1 when they do not perform it again within `days` (churn). */
  z.object({ kind: z.literal('churn'), event: z.string().min(1).max(200), days: z.number().int().min(1).max(3650) }).strict(),
]);
export type Target = z.infer<typeof Target>;

export type Population = 'seen' | 'customers';

export interface ProfileTableSpec {
  asOf: Date;
  features: readonly string[];
  orderEvent: string;
  revenueProperty: string;
  /** 'seen': every live profile with an event before the date; 'customers': those with an order before it. */
  population: Population;
  target?: Target | undefined;
  /** Only these profiles (one profile's explanation); all of the population when absent. */
  profileIds?: ProfileId[] | undefined;
}

export type TableColumn =
  | { name: string; kind: 'numeric'; values: Float64Array }
  | { name: string; kind: 'categorical'; values: (string | null)[] };

export interface ProfileTable {
  asOf: Date;
  profileIds: ProfileId[];
  columns: TableColumn[];
  /** Per profile: revenue before the date (persona value), whether or not it is a feature. */
  revenue: Float64Array;
  labels: Uint8Array | null;
}

interface Acc {
  orders: number;
  revenue: number;
  orders90: number;
  revenue90: number;
  lastOrder: number;
  first: number;
  last: number;
  events30: number;
  events90: number;
  days90: Set<number>;
  counts: Map<string, number> | null;
  /** Label side: the target event's first time at or after the date. */
  labelHit: boolean;
  targetBefore: boolean;
}

function acc(): Acc {
  return { orders: 0, revenue: 0, orders90: 0, revenue90: 0, lastOrder: -Infinity, first: Infinity, last: -Infinity, events30: 0, events90: 0, days90: new Set(), counts: null, labelHit: false, targetBefore: false };
}

function amount(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return 0;
}

/** The table of the spec's features over the spec's population, with labels when a target is given. */
export async function buildProfileTable(store: SegmentStore, spec: ProfileTableSpec): Promise<ProfileTable> {
  const t = spec.asOf.getTime();
  const countEvents = spec.features.filter((f) => f.startsWith('count_90d:')).map((f) => f.slice('count_90d:'.length));
  const counted = new Set(countEvents);
  const labelEnd = spec.target ? t + spec.target.days * DAY : t;
  const byProfile = new Map<ProfileId, Acc>();
  await store.scanEvents({ kinds: null, since: null, profileIds: spec.profileIds }, (e) => {
    if (e.ts >= labelEnd && e.ts >= t) return;
    let a = byProfile.get(e.profileId);
    if (!a) byProfile.set(e.profileId, (a = acc()));
    if (e.ts >= t) {
      if (spec.target && e.event === spec.target.event) a.labelHit = true;
      return;
    }
    const isOrder = e.type === 'track' && e.event === spec.orderEvent;
    const age = t - e.ts;
    if (spec.target && e.event === spec.target.event) a.targetBefore = true;
    if (e.ts < a.first) a.first = e.ts;
    if (e.ts > a.last) a.last = e.ts;
    if (age <= 30 * DAY) a.events30++;
    if (age <= 90 * DAY) {
      a.events90++;
      a.days90.add(Math.floor(e.ts / DAY));
      if (e.event !== null && counted.has(e.event)) {
        a.counts ??= new Map();
        a.counts.set(e.event, (a.counts.get(e.event) ?? 0) + 1);
      }
    }
    if (isOrder) {
      const r = amount(e.properties[spec.revenueProperty]);
      a.orders++;
      a.revenue += r;
      if (e.ts > a.lastOrder) a.lastOrder = e.ts;
      if (age <= 90 * DAY) {
        a.orders90++;
        a.revenue90 += r;
      }
    }
  });
  const ids: ProfileId[] = [];
  const accs: Acc[] = [];
  for (const [id, a] of byProfile) {
    if (a.first === Infinity) continue; // only events after the date: not yet a profile then
    if (spec.population === 'customers' && a.orders === 0) continue;
    if (spec.target?.kind === 'churn' && !a.targetBefore) continue;
    ids.push(id);
    accs.push(a);
  }
  // Profile ids in a stable order, so that a seed gives the same split and clusters on every run.
  const order = Array.from(ids.keys()).sort((x, y) => ((ids[x] as string) < (ids[y] as string) ? -1 : 1));
  const profileIds = order.map((i) => ids[i] as ProfileId);
  const rows = order.map((i) => accs[i] as Acc);
  const n = rows.length;
  const traitNames = spec.features.filter((f) => f.startsWith('trait:')).map((f) => f.slice('trait:'.length));
  const traits = new Map<string, unknown[]>(traitNames.map((k) => [k, new Array<unknown>(n).fill(null)]));
  if (traitNames.length > 0) {
    const index = new Map(profileIds.map((id, i) => [id as string, i]));
    await store.scanProfiles((p) => {
      const i = index.get(p.profileId);
      if (i === undefined) return;
      for (const k of traitNames) {
        const set = p.traits.times[k];
        // Set after the date: its value then is unknown (traits keep their last time only).
        if (set !== undefined && Date.parse(set) > t) continue;
        (traits.get(k) as unknown[])[i] = p.traits.values[k] ?? null;
      }
    });
  }
  const columns: TableColumn[] = spec.features.map((f) => {
    if (f.startsWith('trait:')) {
      const vs = traits.get(f.slice('trait:'.length)) as unknown[];
      const numeric = vs.every((v) => v === null || typeof v === 'number');
      if (numeric) return { name: f, kind: 'numeric', values: Float64Array.from(vs, (v) => (typeof v === 'number' ? v : NaN)) };
      return { name: f, kind: 'categorical', values: vs.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))) };
    }
    if (f.startsWith('count_90d:')) {
      const ev = f.slice('count_90d:'.length);
      return { name: f, kind: 'numeric', values: Float64Array.from(rows, (a) => a.counts?.get(ev) ?? 0) };
    }
    return { name: f, kind: 'numeric', values: Float64Array.from(rows, (a) => eventFeature(f as EventFeature, a, t)) };
  });
  const labels = spec.target ? Uint8Array.from(rows, (a) => (spec.target?.kind === 'churn' ? (a.labelHit ? 0 : 1) : a.labelHit ? 1 : 0)) : null;
  return { asOf: spec.asOf, profileIds, columns, revenue: Float64Array.from(rows, (a) => a.revenue), labels };
}

function eventFeature(f: EventFeature, a: Acc, t: number): number {
  switch (f) {
    case 'orders':
      return a.orders;
    case 'revenue':
      return a.revenue;
    case 'avg_order_value':
      return a.orders > 0 ? a.revenue / a.orders : NaN;
    case 'orders_90d':
      return a.orders90;
    case 'revenue_90d':
      return a.revenue90;
    case 'days_since_last_order':
      return a.orders > 0 ? (t - a.lastOrder) / DAY : NaN;
    case 'days_since_first_seen':
      return (t - a.first) / DAY;
    case 'days_since_last_seen':
      return (t - a.last) / DAY;
    case 'events_30d':
      return a.events30;
    case 'events_90d':
      return a.events90;
    case 'active_days_90d':
      return a.days90.size;
  }
}
