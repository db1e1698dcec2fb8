import { listValue, timestampTZValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { ProfileId } from '../../kernel/index.js';
import type { Compaction, EventScanFilter, MembershipChangeRow, ProfileRow, ScoreRow, SegmentEngineState, SegmentRow, SegmentWrites, SqlQuery } from '../port.js';
import { date, dateOrNull, jsonObject, num, str, traitState, type Row } from './rows.js';

const tsValue = (d: Date) => timestampTZValue(BigInt(d.getTime()) * 1000n);

export type ReadFn = (sql: string, params?: DuckDBValue[]) => Promise<Row[]>;
export type StreamFn = (sql: string, params: DuckDBValue[], each: (rows: Row[]) => void) => Promise<void>;

/** Event properties for the live engine's history scan: our own JSON, checked for shape only (millions of rows). */
function plainObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string') return {};
  const o: unknown = JSON.parse(v);
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : {};
}

function appendScoreCells(a: DuckDBAppender, r: ScoreRow): void {
  a.appendVarchar(r.profileId);
  a.appendVarchar(JSON.stringify(r.scores));
  if (r.state === null || r.state === undefined) a.appendNull();
  else a.appendVarchar(JSON.stringify(r.state));
  a.appendTimestampTZ(tsValue(r.at));
  a.endRow();
}

function segmentRow(r: Row): SegmentRow {
  const kind = str(r.kind, 'kind');
  if (kind !== 'rule' && kind !== 'manual') throw new Error(`Unknown segment kind ${kind}`);
  const def = r.definition;
  return {
    segmentId: str(r.segment_id, 'segment_id'),
    name: str(r.name, 'name'),
    description: str(r.description, 'description'),
    kind,
    definition: def === null || def === undefined ? null : (JSON.parse(str(def, 'definition')) as unknown),
    createdAt: date(r.created_at, 'created_at'),
    updatedAt: date(r.updated_at, 'updated_at'),
  };
}

function changeRow(r: Row): MembershipChangeRow {
  const change = str(r.change, 'change');
  if (change !== 'entered' && change !== 'exited') throw new Error(`Unknown change ${change}`);
  return {
    seq: num(r.seq, 'seq'),
    segmentId: str(r.segment_id, 'segment_id'),
    profileId: ProfileId(str(r.profile_id, 'profile_id')),
    change,
    at: date(r.changed_at, 'changed_at'),
    reason: JSON.parse(str(r.reason, 'reason')) as unknown,
  };
}

/** Segment tables of the DuckDB store: reads on the reader connection, writes inside the commit transaction. */
export class DuckDbSegmentTables {
  /** Appenders stay open between commits (creating one costs a round trip); flushed inside each transaction. */
  private changesAppender: DuckDBAppender | null = null;
  private scoreLogAppender: DuckDBAppender | null = null;

  /** Drops the open appenders: after a failed commit (they may hold its rows) and before closing. */
  dropAppenders(): void {
    for (const a of [this.changesAppender, this.scoreLogAppender]) {
      try {
        a?.closeSync();
      } catch {
        // closing flushes; a failure here repeats the one being handled
      }
    }
    this.changesAppender = null;
    this.scoreLogAppender = null;
  }

  constructor(
    private readonly read: ReadFn,
    private readonly stream: StreamFn,
  ) {}

