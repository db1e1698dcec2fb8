import { err, ok, ProfileId, type Result } from '../kernel/index.js';
import { emailIdentityValue } from '../identity/index.js';
import type { EventFilter, ProfileStore, RecentEventRow, Stats } from '../store/index.js';
import type { ProfileView, TimelineView } from './views.js';

export type ProfileLookup = { userId: string } | { anonymousId: string } | { email: string };

export interface InvalidCursor {
  code: 'request.invalid';
  message: string;
  /** The parameter at fault. */
  path: string;
}

/** A page of the live event stream: newest first, and the cursor to ask for what comes after. */
export interface RecentEvents {
  events: (Omit<RecentEventRow, 'seq'> & { profileId: string | null })[];
  cursor: string;
}

/** Counts and activity of the whole audience at one instant (the dashboard's first page). */
export interface AudienceSummary extends Stats {
  at: Date;
  identified: number;
  anonymous: number;
  /** The last 60 minutes by receive time, oldest first, zeros included. */
  eventsPerMinute: { minute: Date; count: number }[];
  topEvents: { event: string; count: number }[];
  topEventsDays: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
export const TOP_EVENTS_DAYS = 7;

// The live stream's cursor is opaque to clients (it may become something else than a number); checked when read back.
const encodeSeq = (seq: number): string => Buffer.from(`seq:${seq}`).toString('base64url');
function decodeSeq(cursor: string): number | null {
  const m = /^seq:(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

const encodeCursor = (timestamp: string, messageId: string): string =>
  Buffer.from(JSON.stringify([timestamp, messageId])).toString('base64url');

function decodeCursor(cursor: string): { timestamp: Date; messageId: string } | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null;
    const timestamp = new Date(v[0]);
    return Number.isNaN(timestamp.getTime()) ? null : { timestamp, messageId: v[1] };
  } catch {
    return null;
  }
}

export interface ProfileNotFound {
  code: 'profile.not_found';
  message: string;
}

/** Read side of unified profiles: a profile with its traits, vault data, identities, accounts and activity. */
export class ProfileService {
  constructor(private readonly store: ProfileStore) {}

  /**
   * A profile by id; ids merged into another profile answer with the surviving one.
   * @example await profiles.get(ProfileId('prof_123'))
   */
  async get(id: ProfileId): Promise<Result<ProfileView, ProfileNotFound>> {
    return this.store.readSnapshot(() => this.readView(id));
  }

  /** The reads of one profile view, one after another inside a snapshot. */
  private async readView(id: ProfileId): Promise<Result<ProfileView, ProfileNotFound>> {
    let row = await this.store.getProfile(id);
    let mergedFrom: string | undefined;
    for (let hops = 0; row?.mergedInto && hops < 64; hops++) {
      mergedFrom = id;
      row = await this.store.getProfile(row.mergedInto);
    }
    if (!row) return err({ code: 'profile.not_found', message: `No profile has the id ${id}.` });
    const pid = row.profileId;
    const identities = await this.store.identitiesOf(pid);
    const accounts = await this.store.accountsOf(pid);
    const activity = await this.store.activityOf(pid);
    const audit = await this.store.auditOf(pid);
    return ok({
      id: pid,
      ...(mergedFrom ? { mergedFrom } : {}),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      traits: row.traits.values,
      personal: row.pii.values,
      identities,
      accounts: accounts.map((a) => ({
        id: a.accountId,
        traits: a.traits.values,
        createdAt: a.createdAt.toISOString(),
        updatedAt: a.updatedAt.toISOString(),
      })),
      events: { total: activity.total, byType: activity.eventCounts },
      firstSeen: activity.firstSeen,
      lastSeen: activity.lastSeen,
      merges: audit.map((a) => ({ ...a, at: a.at.toISOString() })),
    });
  }

  /**
   * A profile by one of its identifiers.
   * @example await profiles.find({ email: 'jean.dupont@example.fr' })
   */
  async find(by: ProfileLookup): Promise<Result<ProfileView, ProfileNotFound>> {
    const [kind, value, label] =
      'userId' in by
        ? (['user_id', by.userId, `userId ${by.userId}`] as const)
        : 'anonymousId' in by
          ? (['anonymous_id', by.anonymousId, `anonymousId ${by.anonymousId}`] as const)
          : (['email', emailIdentityValue(by.email), `email ${by.email}`] as const);
    return this.store.readSnapshot(async () => {
      const id = await this.store.findProfileByIdentity(kind, value);
      if (!id) return err({ code: 'profile.not_found' as const, message: `No profile has the ${label}.` });
      return this.readView(id);
    });
  }

