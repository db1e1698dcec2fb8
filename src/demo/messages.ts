import type { DeviceKind } from './french-reference-data.js';

/** A Segment message as an SDK would send it to POST /v1/batch. */
export type DemoMessage = Record<string, unknown>;

export type Props = Record<string, unknown>;

/** A message before it gets its id and timestamp: those are assigned once the chunk is in time order. */
export interface Draft {
  t: number;
  type: 'identify' | 'track' | 'page' | 'group';
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  groupId?: string;
  properties?: Props;
  traits?: Props;
  context: Props;
}

/** One browser (or phone) as the site sees it: a first-party anonymous id and a few context fields. */
export interface Device {
  readonly anonymousId: string;
  readonly userAgent: string;
  readonly kind: DeviceKind;
  readonly ip: string;
  /** The userId this device has logged in as, once it has. */
  userId: string | null;
}

export interface PageContext {
  path: string;
  url: string;
  title: string;
  referrer: string;
  search: string;
}

export interface CampaignContext {
  name: string;
  source: string;
  medium: string;
  term?: string;
  content?: string;
}

const BROWSER_LIBRARY = { name: 'analytics.js', version: 'next-1.72.0' };
const SERVER_LIBRARY = { name: '@segment/analytics-node', version: '2.1.3' };

/** Context of an event fired in the browser; objects are fresh per message so that no consumer can alias them. */
export function browserContext(device: Device, page: PageContext, campaign: CampaignContext | null): Props {
  const ctx: Props = {
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    userAgent: device.userAgent,
    ip: device.ip,
    library: { name: BROWSER_LIBRARY.name, version: BROWSER_LIBRARY.version },
    page: { path: page.path, url: page.url, title: page.title, referrer: page.referrer, search: page.search },
  };
  if (campaign) ctx.campaign = { ...campaign };
  return ctx;
}

/** Context of an event sent by the shop's back end or its email service: no browser, no page. */
export function serverContext(): Props {
  return { locale: 'fr-FR', library: { name: SERVER_LIBRARY.name, version: SERVER_LIBRARY.version } };
}

/** Numbers messages in the order they are emitted, so ids are unique within a run and stable for a seed. */
export class MessageCounter {
  private n = 0;
  constructor(private readonly seed: number) {}

  next(): string {
    this.n += 1;
    return `demo-${this.seed}-${this.n}`;
  }

  get count(): number {
    return this.n;
  }
}

function toMessage(d: Draft, messageId: string): DemoMessage {
  const m: DemoMessage = { type: d.type, messageId, timestamp: new Date(d.t).toISOString() };
  if (d.userId !== undefined) m.userId = d.userId;
  if (d.anonymousId !== undefined) m.anonymousId = d.anonymousId;
  if (d.event !== undefined) m.event = d.event;
  if (d.name !== undefined) m.name = d.name;
  if (d.groupId !== undefined) m.groupId = d.groupId;
  if (d.properties !== undefined) m.properties = d.properties;
  if (d.traits !== undefined) m.traits = d.traits;
  m.context = d.context;
  return m;
}

/**
 * Turns a person's drafts into messages: drops what fell outside the window (a visit that started just before
 * `now` may run past it), puts them in time order, then numbers them.
 */
export function finishChunk(drafts: Draft[], from: number, to: number, ids: MessageCounter): DemoMessage[] {
  const kept = drafts.filter((d) => d.t >= from && d.t <= to);
  kept.sort((a, b) => a.t - b.t);
  return kept.map((d) => toMessage(d, ids.next()));
}
