import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBInstance,
  listValue,
  timestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { z } from 'zod';
import { AccountId, AppError, ProfileId, QuarantineId, type Logger } from '../../kernel/index.js';
import type {
  AccountRow,
  ApiKeyRow,
  CommitBatch,
  EventFilter,
  EventView,
  IdentityAuditRow,
  IdentityKind,
  IdentitySnapshot,
  ProfileActivity,
  ProfileRow,
  QuarantineEntry,
  QuarantineQuery,
  RecentEventRow,
  Stats,
  Store,
  TraitState,
  UnmergePlan,
} from '../port.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import { DuckDbIdentityTables } from './identity-tables.js';
import { DuckDbImportTables } from './import-tables.js';
import { DuckDbModelTables } from './model-tables.js';
import { DuckDbSegmentTables } from './segment-tables.js';
import { duckDbDialect } from './segment-dialect.js';
import { bool, date, dateOrNull, jsonObject, jsonStrings, num, str, strOrNull, traitState, type Row } from './rows.js';

const Scopes = z.array(z.enum(['track', 'read', 'manage']));

/** The columns of an event as the API shows it, as eventView reads them. */
const EVENT_COLUMNS = `message_id, source_id, type, event, user_id, anonymous_id, group_id, ts, original_timestamp, sent_at,
  received_at, message_id_generated, properties, traits, context, integrations, extra`;

/** JSON text of an object; most events leave several fields empty, and those need no serialiser call. */
function json(o: Record<string, unknown>): string {
  for (const _ in o) return JSON.stringify(o);
  return '{}';
}

const micros = (d: Date): bigint => BigInt(d.getTime()) * 1000n;
const tsValue = (d: Date) => timestampTZValue(micros(d));
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Serialises users of one connection: DuckDB runs one statement at a time per connection. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export interface DuckDbStoreOptions {
  /** A file path, or ':memory:'. */
  path: string;
  logger: Logger;
  /** DuckDB's memory_limit (its buffer pool), such as '1GB'; DuckDB's own default (80 % of RAM) when absent. */
  memoryLimit?: string | undefined;
}

/** Opens (creating when absent) a DuckDB database, applies migrations, and returns the Store. */
export async function openDuckDbStore(opts: DuckDbStoreOptions): Promise<Store> {
  const path = opts.path === ':memory:' ? ':memory:' : resolve(opts.path);
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (cause) {
      throw new AppError('store.open_failed', `Cannot create the folder for ${path}.`, { cause });
    }
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, opts.memoryLimit ? { memory_limit: opts.memoryLimit } : undefined);
  } catch (cause) {
    const text = cause instanceof Error ? cause.message : String(cause);
    if (/lock/i.test(text)) {
      throw new AppError('store.locked', `The database ${path} is in use by another process.`, { cause });
    }
    throw new AppError('store.open_failed', `Cannot open the database ${path}: ${text.split('\n')[0]}`, { cause });
  }
  const writer = await instance.connect();
  const reader = await instance.connect();
  // Date strings without a zone are UTC for the segment compiler, whatever the machine's zone.
  for (const c of [writer, reader]) await c.run("SET TimeZone = 'UTC'");
  const store = new DuckDbStore(path, instance, writer, reader, opts.logger);
  try {
    await store.migrate();
    await store.loadEventSeq();
  } catch (e) {
    // A refused open (schema too new, failed migration) must not keep the file open and locked.
    writer.closeSync();
    reader.closeSync();
    instance.closeSync();
    throw e;
  }
  return store;
}

class DuckDbStore implements Store {
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();
  private readonly inSnapshot = new AsyncLocalStorage<true>();
  /**
   * The events appender stays open between commits: creating one is a round trip through the event loop, and under
   * load each round trip waits behind the HTTP requests being parsed. It is flushed inside every transaction.
   */
  private eventsAppender: DuckDBAppender | null = null;
  /** The seq of the last event appended (the receive order); a failed commit leaves a gap, never a repeat. */
  private lastEventSeq = 0;
  readonly dialect = duckDbDialect;
  private readonly importTables = new DuckDbImportTables(
    (sql, params) => this.read(sql, params),
    (statements) =>
      this.writeLock.run(async () => {
        for (const st of statements) await this.writer.run(st.sql, st.params);
      }),
  );
  private readonly modelTables = new DuckDbModelTables(
    (sql, params) => this.read(sql, params),
    (statements) =>
      this.writeLock.run(async () => {
        for (const st of statements) await this.writer.run(st.sql, st.params);
      }),
  );
  private readonly identityTables = new DuckDbIdentityTables(
    (sql, params) => this.read(sql, params),
    (statements) =>
      this.writeLock.run(async () => {
        for (const st of statements) await this.writer.run(st.sql, st.params);
      }),
  );
  private readonly segmentTables = new DuckDbSegmentTables(
    (sql, params) => this.read(sql, params),
    (sql, params, each) => this.streamRead(sql, params, each),
  );

  constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly logger: Logger,
  ) {}

  async migrate(): Promise<void> {
    await this.writer.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)',
    );
    const rows = (await this.writer.runAndReadAll('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).getRowObjectsJS();
    const current = num(rows[0]?.v ?? 0, 'version');
    if (current > LATEST_SCHEMA_VERSION) {
      throw new AppError(
        'store.schema_too_new',
        `The database ${this.path} has schema version ${current}, newer than this Segmentum knows (${LATEST_SCHEMA_VERSION}).`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await this.writer.run('BEGIN TRANSACTION');
      try {
        for (const sql of m.statements) await this.writer.run(sql);
        await this.writer.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.name]);
        await this.writer.run('COMMIT');
        this.logger.info({ version: m.version, name: m.name }, 'migration applied');
      } catch (cause) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw new AppError('store.open_failed', `Migration ${m.version} (${m.name}) failed.`, { cause });
      }
    }
  }

  async loadEventSeq(): Promise<void> {
    const rows = (await this.writer.runAndReadAll('SELECT coalesce(max(seq), 0) AS s FROM events')).getRowObjectsJS();
    this.lastEventSeq = num(rows[0]?.s ?? 0, 'seq');
  }

  private read(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    const run = async () => (await this.reader.runAndReadAll(sql, params)).getRowObjectsJS();
    // Inside readSnapshot the lock is already held and the reads share its transaction.
    return this.inSnapshot.getStore() ? run() : this.readLock.run(run);
  }

  /** Reads a large result chunk by chunk, holding the read lock until done. */
  private streamRead(sql: string, params: DuckDBValue[], each: (rows: Row[]) => void): Promise<void> {
    const run = async () => {
      const result = await this.reader.stream(sql, params);
      for await (const rows of result.yieldRowObjectJs()) each(rows);
    };
    return this.inSnapshot.getStore() ? run() : this.readLock.run(run);
  }

  readSnapshot<T>(fn: () => Promise<T>): Promise<T> {
    return this.readLock.run(() =>
      this.inSnapshot.run(true, async () => {
        await this.reader.run('BEGIN TRANSACTION');
        try {
          return await fn();
        } finally {
          await this.reader.run('COMMIT');
        }
      }),
    );
  }

  // ---------------------------------------------------------------- writes

  commit(batch: CommitBatch): Promise<void> {
    return this.writeLock.run(async () => {
      const w = this.writer;
      await w.run('BEGIN TRANSACTION');
      try {
        await this.appendEvents(batch);
        await this.appendQuarantine(batch);
        for (const u of batch.quarantineUpdates) {
          await w.run(
            `UPDATE quarantine SET status = $1, code = $2, message = $3, path = $4, replay_count = replay_count + 1,
               last_replay_at = $5::TIMESTAMPTZ WHERE id = $6`,
            [u.status, u.code, u.message, u.path, u.at.toISOString(), u.id],
          );
        }
        if (batch.identityLinks.length > 0) {
          const a = await w.createAppender('identities');
          for (const l of batch.identityLinks) {
            a.appendVarchar(l.kind);
            a.appendVarchar(l.value);
            a.appendVarchar(l.profileId);
            a.appendTimestampTZ(tsValue(l.at));
            a.endRow();
          }
          a.closeSync();
        }
        for (const m of batch.memberships) {
          await w.run(
            `INSERT INTO account_members SELECT $1, $2, $3::TIMESTAMPTZ
             WHERE NOT EXISTS (SELECT 1 FROM account_members WHERE account_id = $1 AND profile_id = $2)`,
            [m.accountId, m.profileId, m.at.toISOString()],
          );
        }
        if (batch.mergeEdges && batch.mergeEdges.length > 0) await DuckDbIdentityTables.appendEdges(w, batch.mergeEdges);
        if (batch.merges.length > 0) await this.applyMerges(batch.merges);
        await this.replaceProfiles(batch.profiles);
        await this.replaceAccounts(batch.accounts);
        await this.appendAudit(batch.audit);
        if (batch.segments) await this.segmentTables.write(w, batch.segments);
        if (batch.duplicates > 0) {
          await w.run(`UPDATE counters SET value = value + $1 WHERE name = 'duplicates'`, [batch.duplicates]);
        }
        await w.run('COMMIT');
      } catch (cause) {
        // An appender that failed may hold rows of the failed batch: it is dropped, not reused.
        const stale = this.eventsAppender;
        this.eventsAppender = null;
        try {
          stale?.closeSync();
        } catch {
          // closing flushes; an error here only repeats the one being reported
        }
        this.segmentTables.dropAppenders();
        await w.run('ROLLBACK').catch(() => undefined);
        throw cause;
      }
    });
  }

  /**
   * Moves events, identities and memberships of merged-away profiles to the profile that absorbed them, one
   * statement per table whatever the number of merges (chains such as A<-B<-C are resolved to their end first).
   */
  private async applyMerges(merges: CommitBatch['merges']): Promise<void> {
    const to = new Map<string, string>();
    for (const m of merges) to.set(m.loser, m.winner);
    const final = (p: string): string => {
      let cur = p;
      for (let i = 0; i < 64 && to.has(cur); i++) cur = to.get(cur) as string;
      return cur;
    };
    const losers = [...to.keys()];
    const params = [listValue(losers), listValue(losers.map(final))];
    const map = 'SELECT unnest($1::VARCHAR[]) AS loser, unnest($2::VARCHAR[]) AS winner';
    const w = this.writer;
    await w.run(`UPDATE events SET profile_id = m.winner FROM (${map}) m WHERE events.profile_id = m.loser`, params);
    await w.run(`UPDATE identities SET profile_id = m.winner FROM (${map}) m WHERE identities.profile_id = m.loser`, params);
    await w.run(
      `DELETE FROM account_members WHERE EXISTS (
         SELECT 1 FROM (${map}) m JOIN account_members w ON w.profile_id = m.winner
         WHERE m.loser = account_members.profile_id AND w.account_id = account_members.account_id)`,
      params,
    );
    await w.run(`UPDATE account_members SET profile_id = m.winner FROM (${map}) m WHERE account_members.profile_id = m.loser`, params);
  }

  private async appendEvents(batch: CommitBatch): Promise<void> {
    if (batch.events.length === 0) return;
    const a = (this.eventsAppender ??= await this.writer.createAppender('events'));
    // Timestamps go in as ISO text: DuckDB casts them in C++, cheaper than building a value object per cell in JS.
    // (Sending the batch as one JSON document for DuckDB to parse measured slower under HTTP load: BENCHMARKS.md.)
    let lastReceived: Date | null = null;
    let receivedIso = '';
    for (const e of batch.events) {
      if (e.receivedAt !== lastReceived) {
        lastReceived = e.receivedAt;
        receivedIso = e.receivedAt.toISOString();
      }
      a.appendVarchar(e.messageId);
      a.appendVarchar(e.sourceId);
      a.appendVarchar(e.profileId);
      a.appendVarchar(e.type);
      appendNullable(a, e.event);
      appendNullable(a, e.userId);
      appendNullable(a, e.anonymousId);
      appendNullable(a, e.groupId);
      a.appendVarchar(e.timestamp.toISOString());
      appendNullable(a, e.originalTimestamp === null ? null : e.originalTimestamp.toISOString());
      appendNullable(a, e.sentAt === null ? null : e.sentAt.toISOString());
      a.appendVarchar(receivedIso);
      a.appendBoolean(e.messageIdGenerated);
      a.appendVarchar(json(e.properties));
      a.appendVarchar(json(e.traits));
      a.appendVarchar(json(e.context));
      a.appendVarchar(json(e.integrations));
      a.appendVarchar(json(e.extra));
      a.appendBigInt(BigInt(++this.lastEventSeq));
      a.appendVarchar(e.originProfileId ?? e.profileId);
      a.endRow();
    }
    a.flushSync();
  }

  private async appendQuarantine(batch: CommitBatch): Promise<void> {
    if (batch.quarantine.length === 0) return;
    const a = await this.writer.createAppender('quarantine');
    for (const q of batch.quarantine) {
      a.appendVarchar(q.id);
      a.appendTimestampTZ(tsValue(q.receivedAt));
      a.appendVarchar(q.sourceId);
      a.appendVarchar(q.code);
      a.appendVarchar(q.message);
      appendNullable(a, q.path);
      appendNullable(a, q.messageId);
      a.appendVarchar(q.raw);
      a.appendVarchar('pending');
      a.appendInteger(0);
      a.appendNull();
      a.endRow();
    }
    a.closeSync();
  }

  private async replaceProfiles(rows: ProfileRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ids = listValue(rows.map((r) => r.profileId));
    await this.writer.run('DELETE FROM profiles WHERE profile_id IN (SELECT unnest($1::VARCHAR[]))', [ids]);
    await this.writer.run('DELETE FROM pii_vault WHERE profile_id IN (SELECT unnest($1::VARCHAR[]))', [ids]);
    const a = await this.writer.createAppender('profiles');
    for (const r of rows) {
      a.appendVarchar(r.profileId);
      a.appendTimestampTZ(tsValue(r.createdAt));
      a.appendTimestampTZ(tsValue(r.updatedAt));
      appendNullable(a, r.mergedInto);
      a.appendVarchar(JSON.stringify(r.traits.values));
      a.appendVarchar(JSON.stringify(r.traits.times));
      a.endRow();
    }
    a.closeSync();
    const v = await this.writer.createAppender('pii_vault');
    for (const r of rows) {
      if (r.mergedInto !== null || Object.keys(r.pii.values).length === 0) continue;
      v.appendVarchar(r.profileId);
      v.appendVarchar(JSON.stringify(r.pii.values));
      v.appendVarchar(JSON.stringify(r.pii.times));
      v.appendTimestampTZ(tsValue(r.updatedAt));
      v.endRow();
    }
    v.closeSync();
  }

  private async replaceAccounts(rows: AccountRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ids = listValue(rows.map((r) => r.accountId));
    await this.writer.run('DELETE FROM accounts WHERE account_id IN (SELECT unnest($1::VARCHAR[]))', [ids]);
    const a = await this.writer.createAppender('accounts');
    for (const r of rows) {
      a.appendVarchar(r.accountId);
      a.appendTimestampTZ(tsValue(r.createdAt));
      a.appendTimestampTZ(tsValue(r.updatedAt));
      a.appendVarchar(JSON.stringify(r.traits.values));
      a.appendVarchar(JSON.stringify(r.traits.times));
      a.endRow();
    }
    a.closeSync();
  }

  private async appendAudit(rows: IdentityAuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    const a = await this.writer.createAppender('identity_audit');
    for (const r of rows) {
      a.appendTimestampTZ(tsValue(r.at));
      a.appendVarchar(r.action);
      a.appendVarchar(r.profileId);
      appendNullable(a, r.otherProfileId);
      a.appendVarchar(JSON.stringify(r.ids));
      a.appendVarchar(r.reason);
      a.appendVarchar(r.actor);
      appendNullable(a, r.messageId);
      a.endRow();
    }
    a.closeSync();
  }

  insertKey(row: ApiKeyRow): Promise<void> {
    // kind is what versions before scopes read; it summarises the scopes for someone looking at the table.
    const kind = row.scopes.includes('track') ? 'write' : row.scopes.includes('manage') ? 'admin' : 'read';
    return this.writeLock.run(async () => {
      await this.writer.run(
        `INSERT INTO api_keys (key_id, kind, key_hash, label, created_at, scopes, revoked_at, key_prefix, plain_key)
         VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, $6, $7::TIMESTAMPTZ, $8, $9)`,
        [
          row.keyId,
          kind,
          row.keyHash,
          row.label,
          row.createdAt.toISOString(),
          JSON.stringify(row.scopes),
          row.revokedAt ? row.revokedAt.toISOString() : null,
          row.prefix,
          row.plainKey,
        ],
      );
    });
  }

  revokeKey(keyId: string, at: Date): Promise<void> {
    return this.writeLock.run(async () => {
      await this.writer.run('UPDATE api_keys SET revoked_at = $2::TIMESTAMPTZ WHERE key_id = $1 AND revoked_at IS NULL', [keyId, at.toISOString()]);
    });
  }

  completeKey(keyId: string, fill: { prefix: string; plainKey: string | null }): Promise<void> {
    return this.writeLock.run(async () => {
      await this.writer.run('UPDATE api_keys SET key_prefix = $2, plain_key = coalesce(plain_key, $3) WHERE key_id = $1', [
        keyId,
        fill.prefix,
        fill.plainKey,
      ]);
    });
  }

  checkWritable(): Promise<void> {
    return this.writeLock.run(async () => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        await this.writer.run(`UPDATE counters SET value = value WHERE name = 'duplicates'`);
      } finally {
        await this.writer.run('ROLLBACK');
      }
    });
  }

  // ---------------------------------------------------------------- ingest reads

  async loadProfiles(ids: readonly ProfileId[]): Promise<Map<ProfileId, ProfileRow>> {
    const out = new Map<ProfileId, ProfileRow>();
    if (ids.length === 0) return out;
    const rows = await this.read(
      `SELECT p.profile_id, p.created_at, p.updated_at, p.merged_into, p.traits, p.trait_times, v.data, v.data_times
       FROM profiles p LEFT JOIN pii_vault v USING (profile_id)
       WHERE p.profile_id IN (SELECT unnest($1::VARCHAR[]))`,
      [listValue([...ids])],
    );
    for (const r of rows) {
      const row = profileFromRow(r);
      out.set(row.profileId, row);
    }
    return out;
  }

  async loadAccounts(ids: readonly AccountId[]): Promise<Map<AccountId, AccountRow>> {
    const out = new Map<AccountId, AccountRow>();
    if (ids.length === 0) return out;
    const rows = await this.read(
      `SELECT account_id, created_at, updated_at, traits, trait_times FROM accounts
       WHERE account_id IN (SELECT unnest($1::VARCHAR[]))`,
      [listValue([...ids])],
    );
    for (const r of rows) {
      const row = accountFromRow(r);
      out.set(row.accountId, row);
    }
    return out;
  }

  async loadIdentitySnapshot(): Promise<IdentitySnapshot> {
    const profiles = await this.read('SELECT profile_id, created_at, merged_into FROM profiles');
    const links = await this.read('SELECT kind, value, profile_id FROM identities');
    const snapshot: IdentitySnapshot = { profiles: [], links: [], mergedInto: [], blockedPairs: await this.identityTables.blockedPairs() };
    for (const r of profiles) {
      const id = ProfileId(str(r.profile_id, 'profile_id'));
      const merged = strOrNull(r.merged_into, 'merged_into');
      if (merged) snapshot.mergedInto.push({ loser: id, winner: ProfileId(merged) });
      else snapshot.profiles.push({ profileId: id, createdAt: date(r.created_at, 'created_at') });
    }
    for (const r of links) {
      snapshot.links.push({
        kind: identityKind(str(r.kind, 'kind')),
        value: str(r.value, 'value'),
        profileId: ProfileId(str(r.profile_id, 'profile_id')),
      });
    }
    return snapshot;
  }

  async loadRecentMessageIds(
    since: Date,
    each: (sourceId: string, messageId: string, receivedAt: Date) => void,
  ): Promise<void> {
    const rows = await this.read(
      'SELECT source_id, message_id, received_at FROM events WHERE received_at >= $1::TIMESTAMPTZ',
      [since.toISOString()],
    );
    for (const r of rows) each(str(r.source_id, 'source_id'), str(r.message_id, 'message_id'), date(r.received_at, 'received_at'));
  }

  // ---------------------------------------------------------------- profile reads

  async getProfile(id: ProfileId): Promise<ProfileRow | null> {
    return (await this.loadProfiles([id])).get(id) ?? null;
  }

  async findProfileByIdentity(kind: IdentityKind, value: string): Promise<ProfileId | null> {
    const rows = await this.read('SELECT profile_id FROM identities WHERE kind = $1 AND value = $2 LIMIT 1', [kind, value]);
    const r = rows[0];
    return r ? ProfileId(str(r.profile_id, 'profile_id')) : null;
  }

  async identitiesOf(id: ProfileId): Promise<{ kind: IdentityKind; value: string; firstSeen: string }[]> {
    const rows = await this.read(
      'SELECT kind, value, first_seen FROM identities WHERE profile_id = $1 ORDER BY first_seen, kind, value',
      [id],
    );
    return rows.map((r) => ({
      kind: identityKind(str(r.kind, 'kind')),
      value: str(r.value, 'value'),
      firstSeen: date(r.first_seen, 'first_seen').toISOString(),
    }));
  }

  async accountsOf(id: ProfileId): Promise<AccountRow[]> {
    const rows = await this.read(
      `SELECT a.account_id, a.created_at, a.updated_at, a.traits, a.trait_times
       FROM account_members m JOIN accounts a USING (account_id) WHERE m.profile_id = $1 ORDER BY a.account_id`,
      [id],
    );
    return rows.map(accountFromRow);
  }

  async activityOf(id: ProfileId): Promise<ProfileActivity> {
    const rows = await this.read(
      'SELECT type, count(*) AS n, min(ts) AS first_seen, max(ts) AS last_seen FROM events WHERE profile_id = $1 GROUP BY type',
      [id],
    );
    const activity: ProfileActivity = { firstSeen: null, lastSeen: null, eventCounts: {}, total: 0 };
    let first: Date | null = null;
    let last: Date | null = null;
    for (const r of rows) {
      const n = num(r.n, 'n');
      activity.eventCounts[str(r.type, 'type')] = n;
      activity.total += n;
      const f = date(r.first_seen, 'first_seen');
      const l = date(r.last_seen, 'last_seen');
      if (!first || f < first) first = f;
      if (!last || l > last) last = l;
    }
    activity.firstSeen = isoOrNull(first);
    activity.lastSeen = isoOrNull(last);
    return activity;
  }

  async eventsOf(
    id: ProfileId,
    opts: { limit: number; before?: Date | undefined; after?: { timestamp: Date; messageId: string } | undefined } & EventFilter,
  ): Promise<EventView[]> {
    const params: DuckDBValue[] = [id, opts.limit];
    let where = 'profile_id = $1';
    if (opts.type !== undefined) {
      params.push(opts.type);
      where += ` AND type = $${params.length}`;
    }
    if (opts.event !== undefined) {
      params.push(opts.event);
      where += ` AND event = $${params.length}`;
    }
    if (opts.before) {
      params.push(opts.before.toISOString());
      where += ` AND ts < $${params.length}::TIMESTAMPTZ`;
    }
    if (opts.after) {
      // Keyset paging: events sharing the boundary timestamp continue by messageId, none skipped or repeated.
      params.push(opts.after.timestamp.toISOString(), opts.after.messageId);
      const t = params.length - 1;
      where += ` AND (ts < $${t}::TIMESTAMPTZ OR (ts = $${t}::TIMESTAMPTZ AND message_id > $${t + 1}))`;
    }
    const rows = await this.read(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY ts DESC, message_id LIMIT $2`, params);
    return rows.map(eventView);
  }

  async recentEvents(opts: { afterSeq?: number | undefined; limit: number }): Promise<RecentEventRow[]> {
    // Top-N on seq: DuckDB turns the LIMIT into a filter on seq that skips every block but the newest.
    const rows = await this.read(
      `SELECT seq, profile_id, ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq DESC LIMIT $2`,
      [opts.afterSeq ?? 0, opts.limit],
    );
    return rows.map((r) => ({ ...eventView(r), seq: num(r.seq, 'seq'), profileId: str(r.profile_id, 'profile_id') }));
  }

  async eventsPerMinute(from: Date, to: Date): Promise<{ minute: number; count: number }[]> {
    // Events are appended in receive order, so the range skips most blocks; epoch arithmetic, as date_trunc on a
    // TIMESTAMPTZ goes through the time-zone library and costs twenty times more.
    const rows = await this.read(
      `SELECT epoch_ms(received_at) // 60000 AS m, count(*) AS n FROM events
       WHERE received_at >= $1::TIMESTAMPTZ AND received_at < $2::TIMESTAMPTZ GROUP BY 1 ORDER BY 1`,
      [from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ minute: num(r.m, 'm') * 60_000, count: num(r.n, 'n') }));
  }

  async topEvents(from: Date, to: Date, limit: number): Promise<{ event: string; count: number }[]> {
    const rows = await this.read(
      `SELECT event, count(*) AS n FROM events
       WHERE type = 'track' AND event IS NOT NULL AND ts >= $1::TIMESTAMPTZ AND ts <= $2::TIMESTAMPTZ
       GROUP BY event ORDER BY n DESC, event LIMIT $3`,
      [from.toISOString(), to.toISOString(), limit],
    );
    return rows.map((r) => ({ event: str(r.event, 'event'), count: num(r.n, 'n') }));
  }

  async identifiedProfiles(): Promise<number> {
    const rows = await this.read(
      `SELECT count(DISTINCT i.profile_id) AS n FROM identities i JOIN profiles p ON p.profile_id = i.profile_id
       WHERE i.kind = 'user_id' AND p.merged_into IS NULL`,
    );
    return num(rows[0]?.n ?? 0, 'n');
  }

  async userIdsOf(ids: readonly ProfileId[]): Promise<Map<ProfileId, string>> {
    const out = new Map<ProfileId, string>();
    if (ids.length === 0) return out;
    const rows = await this.read(
      `SELECT profile_id, first(value ORDER BY first_seen, value) AS user_id FROM identities
       WHERE kind = 'user_id' AND profile_id IN (SELECT unnest($1::VARCHAR[])) GROUP BY profile_id`,
      [listValue([...ids])],
    );
    for (const r of rows) out.set(ProfileId(str(r.profile_id, 'profile_id')), str(r.user_id, 'user_id'));
    return out;
  }

  async profilesWithIdentity(ids: readonly { kind: IdentityKind; value: string }[]): Promise<ProfileId[]> {
    if (ids.length === 0) return [];
    const rows = await this.read(
      `SELECT DISTINCT i.profile_id FROM identities i
       JOIN (SELECT unnest($1::VARCHAR[]) AS kind, unnest($2::VARCHAR[]) AS value) w ON w.kind = i.kind AND w.value = i.value
       ORDER BY 1`,
      [listValue(ids.map((i) => i.kind)), listValue(ids.map((i) => i.value))],
    );
    return rows.map((r) => ProfileId(str(r.profile_id, 'profile_id')));
  }

  async auditOf(id: ProfileId): Promise<IdentityAuditRow[]> {
    const rows = await this.read(
      `SELECT occurred_at, action, profile_id, other_profile_id, ids, reason, actor, message_id FROM identity_audit
       WHERE profile_id = $1 OR other_profile_id = $1 ORDER BY occurred_at`,
      [id],
    );
    return rows.map((r) => {
      const other = strOrNull(r.other_profile_id, 'other_profile_id');
      const action = str(r.action, 'action');
      if (action !== 'merge' && action !== 'merge_refused' && action !== 'link_refused' && action !== 'unmerge') {
        throw new Error(`Unknown audit action ${action}`);
      }
      return {
        at: date(r.occurred_at, 'occurred_at'),
        action,
        profileId: ProfileId(str(r.profile_id, 'profile_id')),
        otherProfileId: other ? ProfileId(other) : null,
        ids: jsonStrings(r.ids, 'ids'),
        reason: str(r.reason, 'reason'),
        actor: str(r.actor, 'actor'),
        messageId: strOrNull(r.message_id, 'message_id'),
      };
    });
  }

  async stats(): Promise<Stats> {
    const rows = await this.read(`SELECT
      (SELECT count(*) FROM profiles WHERE merged_into IS NULL) AS profiles,
      (SELECT count(*) FROM events) AS events,
      (SELECT count(*) FROM quarantine WHERE status = 'pending') AS quarantined,
      (SELECT value FROM counters WHERE name = 'duplicates') AS duplicates,
      (SELECT count(*) FROM accounts) AS accounts`);
    const r = rows[0];
    if (!r) throw new Error('stats query returned no row');
    return {
      profiles: num(r.profiles, 'profiles'),
      events: num(r.events, 'events'),
      quarantined: num(r.quarantined, 'quarantined'),
      duplicates: num(r.duplicates, 'duplicates'),
      accounts: num(r.accounts, 'accounts'),
    };
  }

  // ---------------------------------------------------------------- quarantine reads

  async listQuarantine(q: QuarantineQuery): Promise<{ total: number; items: QuarantineEntry[] }> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (q.status) {
      params.push(q.status);
      where.push(`status = $${params.length}`);
    }
    if (q.code) {
      params.push(q.code);
      where.push(`code = $${params.length}`);
    }
    if (q.ids) {
      params.push(listValue(q.ids));
      where.push(`id IN (SELECT unnest($${params.length}::VARCHAR[]))`);
    }
    if (q.importRunId) {
      params.push(q.importRunId);
      // raw may be a body that is not JSON at all: only valid JSON is looked into.
      where.push(`CASE WHEN json_valid(raw) THEN json_extract_string(raw, '$.import.runId') END = $${params.length}`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const totalRows = await this.read(`SELECT count(*) AS n FROM quarantine ${clause}`, params);
    const total = num(totalRows[0]?.n ?? 0, 'n');
    params.push(q.limit, q.offset ?? 0);
    // An import run's rows in file order; the others in the order they were refused.
    const order = q.importRunId ? `TRY_CAST(json_extract_string(raw, '$.import.row') AS BIGINT), id` : 'received_at, id';
    const rows = await this.read(
      `SELECT * FROM quarantine ${clause} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { total, items: rows.map(quarantineFromRow) };
  }

  async getQuarantine(id: QuarantineId): Promise<QuarantineEntry | null> {
    const rows = await this.read('SELECT * FROM quarantine WHERE id = $1', [id]);
    const r = rows[0];
    return r ? quarantineFromRow(r) : null;
  }

  async listKeys(): Promise<ApiKeyRow[]> {
    const rows = await this.read('SELECT * FROM api_keys ORDER BY created_at, key_id');
    return rows.map((r) => ({
      keyId: str(r.key_id, 'key_id'),
      keyHash: str(r.key_hash, 'key_hash'),
      label: str(r.label, 'label'),
      scopes: Scopes.parse(JSON.parse(str(r.scopes, 'scopes'))),
      createdAt: date(r.created_at, 'created_at'),
      revokedAt: dateOrNull(r.revoked_at, 'revoked_at'),
      prefix: strOrNull(r.key_prefix, 'key_prefix') ?? '',
      plainKey: strOrNull(r.plain_key, 'plain_key'),
    }));
  }

  // ---------------------------------------------------------------- segments

  listSegments = () => this.segmentTables.listSegments();
  segmentEngineState = () => this.segmentTables.segmentEngineState();
  loadMemberships: Store['loadMemberships'] = (each) => this.segmentTables.loadMemberships(each);
  membersPage: Store['membersPage'] = (id, opts) => this.segmentTables.membersPage(id, opts);
  changesSince: Store['changesSince'] = (seq, limit, id) => this.segmentTables.changesSince(seq, limit, id);
  sizeHistory: Store['sizeHistory'] = (id) => this.segmentTables.sizeHistory(id);
  dailySizes: Store['dailySizes'] = (from, to) => this.segmentTables.dailySizes(from, to);
  selectProfileIds: Store['selectProfileIds'] = (q, opts) => this.segmentTables.selectProfileIds(q, opts);
  countProfiles: Store['countProfiles'] = (q) => this.segmentTables.countProfiles(q);
  scanEvents: Store['scanEvents'] = (f, each) => this.segmentTables.scanEvents(f, each);
  scanProfiles: Store['scanProfiles'] = (each) => this.segmentTables.scanProfiles(each);
  scanScores: Store['scanScores'] = (each) => this.segmentTables.scanScores(each);
  scanChanges: Store['scanChanges'] = (seq, each) => this.segmentTables.scanChanges(seq, each);
  orderTotals: Store['orderTotals'] = (q) => this.segmentTables.orderTotals(q);

  saveQualityRun(row: { id: string; at: Date; report: unknown }): Promise<void> {
    return this.writeLock.run(async () => {
      await this.writer.run('INSERT INTO quality_runs VALUES ($1, $2::TIMESTAMPTZ, $3::JSON)', [row.id, row.at.toISOString(), JSON.stringify(row.report)]);
    });
  }

  async qualityRuns(limit: number): Promise<{ id: string; at: Date; report: unknown }[]> {
    const rows = await this.read('SELECT id, run_at, report FROM quality_runs ORDER BY run_at DESC, id DESC LIMIT $1', [limit]);
    return rows.map((r) => ({ id: str(r.id, 'id'), at: date(r.run_at, 'run_at'), report: JSON.parse(str(r.report, 'report')) as unknown }));
  }

  addReviewPairs: Store['addReviewPairs'] = (rows) => this.identityTables.addReviewPairs(rows);
  listReviewPairs: Store['listReviewPairs'] = (q) => this.identityTables.listReviewPairs(q);
  getReviewPair: Store['getReviewPair'] = (id) => this.identityTables.getReviewPair(id);
  decideReviewPair: Store['decideReviewPair'] = (id, d) => this.identityTables.decideReviewPair(id, d);
  getMergeEdge: Store['getMergeEdge'] = (id) => this.identityTables.getMergeEdge(id);
  mergeEdgesOf: Store['mergeEdgesOf'] = (ids) => this.identityTables.mergeEdgesOf(ids);
  activeMergesInto: Store['activeMergesInto'] = (ids) => this.identityTables.activeMergesInto(ids);
  unmergeIdentifyTraits: Store['unmergeIdentifyTraits'] = (plan) => this.identityTables.unmergeIdentifyTraits(plan);

  applyUnmerge(plan: UnmergePlan): Promise<{ events: number }> {
    return this.writeLock.run(async () => {
      const w = this.writer;
      await w.run('BEGIN TRANSACTION');
      try {
        const events = await DuckDbIdentityTables.applyUnmerge(w, plan);
        await this.replaceProfiles(plan.profiles);
        await this.appendAudit(plan.audit);
        await w.run('COMMIT');
        return { events };
      } catch (cause) {
        await w.run('ROLLBACK').catch(() => undefined);
        throw cause;
      }
    });
  }

  saveModel: Store['saveModel'] = (row) => this.modelTables.saveModel(row);
  latestModelVersion: Store['latestModelVersion'] = (name) => this.modelTables.latestModelVersion(name);
  listModels: Store['listModels'] = (q) => this.modelTables.listModels(q);
  getModel: Store['getModel'] = (name, version) => this.modelTables.getModel(name, version);
  updateModelSummary: Store['updateModelSummary'] = (name, version, summary) => this.modelTables.updateModelSummary(name, version, summary);
  deleteModel: Store['deleteModel'] = (name) => this.modelTables.deleteModel(name);
  saveImportRun: Store['saveImportRun'] = (row) => this.importTables.saveImportRun(row);
  listImportRuns: Store['listImportRuns'] = (q) => this.importTables.listImportRuns(q);
  getImportRun: Store['getImportRun'] = (id) => this.importTables.getImportRun(id);
  hasEventsBefore: Store['hasEventsBefore'] = (sourceId, before) => this.importTables.hasEventsBefore(sourceId, before);
  storedMessageIds: Store['storedMessageIds'] = (sourceId, ids) => this.importTables.storedMessageIds(sourceId, ids);
  pendingQuarantineMessageIds: Store['pendingQuarantineMessageIds'] = (sourceId, ids) => this.importTables.pendingQuarantineMessageIds(sourceId, ids);

  async close(): Promise<void> {
    await this.writeLock.run(async () => {
      this.eventsAppender?.closeSync();
      this.eventsAppender = null;
      this.segmentTables.dropAppenders();
      if (this.path !== ':memory:') await this.writer.run('CHECKPOINT').catch(() => undefined);
      this.writer.closeSync();
      this.reader.closeSync();
      this.instance.closeSync();
    });
  }
}