  /**
   * A page of a profile's events, newest first. `cursor` is the `nextCursor` of the previous page.
   * @example await profiles.timeline(ProfileId('prof_123'), { limit: 50 })
   */
  async timeline(
    id: ProfileId,
    opts: { limit: number; before?: Date | undefined; cursor?: string | undefined } & EventFilter,
  ): Promise<Result<TimelineView, ProfileNotFound | InvalidCursor>> {
    let after: { timestamp: Date; messageId: string } | undefined;
    if (opts.cursor !== undefined) {
      const decoded = decodeCursor(opts.cursor);
      if (!decoded) return err({ code: 'request.invalid', message: 'cursor: not a cursor returned by this API.', path: 'cursor' });
      after = decoded;
    }
    const found = await this.store.readSnapshot(async () => {
      let profile = await this.store.getProfile(id);
      for (let hops = 0; profile?.mergedInto && hops < 64; hops++) profile = await this.store.getProfile(profile.mergedInto);
      if (!profile) return null;
      const events = await this.store.eventsOf(profile.profileId, {
        limit: opts.limit,
        before: opts.before,
        after,
        type: opts.type,
        event: opts.event,
      });
      return { pid: profile.profileId, events };
    });
    if (!found) return err({ code: 'profile.not_found', message: `No profile has the id ${id}.` });
    const { pid, events } = found;
    const last = events[events.length - 1];
    return ok({
      profileId: pid,
      events,
      nextCursor: events.length === opts.limit && last ? encodeCursor(last.timestamp, last.messageId) : null,
    });
  }

  stats(): Promise<Stats> {
    return this.store.stats();
  }

  /**
   * The latest events in receive order, newest first, for a live view. Without `after`, the newest `limit`; with the
   * cursor of a previous answer, only events received since (the newest `limit` of them, should more have come).
   * @example const first = await profiles.recentEvents({ limit: 100 }); await profiles.recentEvents({ after: first.value.cursor, limit: 100 })
   */
  async recentEvents(opts: { after?: string | undefined; limit: number }): Promise<Result<RecentEvents, InvalidCursor>> {
    let afterSeq: number | undefined;
    if (opts.after !== undefined) {
      const seq = decodeSeq(opts.after);
      if (seq === null) return err({ code: 'request.invalid', message: 'after: not a cursor returned by this API.', path: 'after' });
      afterSeq = seq;
    }
    const rows = await this.store.recentEvents({ afterSeq, limit: opts.limit });
    const newest = rows[0];
    return ok({
      events: rows.map(({ seq: _seq, ...e }) => e),
      cursor: newest ? encodeSeq(newest.seq) : (opts.after ?? encodeSeq(0)),
    });
  }

  /**
   * Counts of the audience, events per minute over the last hour and the most frequent events of the last week, at
   * `now`, read in one snapshot.
   * @example await profiles.summary(clock.now())
   */
  async summary(now: Date): Promise<AudienceSummary> {
    const t = now.getTime();
    const lastMinute = Math.floor(t / MINUTE) * MINUTE;
    const firstMinute = lastMinute - 59 * MINUTE;
    const { stats, identified, perMinute, topEvents } = await this.store.readSnapshot(async () => ({
      stats: await this.store.stats(),
      identified: await this.store.identifiedProfiles(),
      perMinute: await this.store.eventsPerMinute(new Date(firstMinute), new Date(lastMinute + MINUTE)),
      topEvents: await this.store.topEvents(new Date(t - TOP_EVENTS_DAYS * DAY), now, 10),
    }));
    const counts = new Map(perMinute.map((m) => [m.minute, m.count]));
    return {
      at: now,
      ...stats,
      identified,
      anonymous: stats.profiles - identified,
      eventsPerMinute: Array.from({ length: 60 }, (_, i) => {
        const minute = firstMinute + i * MINUTE;
        return { minute: new Date(minute), count: counts.get(minute) ?? 0 };
      }),
      topEvents,
      topEventsDays: TOP_EVENTS_DAYS,
    };
  }
}
