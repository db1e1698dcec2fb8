import type { IdentityConfig } from '../config/index.js';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AppError, err, ok, type Clock, type ErrorCode, type ProfileId, type Result } from '../kernel/index.js';
import { DEFAULT_OPTIONS, MatchRole, matchRecords } from '../quality/matching/index.js';
import { applyTraits, mergeTraits } from './traits.js';
import type {
  IdentityAuditRow,
  IdentityStore,
  MergeCause,
  MergeEdgeRow,
  MergeRow,
  ProfileRow,
  ProfileStore,
  ReviewPairRow,
  ReviewStatus,
  SegmentStore,
  TraitState,
  UnmergePlan,
} from '../store/index.js';
import { enoughEvidence, matchedPairs, matchFieldsOf, recordsOfProfiles, type MatchedPair } from './profile-matching.js';
import { keyOf, type IdentityGraph } from '../identity/index.js';

/** The part of the single writer identity changes run on (GroupCommitter.runGraphTask). */
export interface GraphWriter {
  runGraphTask<T>(fn: (ctx: GraphTask) => Promise<T>): Promise<T>;
}

/** What a task on the identity graph may use: it runs alone on the writer's loop. */
export interface GraphTask {
  now: Date;
  graph: IdentityGraph;
  /** Written after the task: merges put here are folded into profile rows and recorded as edges first. */
  batch: { merges: MergeRow[]; audit: IdentityAuditRow[]; mergeEdges?: MergeEdgeRow[] | undefined };
  /** Profiles the task rewrote itself (an unmerge): caches and the live segments follow. */
  profilesRewritten(rows: ProfileRow[]): Promise<void>;
}

export interface IdentityError {
  code: Extract<ErrorCode, `identity.${string}`>;
  message: string;
}

export interface MergeOutcome {
  edge: MergeEdgeRow;
}

export interface UnmergeOutcome {
  mergeId: string;
  survivor: ProfileId;
  restored: ProfileId;
  /** Events that went back to the restored profile. */
  events: number;
  identities: string[];
}

export interface MatchRunOptions {
  /** Defaults from the configuration (identity.matching). */
  autoMergeAt?: number | undefined;
  reviewAt?: number | undefined;
  /** Find and count, change nothing. */
  dryRun?: boolean | undefined;
  actor: string;
}

export interface MatchRunSummary {
  /** Live profiles with at least one field to compare. */
  profiles: number;
  fields: string[];
  candidatePairs: number;
  autoMergeAt: number;
  reviewAt: number;
  /** Pairs at or above autoMergeAt, and those merged (fewer when a chain made two of them one profile already). */
  autoPairs: number;
  merged: number;
  /** Pairs above autoMergeAt sent to review instead: no exact key and fewer than two identifying fields agreeing. */
  demoted: number;
  /** Pairs in the review band (demoted ones included), and those new to the queue. */
  reviewPairs: number;
  queued: number;
  /** Auto pairs whose merge the identifier limits refused (two userIds...). */
  refused: number;
  /** Pairs an unmerge split, left apart. */
  blocked: number;
  dryRun: boolean;
  seconds: number;
  /** Up to 20 of the merges made (or that would be, in a dry run), most probable first. */
  examples: MatchedPair[];
}

export interface ReviewDetail {
  pair: ReviewPairRow;
  /** The compared fields of both profiles as they are now (of the profile each id now stands for). */
  records: { a: Record<string, string>; b: Record<string, string> };
}

export interface IdentityServiceOptions {
  store: IdentityStore & ProfileStore & Pick<SegmentStore, 'scanProfiles'>;
  writer: GraphWriter;
  config: IdentityConfig;
  clock: Clock;
}

/**
 * Merges and unmerges on demand: an administrator's merge (or an accepted match) and the undoing of any recorded
 * merge. Both run alone on the writer's loop, so the identity graph, the tables and the live segments change
 * together; every one is recorded in the audit log.
 */
export class IdentityService {
  /** identity.matching.traits, checked: trait name -> matcher role. */
  private readonly traitRoles: Record<string, MatchRole>;

  constructor(private readonly o: IdentityServiceOptions) {
    this.traitRoles = {};
    for (const [trait, role] of Object.entries(o.config.matching.traits)) {
      const r = MatchRole.safeParse(role);
      if (!r.success) {
        throw new AppError('config.invalid', `Option identity.matching.traits.${trait}: "${role}" is not a matcher role (${MatchRole.options.join(', ')}).`);
      }
      this.traitRoles[trait] = r.data;
    }
  }