function appendNullable(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function identityKind(s: string): IdentityKind {
  if (s === 'user_id' || s === 'anonymous_id' || s === 'email') return s;
  throw new Error(`Unknown identity kind ${s}`);
}

function eventType(s: string): EventView['type'] {
  switch (s) {
    case 'identify':
    case 'track':
    case 'page':
    case 'screen':
    case 'group':
    case 'alias':
      return s;
    default:
      throw new Error(`Unknown event type ${s}`);
  }
}

function eventView(r: Row): EventView {
  return {
    messageId: str(r.message_id, 'message_id'),
    sourceId: str(r.source_id, 'source_id'),
    type: eventType(str(r.type, 'type')),
    event: strOrNull(r.event, 'event'),
    userId: strOrNull(r.user_id, 'user_id'),
    anonymousId: strOrNull(r.anonymous_id, 'anonymous_id'),
    groupId: strOrNull(r.group_id, 'group_id'),
    timestamp: date(r.ts, 'ts').toISOString(),
    originalTimestamp: isoOrNull(dateOrNull(r.original_timestamp, 'original_timestamp')),
    sentAt: isoOrNull(dateOrNull(r.sent_at, 'sent_at')),
    receivedAt: date(r.received_at, 'received_at').toISOString(),
    messageIdGenerated: bool(r.message_id_generated, 'message_id_generated'),
    properties: jsonObject(r.properties, 'properties'),
    traits: jsonObject(r.traits, 'traits'),
    context: jsonObject(r.context, 'context'),
    integrations: jsonObject(r.integrations, 'integrations'),
    extra: jsonObject(r.extra, 'extra'),
  };
}

function emptyState(): TraitState {
  return { values: {}, times: {} };
}

function profileFromRow(r: Row): ProfileRow {
  const merged = strOrNull(r.merged_into, 'merged_into');
  return {
    profileId: ProfileId(str(r.profile_id, 'profile_id')),
    createdAt: date(r.created_at, 'created_at'),
    updatedAt: date(r.updated_at, 'updated_at'),
    mergedInto: merged ? ProfileId(merged) : null,
    traits: traitState(r.traits, r.trait_times, 'traits'),
    pii: r.data === null || r.data === undefined ? emptyState() : traitState(r.data, r.data_times, 'pii'),
  };
}

function accountFromRow(r: Row): AccountRow {
  return {
    accountId: AccountId(str(r.account_id, 'account_id')),
    createdAt: date(r.created_at, 'created_at'),
    updatedAt: date(r.updated_at, 'updated_at'),
    traits: traitState(r.traits, r.trait_times, 'traits'),
  };
}

function quarantineFromRow(r: Row): QuarantineEntry {
  const status = str(r.status, 'status');
  if (status !== 'pending' && status !== 'replayed') throw new Error(`Unknown quarantine status ${status}`);
  return {
    id: QuarantineId(str(r.id, 'id')),
    receivedAt: date(r.received_at, 'received_at'),
    sourceId: str(r.source_id, 'source_id') as QuarantineEntry['sourceId'],
    code: str(r.code, 'code'),
    message: str(r.message, 'message'),
    path: strOrNull(r.path, 'path'),
    messageId: strOrNull(r.message_id, 'message_id'),
    raw: str(r.raw, 'raw'),
    status,
    replayCount: num(r.replay_count, 'replay_count'),
    lastReplayAt: dateOrNull(r.last_replay_at, 'last_replay_at'),
  };
}

/** Free bytes on the disk holding the database (Infinity for an in-memory store). */
export function freeDiskBytes(path: string): number {
  if (path === ':memory:') return Number.POSITIVE_INFINITY;
  const s = statfsSync(dirname(path));
  return s.bavail * s.bsize;
}
