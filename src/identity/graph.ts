import { newProfileId, ProfileId } from '../kernel/index.js';
import type { IdentityConfig } from '../config/index.js';
import type { IdentityAuditRow, IdentityKind, IdentityLinkRow, IdentitySnapshot, MergeCause, MergeRow } from '../store/index.js';
import { KIND_PRIORITY, keyOf, type Identifier } from './identifiers.js';

interface Node {
  createdAt: number;
  ids: Record<IdentityKind, string[]>;
}

/** What resolving one event's identifiers decided; the caller writes it in the same commit as the event. */
export interface Resolution {
  profileId: ProfileId;
  created: boolean;
  links: IdentityLinkRow[];
  merges: MergeRow[];
  audit: IdentityAuditRow[];
}

export interface ResolveContext {
  at: Date;
  actor: string;
  messageId: string | null;
}

/**
 * The identity graph: which profile each identifier belongs to. Held in memory (an index rebuilt from the
 * identities table on start) so resolving an event costs a few map look-ups; every change it makes is returned
 * as rows for the caller to commit. Merges keep the oldest profile (its id is the one already shared outside).
 */
export class IdentityGraph {
  private readonly byKey = new Map<string, ProfileId>();
  private readonly nodes = new Map<ProfileId, Node>();
  private readonly mergedInto = new Map<ProfileId, ProfileId>();
  /** Pairs an unmerge split (`a|b`, ordered): events do not merge them again. */
  private readonly blocked = new Set<string>();

  constructor(private readonly config: IdentityConfig) {}