  /** Merges two profiles (the older one survives); the edge records who asked and why. */
  async merge(
    a: ProfileId,
    b: ProfileId,
    by: { actor: string; cause: Exclude<MergeCause, 'event'>; evidence: Record<string, unknown> },
  ): Promise<Result<MergeOutcome, IdentityError>> {
    const outcome = await this.o.writer.runGraphTask(async (ctx) => {
      const r = ctx.graph.mergePair(a, b, by.cause, by.evidence, { at: ctx.now, actor: by.actor, messageId: null });
      if (!r.ok) return err({ code: r.code, message: r.message } satisfies IdentityError);
      ctx.batch.merges.push(r.merge);
      ctx.batch.audit.push(r.audit);
      return ok(ctx.batch);
    });
    if (!outcome.ok) return outcome;
    const edge = outcome.value.mergeEdges?.[0];
    if (!edge) throw new Error('a merge was committed without its edge');
    return ok({ edge });
  }

  /**
   * Undoes a merge: the loser (and every profile merged into it before) lives again with its identifiers, its
   * events (those first resolved to it, and later ones carrying its userId or, lacking one, its anonymousId), and
   * its traits as they were before the merge plus those its moved identify calls set. The survivor is rebuilt the
   * same way from its own side. Segments of both are re-evaluated; events no longer merge the two.
   */
  unmerge(mergeId: string, by: { actor: string; reason?: string | undefined }): Promise<Result<UnmergeOutcome, IdentityError>> {
    return this.o.writer.runGraphTask(async (ctx) => {
      const store = this.o.store;
      const edge = await store.getMergeEdge(mergeId);
      if (!edge) return err({ code: 'identity.merge_not_found', message: `No merge has the id ${mergeId}.` });
      if (edge.status === 'undone' || ctx.graph.isLive(edge.loser)) {
        return err({ code: 'identity.already_undone', message: `The merge ${mergeId} was undone already.` });
      }
      if (!ctx.graph.isLive(edge.winner)) {
        const later = (await store.mergeEdgesOf([edge.winner])).find((e) => e.status === 'active' && e.loser === edge.winner);
        return err({
          code: 'identity.unmerge_blocked',
          message: `Profile ${edge.winner} was merged into ${later?.winner ?? ctx.graph.canonical(edge.winner)} afterwards${later ? ` (merge ${later.mergeId})` : ''}: undo that merge first.`,
        });
      }
      const survivor = edge.winner;
      const restored = edge.loser;
      const tree = await this.treeOf(restored);
      const later = (await store.activeMergesInto([survivor])).filter((e) => e.mergeId !== edge.mergeId && e.at >= edge.at && !tree.includes(e.loser));
      const ids = edge.loserBefore.identities;
      const plan: UnmergePlan = {
        mergeId,
        at: ctx.now,
        actor: by.actor,
        survivor,
        restored,
        restoredTree: tree,
        mergedAt: edge.at,
        restoredUserIds: ids.filter((i) => i.kind === 'user_id').map((i) => i.value),
        restoredAnonymousIds: ids.filter((i) => i.kind === 'anonymous_id').map((i) => i.value),
        identities: ids,
        profiles: [],
        audit: [],
      };
      const current = await store.getProfile(survivor);
      if (!current) throw new Error(`live profile ${survivor} has no row`);
      const replay = await store.unmergeIdentifyTraits(plan);
      const rule = this.o.config.traitMergeRule;
      const strategies = this.o.config.traitStrategies;

      const lTraits = structuredClone(edge.loserBefore.traits);
      for (const r of replay.restored) applyTraits(lTraits, r.traits, r.at, rule);
      const lRow: ProfileRow = {
        profileId: restored,
        createdAt: new Date(edge.loserBefore.createdAt),
        updatedAt: ctx.now,
        mergedInto: null,
        traits: lTraits,
        pii: structuredClone(edge.loserBefore.pii),
      };

      const sTraits = structuredClone(edge.winnerBefore.traits);
      const sPii = structuredClone(edge.winnerBefore.pii);
      let createdAt = new Date(edge.winnerBefore.createdAt);
      for (const e of later) {
        mergeTraits(sTraits, e.loserBefore.traits, rule, strategies);
        mergeTraits(sPii, e.loserBefore.pii, rule, strategies);
        const c = new Date(e.loserBefore.createdAt);
        if (c < createdAt) createdAt = c;
      }
      for (const r of replay.survivor) applyTraits(sTraits, r.traits, r.at, rule);
      // What the survivor holds that neither side's history explains was set after the merge by data that cannot be
      // traced to one side (personal data, kept in the vault rather than with events): it stays with the survivor.
      const since = edge.at.toISOString();
      keepUnexplained(sTraits, current.traits, lRow.traits, since);
      keepUnexplained(sPii, current.pii, lRow.pii, since);
      const sRow: ProfileRow = { profileId: survivor, createdAt, updatedAt: ctx.now, mergedInto: null, traits: sTraits, pii: sPii };

      plan.profiles = [sRow, lRow];
      const given = ids.map((i) => keyOf(i));
      const audit: IdentityAuditRow = {
        at: ctx.now,
        action: 'unmerge',
        profileId: survivor,
        otherProfileId: restored,
        ids: given,
        reason: by.reason ?? `merge ${mergeId} undone`,
        actor: by.actor,
        messageId: null,
      };
      plan.audit = [audit];
      const { events } = await store.applyUnmerge(plan);
      ctx.graph.unmerge(survivor, restored, ids, lRow.createdAt);
      await ctx.profilesRewritten([sRow, lRow]);
      return ok({ mergeId, survivor, restored, events, identities: given });
    });
  }

