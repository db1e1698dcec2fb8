import type { ProfileId } from '../kernel/index.js';
import type { ProfileState } from './live-state.js';

export interface MemberChange {
  segmentId: string;
  profileId: ProfileId;
  /** Entry time, or null for an exit. */
  since: number | null;
}

/**
 * Who is in which segment, with entry times: one map per segment (the live engine's single record of membership),
 * a sorted copy per segment for paging (dropped on change), and the net changes since the last compaction.
 */
export class Memberships {
  private readonly sets = new Map<string, Map<ProfileState, number>>();
  private readonly sorted = new Map<string, ProfileState[]>();
  private readonly dirty = new Map<string, MemberChange>();

  clear(): void {
    this.sets.clear();
    this.sorted.clear();
    this.dirty.clear();
  }

  ensure(segmentId: string): void {
    if (!this.sets.has(segmentId)) this.sets.set(segmentId, new Map());
  }

  enter(s: ProfileState, segmentId: string, at: number): void {
    let set = this.sets.get(segmentId);
    if (!set) {
      set = new Map();
      this.sets.set(segmentId, set);
    }
    set.set(s, at);
    this.sorted.delete(segmentId);
    this.dirty.set(`${segmentId}\u0000${s.profileId}`, { segmentId, profileId: s.profileId, since: at });
  }

  exit(s: ProfileState, segmentId: string): void {
    this.sets.get(segmentId)?.delete(s);
    this.sorted.delete(segmentId);
    this.dirty.set(`${segmentId}\u0000${s.profileId}`, { segmentId, profileId: s.profileId, since: null });
  }

  has(segmentId: string, s: ProfileState): boolean {
    return this.sets.get(segmentId)?.has(s) ?? false;
  }

  size(segmentId: string): number {
    return this.sets.get(segmentId)?.size ?? 0;
  }

  /** The members of a segment (a copy: safe to change memberships while iterating). */
  membersOf(segmentId: string): ProfileState[] {
    return [...(this.sets.get(segmentId)?.keys() ?? [])];
  }

  /** Forgets a segment (after its members have exited). */
  drop(segmentId: string): void {
    this.sets.delete(segmentId);
    this.sorted.delete(segmentId);
  }

  /** The segments `s` is in, with entry times (a pass over the segments, not over profiles). */
  of(s: ProfileState): [string, number][] {
    const out: [string, number][] = [];
    for (const [id, m] of this.sets) {
      const at = m.get(s);
      if (at !== undefined) out.push([id, at]);
    }
    return out;
  }

  /** Members ordered by profile id, after `after`; with `keep`, only those it accepts (a scan from `after` on). */
  page(segmentId: string, after: string | undefined, limit: number, keep?: (id: ProfileId) => boolean): { profileId: ProfileId; since: Date }[] {
    let list = this.sorted.get(segmentId);
    if (!list) {
      list = this.membersOf(segmentId).sort((a, b) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0));
      this.sorted.set(segmentId, list);
    }
    let lo = 0;
    if (after !== undefined) {
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((list[mid] as ProfileState).profileId <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const set = this.sets.get(segmentId);
    const picked = keep ? [] : list.slice(lo, lo + limit);
    if (keep) {
      for (let i = lo; i < list.length && picked.length < limit; i++) {
        const s = list[i] as ProfileState;
        if (keep(s.profileId)) picked.push(s);
      }
    }
    return picked.map((s) => ({ profileId: s.profileId, since: new Date(set?.get(s) ?? 0) }));
  }

  get pendingChanges(): number {
    return this.dirty.size;
  }

  /** Forgets the net changes (they are in the tables already: right after loading them). */
  forgetChanges(): void {
    this.dirty.clear();
  }

  /** The net changes since the last call, for a compaction. */
  takeChanges(): MemberChange[] {
    const out = [...this.dirty.values()];
    this.dirty.clear();
    return out;
  }
}
