import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { ProfileId } from '../../kernel/index.js';
import type { MergeEdgeRow, ProfileSnapshot, ReviewPairRow, ReviewStatus, TraitState, UnmergePlan } from '../port.js';
import { date, dateOrNull, jsonObject, num, str, strOrNull, type Row } from './rows.js';
import type { WriteFn } from './import-tables.js';

type Cell = Row[string] | undefined;
import type { ReadFn } from './segment-tables.js';

const TraitStateSchema = z.object({ values: z.record(z.string(), z.unknown()), times: z.record(z.string(), z.string()) });
const SideSchema = z.object({
  createdAt: z.string(),
  traits: TraitStateSchema,
  identities: z.array(z.object({ kind: z.enum(['user_id', 'anonymous_id', 'email']), value: z.string() })),
});
const Cause = z.enum(['event', 'manual', 'match']);
const Status = z.enum(['active', 'undone']);
const ReviewStatusSchema = z.enum(['pending', 'accepted', 'rejected']);

function reviewFromRow(r: Row): ReviewPairRow {
  return {
    pairId: str(r.pair_id, 'pair_id'),
    createdAt: date(r.created_at, 'created_at'),
    a: ProfileId(str(r.profile_a, 'profile_a')),
    b: ProfileId(str(r.profile_b, 'profile_b')),
    probability: num(r.probability, 'probability'),
    evidence: jsonObject(r.evidence, 'evidence'),
    status: ReviewStatusSchema.parse(str(r.status, 'status')),
    decidedAt: dateOrNull(r.decided_at, 'decided_at'),
    decidedBy: strOrNull(r.decided_by, 'decided_by'),
    mergeId: strOrNull(r.merge_id, 'merge_id'),
  };
}

const EDGE_COLUMNS = `m.merge_id, m.merged_at, m.winner_id, m.loser_id, m.cause, m.evidence, m.actor, m.message_id,
  m.winner_before, m.loser_before, m.status, m.undone_at, m.undone_by,
  w.data AS w_data, w.data_times AS w_times, l.data AS l_data, l.data_times AS l_times`;
const EDGE_FROM = `identity_merges m
  LEFT JOIN merge_pii_snapshots w ON w.merge_id = m.merge_id AND w.side = 'winner'
  LEFT JOIN merge_pii_snapshots l ON l.merge_id = m.merge_id AND l.side = 'loser'`;

function pii(data: Cell, times: Cell): TraitState {
  if (data === null || data === undefined) return { values: {}, times: {} };
  return TraitStateSchema.parse({ values: JSON.parse(str(data, 'data')), times: JSON.parse(str(times, 'data_times')) });
}

function side(json: Cell, column: string, data: Cell, times: Cell): ProfileSnapshot {
  const s = SideSchema.parse(JSON.parse(str(json, column)));
  return { ...s, pii: pii(data, times) };
}

function edgeFromRow(r: Row): MergeEdgeRow {
  return {
    mergeId: str(r.merge_id, 'merge_id'),
    at: date(r.merged_at, 'merged_at'),
    winner: ProfileId(str(r.winner_id, 'winner_id')),
    loser: ProfileId(str(r.loser_id, 'loser_id')),
    cause: Cause.parse(str(r.cause, 'cause')),
    evidence: jsonObject(r.evidence, 'evidence'),
    actor: str(r.actor, 'actor'),
    messageId: strOrNull(r.message_id, 'message_id'),
    winnerBefore: side(r.winner_before, 'winner_before', r.w_data, r.w_times),
    loserBefore: side(r.loser_before, 'loser_before', r.l_data, r.l_times),
    status: Status.parse(str(r.status, 'status')),
    undoneAt: dateOrNull(r.undone_at, 'undone_at'),
    undoneBy: strOrNull(r.undone_by, 'undone_by'),
  };
}

const sideJson = (s: ProfileSnapshot): string => JSON.stringify({ createdAt: s.createdAt, traits: s.traits, identities: s.identities });

/**
 * The events an unmerge gives back, as one SQL condition over `events` (parameters $1..$6): those first resolved to
 * a profile of the restored tree, and those received after the merge whose userId (or, lacking one, anonymousId)
 * is the restored side's. The same text selects and moves them, so what is read is what moves.
 */
const MOVES_BACK = `profile_id = $1 AND (
  list_contains(from_json($2::JSON, '["VARCHAR"]'), origin_profile_id)
  OR (received_at > $3::TIMESTAMPTZ AND (
    list_contains(from_json($4::JSON, '["VARCHAR"]'), user_id)
    OR (user_id IS NULL AND list_contains(from_json($5::JSON, '["VARCHAR"]'), anonymous_id)))))`;

