import { err, ok, ProfileId, type Result } from '../kernel/index.js';
import { emailIdentityValue } from '../identity/index.js';
import type { ProfileStore, Stats } from '../store/index.js';
import type { ProfileView, TimelineView } from './views.js';

export type ProfileLookup = { userId: string } | { anonymousId: string } | { email: string };

export interface InvalidCursor {
  code: 'request.invalid';
  message: string;
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
    opts: { limit: number; before?: Date | undefined; cursor?: string | undefined },
  ): Promise<Result<TimelineView, ProfileNotFound | InvalidCursor>> {
    let after: { timestamp: Date; messageId: string } | undefined;
    if (opts.cursor !== undefined) {
      const decoded = decodeCursor(opts.cursor);
      if (!decoded) return err({ code: 'request.invalid', message: 'cursor: not a cursor returned by this API.' });
      after = decoded;
    }
    const found = await this.store.readSnapshot(async () => {
      let profile = await this.store.getProfile(id);
      for (let hops = 0; profile?.mergedInto && hops < 64; hops++) profile = await this.store.getProfile(profile.mergedInto);
      if (!profile) return null;
      return { pid: profile.profileId, events: await this.store.eventsOf(profile.profileId, { limit: opts.limit, before: opts.before, after }) };
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
}
