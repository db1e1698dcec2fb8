/**
 * Versioned schema migrations, applied in order on start inside one transaction each. Never edit a released
 * migration: add a new one. A database whose newest version is above the last one here refuses to open.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'foundation: events, quarantine, profiles, PII vault, identities, accounts, audit, keys',
    statements: [
      `CREATE TABLE events (
        message_id VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        event VARCHAR,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        group_id VARCHAR,
        ts TIMESTAMPTZ NOT NULL,
        original_timestamp TIMESTAMPTZ,
        sent_at TIMESTAMPTZ,
        received_at TIMESTAMPTZ NOT NULL,
        message_id_generated BOOLEAN NOT NULL,
        properties JSON,
        traits JSON,
        context JSON,
        integrations JSON,
        extra JSON
      )`,
      `CREATE TABLE quarantine (
        id VARCHAR NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        source_id VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        path VARCHAR,
        message_id VARCHAR,
        raw VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        replay_count INTEGER NOT NULL,
        last_replay_at TIMESTAMPTZ
      )`,
      // Behaviour-side profile: non-personal traits only.
      `CREATE TABLE profiles (
        profile_id VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        merged_into VARCHAR,
        traits JSON NOT NULL,
        trait_times JSON NOT NULL
      )`,
      // The PII vault: personal data keyed by profile id, apart from behaviour data.
      `CREATE TABLE pii_vault (
        profile_id VARCHAR NOT NULL,
        data JSON NOT NULL,
        data_times JSON NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE identities (
        kind VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE accounts (
        account_id VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        traits JSON NOT NULL,
        trait_times JSON NOT NULL
      )`,
      `CREATE TABLE account_members (
        account_id VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        since TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE identity_audit (
        occurred_at TIMESTAMPTZ NOT NULL,
        action VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        other_profile_id VARCHAR,
        ids JSON NOT NULL,
        reason VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        message_id VARCHAR
      )`,
      `CREATE TABLE api_keys (
        key_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        key_hash VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE counters (name VARCHAR NOT NULL, value BIGINT NOT NULL)`,
      `INSERT INTO counters VALUES ('duplicates', 0)`,
    ],
  },
  {
    version: 2,
    name: 'segments: definitions, current members, the change feed, engine watermark, scores',
    statements: [
      `CREATE TABLE segments (
        segment_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        definition JSON,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE segment_members (
        segment_id VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        since TIMESTAMPTZ NOT NULL
      )`,
      // The durable, ordered change feed: seq is assigned by the engine and only grows.
      `CREATE TABLE segment_changes (
        seq BIGINT NOT NULL,
        segment_id VARCHAR NOT NULL,
        profile_id VARCHAR NOT NULL,
        change VARCHAR NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL,
        reason JSON NOT NULL
      )`,
      // members_seq: segment_members holds every change up to this seq; later ones are replayed from the feed.
      `CREATE TABLE segment_engine (watermark TIMESTAMPTZ, last_seq BIGINT NOT NULL, members_seq BIGINT NOT NULL)`,
      `INSERT INTO segment_engine VALUES (NULL, 0, 0)`,
      // Scores as segments read them (scores), and the state the live engine keeps them up to date from (state).
      `CREATE TABLE profile_scores (
        profile_id VARCHAR NOT NULL,
        scores JSON NOT NULL,
        state JSON,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      // Score updates since profile_scores was last compacted: appended with each commit, folded in now and then.
      `CREATE TABLE score_log (
        n BIGINT NOT NULL,
        profile_id VARCHAR NOT NULL,
        scores JSON NOT NULL,
        state JSON,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      // Scores as of now: the compacted row, or the profile's latest logged one.
      `CREATE VIEW current_scores AS
       SELECT profile_id, scores FROM (
         SELECT profile_id, scores, row_number() OVER (PARTITION BY profile_id ORDER BY k DESC, n DESC) AS rn FROM (
           SELECT 0 AS k, 0 AS n, profile_id, scores FROM profile_scores
           UNION ALL SELECT 1 AS k, n, profile_id, scores FROM score_log))
       WHERE rn = 1`,
    ],
  },
  {
    version: 3,
    name: 'key scopes and revocation; the receive order of events',
    // DuckDB refuses to commit an ALTER TABLE that follows an UPDATE of the same table in one transaction: every
    // column is added first, then filled.
    statements: [
      // scopes (JSON array) replaces kind, which stays for the rows written before (write or admin) and is filled
      // with a summary of the scopes after (write, read or admin); only scopes is read.
      `ALTER TABLE api_keys ADD COLUMN scopes VARCHAR`,
      `ALTER TABLE api_keys ADD COLUMN revoked_at TIMESTAMPTZ`,
      // The first characters of the key, to recognise it in a list; unknown for older keys until given again.
      `ALTER TABLE api_keys ADD COLUMN key_prefix VARCHAR`,
      // The key itself, for track keys only: write keys are public by design (the tracking snippet puts them in
      // pages). Read and manage keys are only ever stored as hashes.
      `ALTER TABLE api_keys ADD COLUMN plain_key VARCHAR`,
      // The order in which events were committed, for the live stream: it only grows, so the newest rows are in the
      // last blocks of the table and a scan for "after seq N" skips the rest by the blocks' min/max.
      `ALTER TABLE events ADD COLUMN seq BIGINT`,
      `UPDATE api_keys SET scopes = CASE kind WHEN 'write' THEN '["track"]' ELSE '["read","manage"]' END, key_prefix = ''`,
      `UPDATE events SET seq = o.n
       FROM (SELECT rowid AS r, row_number() OVER (ORDER BY received_at, rowid) AS n FROM events) o
       WHERE events.rowid = o.r`,
    ],
  },
  {
    version: 4,
    name: 'file import runs',
    statements: [
      `CREATE TABLE import_runs (
        id VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        encoding VARCHAR NOT NULL,
        delimiter VARCHAR,
        status VARCHAR NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        rows_read BIGINT NOT NULL,
        imported BIGINT NOT NULL,
        duplicates BIGINT NOT NULL,
        rejected BIGINT NOT NULL,
        rejected_by_code JSON NOT NULL,
        profile_delta BIGINT NOT NULL,
        error VARCHAR
      )`,
    ],
  },
  {
    version: 5,
    name: 'identity graph edges: merges with their evidence and both sides as they were, for unmerge; the review queue; quality report runs',
    statements: [
      // The profile an event was first resolved to: a merge moves profile_id, an unmerge moves it back by this.
      `ALTER TABLE events ADD COLUMN origin_profile_id VARCHAR`,
      `CREATE TABLE identity_merges (
        merge_id VARCHAR NOT NULL,
        merged_at TIMESTAMPTZ NOT NULL,
        winner_id VARCHAR NOT NULL,
        loser_id VARCHAR NOT NULL,
        cause VARCHAR NOT NULL,
        evidence JSON NOT NULL,
        actor VARCHAR NOT NULL,
        message_id VARCHAR,
        winner_before JSON NOT NULL,
        loser_before JSON NOT NULL,
        status VARCHAR NOT NULL,
        undone_at TIMESTAMPTZ,
        undone_by VARCHAR
      )`,
      // The personal part of both sides as they were: vault data, kept apart from the edge like pii_vault.
      `CREATE TABLE merge_pii_snapshots (
        merge_id VARCHAR NOT NULL,
        side VARCHAR NOT NULL,
        data JSON NOT NULL,
        data_times JSON NOT NULL
      )`,
      // Probable duplicates found by matching profiles, waiting for (or given) a person's decision.
      `CREATE TABLE identity_review (
        pair_id VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        profile_a VARCHAR NOT NULL,
        profile_b VARCHAR NOT NULL,
        probability DOUBLE NOT NULL,
        evidence JSON NOT NULL,
        status VARCHAR NOT NULL,
        decided_at TIMESTAMPTZ,
        decided_by VARCHAR,
        merge_id VARCHAR
      )`,
      // Each data-quality report computed, for the trend.
      `CREATE TABLE quality_runs (
        id VARCHAR NOT NULL,
        run_at TIMESTAMPTZ NOT NULL,
        report JSON NOT NULL
      )`,
      `UPDATE events SET origin_profile_id = profile_id`,
    ],
  },
  {
    version: 6,
    name: 'analytics model registry: clustering runs, propensity models and CLV fits, versioned per name',
    statements: [
      // One row per version of a named model: its spec (what was asked), summary (metrics and diagnostics for the
      // dashboard) and the fitted model itself (centroids, coefficients, trees, feature transform), all JSON.
      `CREATE TABLE analytics_models (
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        spec JSON NOT NULL,
        summary JSON NOT NULL,
        model JSON NOT NULL,
        PRIMARY KEY (name, version)
      )`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((m, x) => Math.max(m, x.version), 0);