function movesParams(p: UnmergePlan): DuckDBValue[] {
  return [
    p.survivor,
    JSON.stringify(p.restoredTree),
    p.mergedAt.toISOString(),
    JSON.stringify(p.restoredUserIds),
    JSON.stringify(p.restoredAnonymousIds),
  ];
}

/** identity_merges and merge_pii_snapshots: the recorded edges of the identity graph, and unmerge. */
export class DuckDbIdentityTables {
  constructor(
    private readonly read: ReadFn,
    private readonly write: WriteFn,
  ) {}

  async addReviewPairs(rows: readonly ReviewPairRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const before = await this.countReview();
    await this.write([
      {
        sql: `INSERT INTO identity_review
              SELECT n.* FROM (SELECT unnest($1::VARCHAR[]) AS pair_id, $2::TIMESTAMPTZ AS created_at, unnest($3::VARCHAR[]) AS profile_a,
                unnest($4::VARCHAR[]) AS profile_b, unnest(from_json($5::JSON, '["DOUBLE"]')) AS probability,
                unnest($6::VARCHAR[])::JSON AS evidence,
                'pending' AS status, NULL::TIMESTAMPTZ AS decided_at, NULL::VARCHAR AS decided_by, NULL::VARCHAR AS merge_id) n
              WHERE NOT EXISTS (SELECT 1 FROM identity_review q WHERE q.profile_a = n.profile_a AND q.profile_b = n.profile_b)`,
        params: [
          listValue(rows.map((r) => r.pairId)),
          (rows[0] as ReviewPairRow).createdAt.toISOString(),
          listValue(rows.map((r) => r.a)),
          listValue(rows.map((r) => r.b)),
          // As JSON text: a list of JS numbers would be bound as integers.
          JSON.stringify(rows.map((r) => r.probability)),
          listValue(rows.map((r) => JSON.stringify(r.evidence))),
        ],
      },
    ]);
    return (await this.countReview()) - before;
  }

  private async countReview(): Promise<number> {
    const rows = await this.read('SELECT count(*) AS n FROM identity_review');
    return num(rows[0]?.n ?? 0, 'n');
  }

  async listReviewPairs(q: { status?: ReviewStatus | undefined; limit: number; offset?: number | undefined }): Promise<{ total: number; items: ReviewPairRow[] }> {
    const status = q.status ?? null;
    const total = await this.read('SELECT count(*) AS n FROM identity_review WHERE $1::VARCHAR IS NULL OR status = $1', [status]);
    const rows = await this.read(
      `SELECT * FROM identity_review WHERE $1::VARCHAR IS NULL OR status = $1
       ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, probability DESC, pair_id LIMIT $2 OFFSET $3`,
      [status, q.limit, q.offset ?? 0],
    );
    return { total: num(total[0]?.n ?? 0, 'n'), items: rows.map(reviewFromRow) };
  }

  async getReviewPair(pairId: string): Promise<ReviewPairRow | null> {
    const rows = await this.read('SELECT * FROM identity_review WHERE pair_id = $1', [pairId]);
    return rows[0] ? reviewFromRow(rows[0]) : null;
  }

  async decideReviewPair(pairId: string, d: { status: 'accepted' | 'rejected'; at: Date; by: string; mergeId: string | null }): Promise<void> {
    await this.write([
      {
        sql: `UPDATE identity_review SET status = $2, decided_at = $3::TIMESTAMPTZ, decided_by = $4, merge_id = $5 WHERE pair_id = $1`,
        params: [pairId, d.status, d.at.toISOString(), d.by, d.mergeId],
      },
    ]);
  }

  /** Appends the edges of a commit (inside its transaction, before the merges move anything). */
  static async appendEdges(w: DuckDBConnection, edges: readonly MergeEdgeRow[]): Promise<void> {
    if (edges.length === 0) return;
    const a = await w.createAppender('identity_merges');
    for (const e of edges) {
      a.appendVarchar(e.mergeId);
      a.appendVarchar(e.at.toISOString());
      a.appendVarchar(e.winner);
      a.appendVarchar(e.loser);
      a.appendVarchar(e.cause);
      a.appendVarchar(JSON.stringify(e.evidence));
      a.appendVarchar(e.actor);
      if (e.messageId === null) a.appendNull();
      else a.appendVarchar(e.messageId);
      a.appendVarchar(sideJson(e.winnerBefore));
      a.appendVarchar(sideJson(e.loserBefore));
      a.appendVarchar(e.status);
      a.appendNull();
      a.appendNull();
      a.endRow();
    }
    a.closeSync();
    const v = await w.createAppender('merge_pii_snapshots');
    for (const e of edges) {
      for (const [name, s] of [['winner', e.winnerBefore], ['loser', e.loserBefore]] as const) {
        if (Object.keys(s.pii.values).length === 0) continue;
        v.appendVarchar(e.mergeId);
        v.appendVarchar(name);
        v.appendVarchar(JSON.stringify(s.pii.values));
        v.appendVarchar(JSON.stringify(s.pii.times));
        v.endRow();
      }
    }
    v.closeSync();
  }