  /**
   * Matches every live profile against the others (blocking, comparators, Fellegi-Sunter with EM: the matcher of
   * `segmentum dedup`, on the traits it recognises). Pairs at or above autoMergeAt merge, with the match as evidence;
   * pairs from reviewAt wait in the review queue. Pairs an unmerge split are left apart.
   */
  async matchProfiles(opts: MatchRunOptions): Promise<MatchRunSummary> {
    const started = performance.now();
    const m = this.o.config.matching;
    const autoMergeAt = opts.autoMergeAt ?? m.autoMergeAt;
    const reviewAt = Math.min(opts.reviewAt ?? m.reviewAt, autoMergeAt);
    const rows: ProfileRow[] = [];
    await this.o.store.scanProfiles((p) => rows.push(p));
    // The order of the records shapes blocking and EM slightly: sorted, the same profiles give the same run.
    rows.sort((a, b) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0));
    const input = recordsOfProfiles(rows, this.traitRoles);
    const summary: MatchRunSummary = {
      profiles: input.ids.length,
      fields: Object.keys(input.columns),
      candidatePairs: 0,
      autoMergeAt,
      reviewAt,
      autoPairs: 0,
      demoted: 0,
      merged: 0,
      reviewPairs: 0,
      queued: 0,
      refused: 0,
      blocked: 0,
      dryRun: opts.dryRun === true,
      seconds: 0,
      examples: [],
    };
    if (input.ids.length >= 2) {
      const result = await matchRecords(input, { ...DEFAULT_OPTIONS, threshold: reviewAt }, { workers: 'auto' });
      summary.candidatePairs = result.summary.candidatePairs;
      const pairs = matchedPairs(result);
      const auto = pairs.filter((p) => p.probability >= autoMergeAt && enoughEvidence(p));
      const review = pairs.filter((p) => p.probability < autoMergeAt || !enoughEvidence(p));
      summary.demoted = pairs.length - auto.length - pairs.filter((p) => p.probability < autoMergeAt).length;
      summary.autoPairs = auto.length;
      summary.reviewPairs = review.length;
      if (summary.dryRun) {
        summary.examples = auto.slice(0, 20);
      } else {
        const queue: ReviewPairRow[] = [];
        await this.o.writer.runGraphTask(async (ctx) => {
          for (const p of auto) {
            if (ctx.graph.isBlocked(p.a, p.b)) {
              summary.blocked++;
              continue;
            }
            const r = ctx.graph.mergePair(p.a, p.b, 'match', { ...p.evidence, reason: 'matched profiles' }, { at: ctx.now, actor: opts.actor, messageId: null });
            if (r.ok) {
              ctx.batch.merges.push(r.merge);
              ctx.batch.audit.push({ ...r.audit, reason: `matched (probability ${p.probability.toFixed(4)})` });
              summary.merged++;
              if (summary.examples.length < 20) summary.examples.push(p);
            } else if (r.code === 'identity.merge_refused') summary.refused++;
          }
          for (const p of review) {
            if (ctx.graph.isBlocked(p.a, p.b)) {
              summary.blocked++;
              continue;
            }
            // Made one profile by the merges above: nothing left to review.
            if (ctx.graph.canonical(p.a) === ctx.graph.canonical(p.b)) continue;
            queue.push({
              pairId: `rev_${randomUUID().replaceAll('-', '')}`,
              createdAt: ctx.now,
              a: p.a,
              b: p.b,
              probability: p.probability,
              evidence: p.evidence,
              status: 'pending',
              decidedAt: null,
              decidedBy: null,
              mergeId: null,
            });
          }
        });
        summary.queued = await this.o.store.addReviewPairs(queue);
      }
    }
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }

  listReview(q: { status?: ReviewStatus | undefined; limit: number; offset?: number | undefined }): Promise<{ total: number; items: ReviewPairRow[] }> {
    return this.o.store.listReviewPairs(q);
  }

  /** A pair with both records side by side, as they are now. */
  async reviewDetail(pairId: string): Promise<Result<ReviewDetail, IdentityError>> {
    const pair = await this.o.store.getReviewPair(pairId);
    if (!pair) return err({ code: 'identity.review_not_found', message: `No review pair has the id ${pairId}.` });
    const fields = async (id: ProfileId): Promise<Record<string, string>> => {
      let row = await this.o.store.getProfile(id);
      for (let hops = 0; row?.mergedInto && hops < 64; hops++) row = await this.o.store.getProfile(row.mergedInto);
      return row ? (matchFieldsOf(row, this.traitRoles) as Record<string, string>) : {};
    };
    return ok({ pair, records: { a: await fields(pair.a), b: await fields(pair.b) } });
  }

  /** Accepts (merges the two, the match as evidence) or rejects a pending pair. */
  async decideReview(pairId: string, decision: 'accept' | 'reject', actor: string): Promise<Result<ReviewPairRow, IdentityError>> {
    const pair = await this.o.store.getReviewPair(pairId);
    if (!pair) return err({ code: 'identity.review_not_found', message: `No review pair has the id ${pairId}.` });
    if (pair.status !== 'pending') {
      return err({ code: 'identity.review_decided', message: `The pair ${pairId} was ${pair.status} already (by ${pair.decidedBy ?? 'someone'}).` });
    }
    let mergeId: string | null = null;
    if (decision === 'accept') {
      const m = await this.merge(pair.a, pair.b, { actor, cause: 'match', evidence: { ...pair.evidence, reviewPair: pairId, reason: 'match accepted in review' } });
      if (m.ok) mergeId = m.value.edge.mergeId;
      else if (m.error.code !== 'identity.same_profile') return m;
    }
    const at = this.o.clock.now();
    await this.o.store.decideReviewPair(pairId, { status: decision === 'accept' ? 'accepted' : 'rejected', at, by: actor, mergeId });
    return ok({ ...pair, status: decision === 'accept' ? 'accepted' : 'rejected', decidedAt: at, decidedBy: actor, mergeId });
  }

  /** The merges a profile took part in (as survivor or as the merged one), oldest first. */
  async mergesOf(id: ProfileId): Promise<MergeEdgeRow[]> {
    return this.o.store.mergeEdgesOf([id]);
  }

  async getMerge(mergeId: string): Promise<MergeEdgeRow | null> {
    return this.o.store.getMergeEdge(mergeId);
  }

  /** The profile and every profile merged into it, directly or not, by merges still in force. */
  private async treeOf(root: ProfileId): Promise<ProfileId[]> {
    const out: ProfileId[] = [root];
    let frontier: ProfileId[] = [root];
    for (let depth = 0; frontier.length > 0 && depth < 64; depth++) {
      const edges = await this.o.store.activeMergesInto(frontier);
      frontier = edges.map((e) => e.loser).filter((p) => !out.includes(p));
      out.push(...frontier);
    }
    return out;
  }
}

/**
 * Copies into `rebuilt` the keys of `current` set after `since` that `rebuilt` does not already explain and that
 * are not the restored side's (same value and time).
 */
function keepUnexplained(rebuilt: TraitState, current: TraitState, restored: TraitState, since: string): void {
  for (const [k, v] of Object.entries(current.values)) {
    const t = current.times[k];
    if (t === undefined || t <= since) continue;
    if (rebuilt.times[k] === t) continue;
    if (restored.times[k] === t && JSON.stringify(restored.values[k]) === JSON.stringify(v)) continue;
    rebuilt.values[k] = v;
    rebuilt.times[k] = t;
  }
}