  async write(w: DuckDBConnection, s: SegmentWrites): Promise<void> {
    for (const id of [...s.deletes, ...s.upserts.map((u) => u.segmentId)]) {
      await w.run('DELETE FROM segments WHERE segment_id = $1', [id]);
    }
    for (const id of s.deletes) await w.run('DELETE FROM segment_members WHERE segment_id = $1', [id]);
    for (const u of s.upserts) {
      await w.run('INSERT INTO segments VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ, $7::TIMESTAMPTZ)', [
        u.segmentId,
        u.name,
        u.description,
        u.kind,
        u.definition === null ? null : JSON.stringify(u.definition),
        u.createdAt.toISOString(),
        u.updatedAt.toISOString(),
      ]);
    }
    if (s.changes.length > 0) {
      const a = (this.changesAppender ??= await w.createAppender('segment_changes'));
      for (const c of s.changes) {
        a.appendBigInt(BigInt(c.seq));
        a.appendVarchar(c.segmentId);
        a.appendVarchar(c.profileId);
        a.appendVarchar(c.change);
        a.appendTimestampTZ(tsValue(c.at));
        a.appendVarchar(JSON.stringify(c.reason));
        a.endRow();
      }
      a.flushSync();
    }
    if (s.scoreLog.length > 0) {
      const a = (this.scoreLogAppender ??= await w.createAppender('score_log'));
      for (const r of s.scoreLog) {
        a.appendBigInt(BigInt(r.n));
        appendScoreCells(a, r);
      }
      a.flushSync();
    }
    if (s.compaction) await this.compact(w, s.compaction);
    const lastSeq = s.changes.length > 0 ? (s.changes[s.changes.length - 1] as MembershipChangeRow).seq : null;
    await w.run(
      'UPDATE segment_engine SET watermark = $1::TIMESTAMPTZ, last_seq = coalesce($2, last_seq), members_seq = coalesce($3, members_seq)',
      [s.watermark.toISOString(), lastSeq, s.compaction?.membersSeq ?? null],
    );
  }

  /** One join per table, whatever the number of rows: every touched key is deleted, current ones inserted again. */
  private async compact(w: DuckDBConnection, c: Compaction): Promise<void> {
    if (c.members.length > 0) {
      // The touched keys go through the appender into a scratch table (list parameters of a million values are slow
      // to build), then one join deletes them.
      await w.run('CREATE TEMP TABLE IF NOT EXISTS compact_keys (segment_id VARCHAR, profile_id VARCHAR)');
      await w.run('DELETE FROM compact_keys');
      const k = await w.createAppender('compact_keys', 'main', 'temp');
      for (const r of c.members) {
        k.appendVarchar(r.segmentId);
        k.appendVarchar(r.profileId);
        k.endRow();
      }
      k.closeSync();
      await w.run(
        `DELETE FROM segment_members USING compact_keys x
         WHERE segment_members.segment_id = x.segment_id AND segment_members.profile_id = x.profile_id`,
      );
      const m = await w.createAppender('segment_members');
      for (const r of c.members) {
        if (r.since === null) continue;
        m.appendVarchar(r.segmentId);
        m.appendVarchar(r.profileId);
        m.appendTimestampTZ(tsValue(r.since));
        m.endRow();
      }
      m.closeSync();
    }
    if (c.scores.length > 0) {
      await w.run('DELETE FROM profile_scores WHERE profile_id IN (SELECT unnest($1::VARCHAR[]))', [listValue(c.scores.map((r) => r.profileId))]);
      const a = await w.createAppender('profile_scores');
      for (const r of c.scores) appendScoreCells(a, r);
      a.closeSync();
    }
    await w.run('DELETE FROM score_log');
  }

  async listSegments(): Promise<SegmentRow[]> {
    return (await this.read('SELECT * FROM segments ORDER BY created_at, segment_id')).map(segmentRow);
  }

  async segmentEngineState(): Promise<SegmentEngineState> {
    const r = (await this.read('SELECT watermark, last_seq, members_seq FROM segment_engine'))[0];
    return {
      watermark: r ? dateOrNull(r.watermark, 'watermark') : null,
      lastSeq: r ? num(r.last_seq, 'last_seq') : 0,
      membersSeq: r ? num(r.members_seq, 'members_seq') : 0,
    };
  }

  async scanChanges(afterSeq: number, each: (c: MembershipChangeRow) => void): Promise<void> {
    await this.stream('SELECT * FROM segment_changes WHERE seq > $1 ORDER BY seq', [afterSeq], (rows) => {
      for (const r of rows) each(changeRow(r));
    });
  }