  /** Everything an unmerge writes, inside the caller's transaction. Returns the number of events moved. */
  static async applyUnmerge(w: DuckDBConnection, p: UnmergePlan): Promise<number> {
    const moved = await w.runAndReadAll(`SELECT count(*) AS n FROM events WHERE ${MOVES_BACK}`, movesParams(p));
    const n = Number(moved.getRowObjectsJS()[0]?.n ?? 0);
    await w.run(`UPDATE events SET profile_id = $6 WHERE ${MOVES_BACK}`, [...movesParams(p), p.restored]);
    await w.run(
      `UPDATE identities SET profile_id = $2
       WHERE profile_id = $1 AND list_contains(from_json($3::JSON, '["VARCHAR"]'), kind || ':' || value)`,
      [p.survivor, p.restored, JSON.stringify(p.identities.map((i) => `${i.kind}:${i.value}`))],
    );
    // Account memberships come from group calls only: both sides get exactly those of their events again.
    const both = listValue([p.survivor, p.restored]);
    await w.run('DELETE FROM account_members WHERE profile_id IN (SELECT unnest($1::VARCHAR[]))', [both]);
    await w.run(
      `INSERT INTO account_members
       SELECT group_id, profile_id, min(ts) FROM events
       WHERE profile_id IN (SELECT unnest($1::VARCHAR[])) AND type = 'group' AND group_id IS NOT NULL
       GROUP BY group_id, profile_id`,
      [both],
    );
    await w.run(`UPDATE identity_merges SET status = 'undone', undone_at = $2::TIMESTAMPTZ, undone_by = $3 WHERE merge_id = $1`, [
      p.mergeId,
      p.at.toISOString(),
      p.actor,
    ]);
    return n;
  }

  async getMergeEdge(mergeId: string): Promise<MergeEdgeRow | null> {
    const rows = await this.read(`SELECT ${EDGE_COLUMNS} FROM ${EDGE_FROM} WHERE m.merge_id = $1`, [mergeId]);
    return rows[0] ? edgeFromRow(rows[0]) : null;
  }

  async mergeEdgesOf(ids: readonly ProfileId[]): Promise<MergeEdgeRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.read(
      `SELECT ${EDGE_COLUMNS} FROM ${EDGE_FROM}
       WHERE m.winner_id IN (SELECT unnest($1::VARCHAR[])) OR m.loser_id IN (SELECT unnest($1::VARCHAR[]))
       ORDER BY m.merged_at, m.merge_id`,
      [listValue([...ids])],
    );
    return rows.map(edgeFromRow);
  }

  async activeMergesInto(ids: readonly ProfileId[]): Promise<MergeEdgeRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.read(
      `SELECT ${EDGE_COLUMNS} FROM ${EDGE_FROM}
       WHERE m.status = 'active' AND m.winner_id IN (SELECT unnest($1::VARCHAR[]))
       ORDER BY m.merged_at, m.merge_id`,
      [listValue([...ids])],
    );
    return rows.map(edgeFromRow);
  }

  /** Pairs split by an unmerge (undone edges), for the identity graph to keep apart. */
  async blockedPairs(): Promise<{ a: ProfileId; b: ProfileId }[]> {
    const rows = await this.read(`SELECT winner_id, loser_id FROM identity_merges WHERE status = 'undone'`);
    return rows.map((r) => ({ a: ProfileId(str(r.winner_id, 'winner_id')), b: ProfileId(str(r.loser_id, 'loser_id')) }));
  }

  async unmergeIdentifyTraits(
    p: UnmergePlan,
  ): Promise<{ restored: { traits: Record<string, unknown>; at: Date }[]; survivor: { traits: Record<string, unknown>; at: Date }[] }> {
    const rows = await this.read(
      `SELECT traits, ts, (${MOVES_BACK}) AS moves FROM events WHERE profile_id = $1 AND type = 'identify' ORDER BY ts, seq`,
      movesParams(p),
    );
    const out = { restored: [] as { traits: Record<string, unknown>; at: Date }[], survivor: [] as { traits: Record<string, unknown>; at: Date }[] };
    for (const r of rows) (r.moves === true ? out.restored : out.survivor).push({ traits: jsonObject(r.traits, 'traits'), at: date(r.ts, 'ts') });
    return out;
  }
}