  static fromSnapshot(config: IdentityConfig, snap: IdentitySnapshot): IdentityGraph {
    const g = new IdentityGraph(config);
    for (const p of snap.profiles) g.nodes.set(p.profileId, emptyNode(p.createdAt.getTime()));
    for (const m of snap.mergedInto) g.mergedInto.set(m.loser, m.winner);
    for (const b of snap.blockedPairs) g.blocked.add(pairKey(b.a, b.b));
    for (const l of snap.links) {
      const node = g.nodes.get(l.profileId);
      if (!node) continue;
      node.ids[l.kind].push(l.value);
      g.byKey.set(keyOf(l), l.profileId);
    }
    return g;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The live profile an id now stands for, following merges. */
  canonical(id: ProfileId): ProfileId {
    let cur = id;
    for (let i = 0; i < 64; i++) {
      const next = this.mergedInto.get(cur);
      if (!next) return cur;
      cur = next;
    }
    return cur;
  }

  lookup(id: Identifier): ProfileId | undefined {
    return this.byKey.get(keyOf(id));
  }

  createdAt(id: ProfileId): Date | undefined {
    const n = this.nodes.get(id);
    return n ? new Date(n.createdAt) : undefined;
  }

  /**
   * Resolves the identifiers of one event to one profile: creates it, links new identifiers, or merges the profiles
   * they point at when the per-kind limits allow (user_id at most 1, others as configured); a refused merge or link
   * is recorded in the audit rows and the event goes to the profile of its highest-priority identifier.
   */
  resolve(ids: readonly Identifier[], ctx: ResolveContext): Resolution {
    // Fast path, most events: every identifier already belongs to the same profile.
    let known: ProfileId | undefined;
    for (const id of ids) {
      const p = this.byKey.get(keyOf(id));
      if (p === undefined || (known !== undefined && p !== known)) {
        known = undefined;
        break;
      }
      known = p;
    }
    if (known !== undefined) return { profileId: known, created: false, links: [], merges: [], audit: [] };

    const ordered = [...ids].sort((a, b) => KIND_PRIORITY.indexOf(a.kind) - KIND_PRIORITY.indexOf(b.kind));
    const res: Resolution = { profileId: ProfileId(''), created: false, links: [], merges: [], audit: [] };

    const found: ProfileId[] = [];
    for (const id of ordered) {
      const p = this.byKey.get(keyOf(id));
      if (p && !found.includes(p)) found.push(p);
    }

    // A userId nobody holds yet cannot join a profile that already has another userId: it gets its own profile,
    // and the profiles its other identifiers point at are recorded as refused merges.
    const newUser = ordered.find((id) => id.kind === 'user_id' && !this.byKey.has(keyOf(id)));
    const conflicting = newUser ? found.filter((p) => (this.nodes.get(p)?.ids.user_id.length ?? 0) > 0) : [];
    for (const other of conflicting) found.splice(found.indexOf(other), 1);

    let target: ProfileId;
    if (found.length === 0) {
      target = newProfileId();
      this.nodes.set(target, emptyNode(ctx.at.getTime()));
      res.created = true;
    } else {
      target = found[0] as ProfileId;
    }
    const audit = (action: IdentityAuditRow['action'], profileId: ProfileId, other: ProfileId | null, ids: string[], reason: string) =>
      res.audit.push({ at: ctx.at, action, profileId, otherProfileId: other, ids, reason, actor: ctx.actor, messageId: ctx.messageId });
    for (const other of conflicting) {
      audit('merge_refused', target, other, ordered.map(keyOf), 'merging would give one profile 2 user_id identifiers (limit 1)');
    }
    if (found.length > 0) {
      for (const other of found.slice(1)) {
        const refusal = this.blocked.has(pairKey(target, other))
          ? 'the two profiles were split by an unmerge; only an administrator can merge them again'
          : this.mergeRefusal(target, other);
        if (refusal) {
          audit('merge_refused', target, other, ordered.map(keyOf), refusal);
          continue;
        }
        const { winner, loser } = this.pickWinner(target, other);
        const reason = 'identifiers of one event belonged to two profiles';
        res.merges.push(this.merge(winner, loser, 'event', { reason, identifiers: ordered.map(keyOf) }, ctx));
        audit('merge', winner, loser, ordered.map(keyOf), reason);
        target = winner;
      }
    }

    const node = this.nodes.get(target);
    if (!node) throw new Error(`identity graph lost profile ${target}`);
    for (const id of ordered) {
      const owner = this.byKey.get(keyOf(id));
      if (owner !== undefined) continue; // known: either ours, or a refused merge's other profile
      const list = node.ids[id.kind];
      if (list.length >= this.limit(id.kind)) {
        audit('link_refused', target, null, [keyOf(id)], `profile already holds ${list.length} ${id.kind} identifier(s), the limit`);
        continue;
      }
      list.push(id.value);
      this.byKey.set(keyOf(id), target);
      res.links.push({ kind: id.kind, value: id.value, profileId: target, at: ctx.at });
    }
    res.profileId = target;
    return res;
  }

  /**
   * Merges two live profiles on an administrator's or a match's word (not an event's). Refused when the profiles
   * are the same or the merged profile would break the identifier limits; an unmerge's block does not apply.
   */
  mergePair(
    a: ProfileId,
    b: ProfileId,
    cause: MergeCause,
    evidence: Record<string, unknown>,
    ctx: ResolveContext,
  ): { ok: true; merge: MergeRow; audit: IdentityAuditRow } | { ok: false; code: 'identity.same_profile' | 'identity.merge_refused' | 'identity.unknown_profile'; message: string } {
    const ca = this.canonical(a);
    const cb = this.canonical(b);
    if (!this.nodes.has(ca)) return { ok: false, code: 'identity.unknown_profile', message: `No profile ${a}.` };
    if (!this.nodes.has(cb)) return { ok: false, code: 'identity.unknown_profile', message: `No profile ${b}.` };
    if (ca === cb) return { ok: false, code: 'identity.same_profile', message: `${a} and ${b} are already one profile (${ca}).` };
    const refusal = this.mergeRefusal(ca, cb);
    if (refusal) return { ok: false, code: 'identity.merge_refused', message: `Cannot merge ${ca} and ${cb}: ${refusal}.` };
    const { winner, loser } = this.pickWinner(ca, cb);
    this.blocked.delete(pairKey(ca, cb));
    const merge = this.merge(winner, loser, cause, evidence, ctx);
    const reason = typeof evidence.reason === 'string' ? evidence.reason : cause === 'match' ? 'accepted match' : 'merged by an administrator';
    return {
      ok: true,
      merge,
      audit: { at: ctx.at, action: 'merge', profileId: winner, otherProfileId: loser, ids: [], reason, actor: ctx.actor, messageId: null },
    };
  }

  /**
   * Undoes a merge in the index: the loser lives again with those of its identifiers the survivor still holds, and
   * events no longer merge the two (an explicit mergePair still can).
   */
  unmerge(survivor: ProfileId, restored: ProfileId, ids: readonly Identifier[], createdAt: Date): Identifier[] {
    const s = this.nodes.get(survivor);
    if (!s) throw new Error(`unmerge of ${restored} from ${survivor}, which is not a live profile`);
    const node = emptyNode(createdAt.getTime());
    const given: Identifier[] = [];
    for (const id of ids) {
      if (this.byKey.get(keyOf(id)) !== survivor) continue;
      const list = s.ids[id.kind];
      const i = list.indexOf(id.value);
      if (i >= 0) list.splice(i, 1);
      node.ids[id.kind].push(id.value);
      this.byKey.set(keyOf(id), restored);
      given.push(id);
    }
    this.nodes.set(restored, node);
    this.mergedInto.delete(restored);
    this.blocked.add(pairKey(survivor, restored));
    return given;
  }

  /** A live profile's identifiers. */
  identifiersOf(id: ProfileId): Identifier[] {
    const n = this.nodes.get(id);
    if (!n) return [];
    return KIND_PRIORITY.flatMap((kind) => n.ids[kind].map((value) => ({ kind, value })));
  }

  /** Whether an unmerge split these two (events and matches leave them apart). */
  isBlocked(a: ProfileId, b: ProfileId): boolean {
    return this.blocked.has(pairKey(this.canonical(a), this.canonical(b)));
  }

  isLive(id: ProfileId): boolean {
    return this.nodes.has(id);
  }

  private limit(kind: IdentityKind): number {
    return kind === 'user_id' ? 1 : this.config.maxIdsPerKind[kind];
  }

  private mergeRefusal(a: ProfileId, b: ProfileId): string | null {
    const na = this.nodes.get(a);
    const nb = this.nodes.get(b);
    if (!na || !nb) return 'unknown profile';
    for (const kind of KIND_PRIORITY) {
      const union = new Set([...na.ids[kind], ...nb.ids[kind]]);
      if (union.size > this.limit(kind)) {
        return `merging would give one profile ${union.size} ${kind} identifiers (limit ${this.limit(kind)})`;
      }
    }
    return null;
  }

  private pickWinner(a: ProfileId, b: ProfileId): { winner: ProfileId; loser: ProfileId } {
    const ca = this.nodes.get(a)?.createdAt ?? 0;
    const cb = this.nodes.get(b)?.createdAt ?? 0;
    if (ca < cb || (ca === cb && a < b)) return { winner: a, loser: b };
    return { winner: b, loser: a };
  }

  private merge(winner: ProfileId, loser: ProfileId, cause: MergeCause, evidence: Record<string, unknown>, ctx: ResolveContext): MergeRow {
    const w = this.nodes.get(winner);
    const l = this.nodes.get(loser);
    if (!w || !l) throw new Error('merge of unknown profiles');
    const loserIds = this.identifiersOf(loser);
    const winnerIds = this.identifiersOf(winner);
    for (const kind of KIND_PRIORITY) {
      for (const v of l.ids[kind]) {
        if (!w.ids[kind].includes(v)) w.ids[kind].push(v);
        this.byKey.set(`${kind}:${v}`, winner);
      }
    }
    this.nodes.delete(loser);
    this.mergedInto.set(loser, winner);
    return { winner, loser, cause, evidence, loserIds, winnerIds, actor: ctx.actor, messageId: ctx.messageId };
  }
}

const pairKey = (a: ProfileId, b: ProfileId): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

function emptyNode(createdAt: number): Node {
  return { createdAt, ids: { user_id: [], anonymous_id: [], email: [] } };
}