  async loadMemberships(each: (segmentId: string, profileId: ProfileId, since: Date) => void): Promise<void> {
    await this.stream('SELECT segment_id, profile_id, since FROM segment_members', [], (rows) => {
      for (const r of rows) each(str(r.segment_id, 'segment_id'), ProfileId(str(r.profile_id, 'profile_id')), date(r.since, 'since'));
    });
  }

  async membersPage(segmentId: string, opts: { after?: string | undefined; limit: number }): Promise<{ profileId: ProfileId; since: Date }[]> {
    const rows = await this.read(
      `SELECT profile_id, since FROM segment_members WHERE segment_id = $1 AND ($2::VARCHAR IS NULL OR profile_id > $2)
       ORDER BY profile_id LIMIT $3`,
      [segmentId, opts.after ?? null, opts.limit],
    );
    return rows.map((r) => ({ profileId: ProfileId(str(r.profile_id, 'profile_id')), since: date(r.since, 'since') }));
  }

  async changesSince(seq: number, limit: number, segmentId?: string): Promise<MembershipChangeRow[]> {
    const rows = await this.read(
      `SELECT * FROM segment_changes WHERE seq > $1 AND ($2::VARCHAR IS NULL OR segment_id = $2) ORDER BY seq LIMIT $3`,
      [seq, segmentId ?? null, limit],
    );
    return rows.map(changeRow);
  }

  async sizeHistory(segmentId: string): Promise<{ day: string; entered: number; exited: number; size: number }[]> {
    const rows = await this.read(
      `SELECT strftime(d, '%Y-%m-%d') AS day, entered, exited,
         sum(entered - exited) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING) AS size
       FROM (SELECT date_trunc('day', changed_at) AS d,
               count(*) FILTER (WHERE change = 'entered') AS entered,
               count(*) FILTER (WHERE change = 'exited') AS exited
             FROM segment_changes WHERE segment_id = $1 GROUP BY 1)
       ORDER BY d`,
      [segmentId],
    );
    return rows.map((r) => ({ day: str(r.day, 'day'), entered: num(r.entered, 'entered'), exited: num(r.exited, 'exited'), size: num(r.size, 'size') }));
  }

  async dailySizes(from: Date, to: Date): Promise<{ segmentId: string; day: string; size: number }[]> {
    // Changes before `from` are folded into its day, so each segment's first row carries its size from before. Days
    // are counted in epoch arithmetic: date_trunc on a TIMESTAMPTZ goes through the time-zone library, far slower.
    const DAY = 86_400_000;
    const rows = await this.read(
      `SELECT segment_id, d, sum(delta) OVER (PARTITION BY segment_id ORDER BY d ROWS UNBOUNDED PRECEDING) AS size
       FROM (SELECT segment_id, greatest(epoch_ms(changed_at) // ${DAY}, $1) AS d,
               sum(CASE WHEN change = 'entered' THEN 1 ELSE -1 END) AS delta
             FROM segment_changes WHERE changed_at < $2::TIMESTAMPTZ GROUP BY 1, 2)
       ORDER BY segment_id, d`,
      [Math.floor(from.getTime() / DAY), to.toISOString()],
    );
    return rows.map((r) => ({
      segmentId: str(r.segment_id, 'segment_id'),
      day: new Date(num(r.d, 'd') * DAY).toISOString().slice(0, 10),
      size: num(r.size, 'size'),
    }));
  }

  async selectProfileIds(q: SqlQuery, opts: { limit?: number | undefined }): Promise<ProfileId[]> {
    const sql = `SELECT profile_id FROM (${q.sql}) q ORDER BY profile_id${opts.limit === undefined ? "" : ` LIMIT ${Math.floor(opts.limit)}`}`;
    return (await this.read(sql, q.params)).map((r) => ProfileId(str(r.profile_id, 'profile_id')));
  }

  async countProfiles(q: SqlQuery): Promise<number> {
    const r = (await this.read(`SELECT count(*) AS n FROM (${q.sql}) q`, q.params))[0];
    return r ? num(r.n, 'n') : 0;
  }

  async scanEvents(
    filter: EventScanFilter,
    each: (e: { profileId: ProfileId; type: string; event: string | null; ts: number; properties: Record<string, unknown> }) => void,
  ): Promise<void> {
    const kinds = filter.kinds;
    await this.stream(
      `SELECT profile_id, type, event, epoch_ms(ts) AS ts, properties FROM events
       WHERE ($1::BOOLEAN OR (type = 'track' AND list_contains(from_json($2::JSON, '["VARCHAR"]'), event))
              OR list_contains(from_json($3::JSON, '["VARCHAR"]'), type))
         AND ($4::TIMESTAMPTZ IS NULL OR ts > $4::TIMESTAMPTZ)
         AND ($5::JSON IS NULL OR list_contains(from_json($5::JSON, '["VARCHAR"]'), profile_id))`,
      [
        kinds === null,
        // JSON text, because an empty list parameter has no element type.
        JSON.stringify(kinds?.trackEvents ?? []),
        JSON.stringify(kinds?.callTypes ?? []),
        filter.since?.toISOString() ?? null,
        filter.profileIds === undefined ? null : JSON.stringify(filter.profileIds),
      ],
      (rows) => {
        for (const r of rows) {
          each({
            profileId: ProfileId(str(r.profile_id, 'profile_id')),
            type: str(r.type, 'type'),
            event: r.event === null ? null : str(r.event, 'event'),
            ts: num(r.ts, 'ts'),
            properties: plainObject(r.properties),
          });
        }
      },
    );
  }

  async orderTotals(q: { event: string; property: string; from: Date; to: Date }): Promise<{ profileId: ProfileId; last: Date; count: number; total: number }[]> {
    const rows = await this.read(
      `SELECT profile_id, max(ts) AS last, count(*) AS n,
         coalesce(sum(CASE WHEN json_type(properties, $2) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')
                           THEN CAST(json_extract_string(properties, $2) AS DOUBLE) END), 0) AS total
       FROM events WHERE type = 'track' AND event = $1 AND ts >= $3::TIMESTAMPTZ AND ts <= $4::TIMESTAMPTZ
       GROUP BY profile_id`,
      [q.event, `/${q.property.replaceAll('~', '~0').replaceAll('/', '~1')}`, q.from.toISOString(), q.to.toISOString()],
    );
    return rows.map((r) => ({
      profileId: ProfileId(str(r.profile_id, 'profile_id')),
      last: date(r.last, 'last'),
      count: num(r.n, 'n'),
      total: num(r.total, 'total'),
    }));
  }

  async scanScores(each: (r: ScoreRow) => void): Promise<void> {
    const sql = `SELECT profile_id, scores, state, updated_at FROM (
      SELECT 0 AS k, 0 AS n, * FROM profile_scores UNION ALL SELECT 1 AS k, n, profile_id, scores, state, updated_at FROM score_log
    ) ORDER BY k, n`;
    await this.stream(sql, [], (rows) => {
      for (const r of rows) {
        each({
          profileId: ProfileId(str(r.profile_id, 'profile_id')),
          scores: jsonObject(r.scores, 'scores'),
          state: r.state === null || r.state === undefined ? null : (JSON.parse(str(r.state, 'state')) as unknown),
          at: date(r.updated_at, 'updated_at'),
        });
      }
    });
  }

  async scanProfiles(each: (p: ProfileRow) => void): Promise<void> {
    await this.stream(
      `SELECT p.profile_id, p.created_at, p.updated_at, p.traits, p.trait_times, v.data, v.data_times
       FROM profiles p LEFT JOIN pii_vault v ON v.profile_id = p.profile_id WHERE p.merged_into IS NULL`,
      [],
      (rows) => {
        for (const r of rows) {
          each({
            profileId: ProfileId(str(r.profile_id, 'profile_id')),
            createdAt: date(r.created_at, 'created_at'),
            updatedAt: date(r.updated_at, 'updated_at'),
            mergedInto: null,
            traits: traitState(r.traits, r.trait_times, 'traits'),
            pii: traitState(r.data, r.data_times, 'data'),
          });
        }
      },
    );
  }
}
