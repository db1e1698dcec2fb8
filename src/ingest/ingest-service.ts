import { newQuarantineId, type Clock, type ErrorCode, type QuarantineId, type SourceId } from '../kernel/index.js';
import type { QuarantineEntry, QuarantineRow, QuarantineStore, QuarantineUpdate } from '../store/index.js';
import type { GroupCommitter } from './group-committer.js';
import { EventNormalizer, type Envelope, type NormalizedEvent, type RejectedEvent, type RequestMeta } from './normalize.js';
import type { IngestResponse, Rejection } from './schemas.js';

export interface SubmitInput {
  items: unknown[];
  envelope: Envelope;
  meta: RequestMeta;
  /** The request body as received: kept instead of an event that cannot be written back as JSON. */
  body: () => string;
}

export interface ReplayReport {
  replayed: number;
  stillRejected: number;
  duplicates: number;
  results: { id: string; outcome: 'accepted' | 'duplicate' | 'rejected'; code?: string; message?: string }[];
}

/**
 * The ingest path shared by the HTTP API, the demo loader and quarantine replay: validates every event, keeps each
 * rejected one raw in quarantine, and answers only once the accepted ones are durably committed.
 */
export class IngestService {
  constructor(
    private readonly normalizer: EventNormalizer,
    private readonly committer: GroupCommitter,
    private readonly quarantineStore: QuarantineStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates and stores a batch of Segment messages.
   * @example await ingest.submit({ items: [{ type: 'track', event: 'Order Completed', userId: 'u1' }], envelope: {}, meta, body: () => '' })
   */
  async submit(input: SubmitInput): Promise<IngestResponse> {
    const accepted: NormalizedEvent[] = [];
    const rejected: RejectedEvent[] = [];
    input.items.forEach((item, i) => {
      const r = this.normalizer.normalize(item, i, input.envelope, input.meta);
      if (r.ok) accepted.push(r.value);
      else rejected.push(r.error);
    });
    const quarantine = rejected.map((r) => this.quarantineRow(r, input.meta, input.body, input.items.length > 1));
    const outcome = await this.committer.submit({
      events: accepted,
      quarantine,
      quarantineUpdates: [],
      actor: `source:${input.meta.sourceId}`,
    });
    const duplicates = outcome.results.filter((r) => r === 'duplicate').length;
    const rejections: Rejection[] = rejected.map((r, i) => ({
      index: r.index,
      messageId: r.messageId,
      code: r.code,
      message: r.message,
      path: r.path === null ? null : input.items.length > 1 ? `batch.${r.index}.${r.path}` : r.path,
      quarantineId: (quarantine[i] as QuarantineRow).id,
    }));
    return {
      ok: rejected.length === 0,
      received: input.items.length,
      accepted: accepted.length - duplicates,
      duplicates,
      rejected: rejections,
      generatedMessageIds: accepted.filter((e) => e.messageIdGenerated).map((e) => ({ index: e.index, messageId: e.messageId })),
    };
  }

  /** Keeps a whole request body that could not be read as events (malformed JSON, bad batch shape). */
  async quarantineBody(raw: string, code: ErrorCode, message: string, path: string | null, meta: RequestMeta): Promise<QuarantineId> {
    const row: QuarantineRow = {
      id: newQuarantineId(),
      receivedAt: meta.receivedAt,
      sourceId: meta.sourceId,
      code,
      message,
      path,
      messageId: null,
      raw,
    };
    await this.committer.submit({ events: [], quarantine: [row], quarantineUpdates: [], actor: `source:${meta.sourceId}` });
    return row.id;
  }

  /**
   * Submits quarantined events again (after a fix of the data or of the configuration). A row that now passes is
   * marked replayed in the same transaction that stores its event; one that fails again stays pending with its new
   * code. A row holding a whole request body is replayed as that request's events.
   */
  async replay(entries: QuarantineEntry[], override?: { id: QuarantineId; raw: string }): Promise<ReplayReport> {
    const report: ReplayReport = { replayed: 0, stillRejected: 0, duplicates: 0, results: [] };
    const now = this.clock.now();
    for (const entry of entries) {
      if (entry.status !== 'pending') continue;
      const raw = override && override.id === entry.id ? override.raw : entry.raw;
      const meta: RequestMeta = { sourceId: entry.sourceId as SourceId, receivedAt: entry.receivedAt, ip: null };
      const fail = async (code: string, message: string, path: string | null): Promise<void> => {
        const update: QuarantineUpdate = { id: entry.id, status: 'pending', code, message, path, at: now };
        await this.committer.submit({ events: [], quarantine: [], quarantineUpdates: [update], actor: 'admin' });
        report.stillRejected++;
        report.results.push({ id: entry.id, outcome: 'rejected', code, message });
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        await fail('request.malformed_json', 'The kept body is still not valid JSON.', null);
        continue;
      }
      const isBatch = typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { batch?: unknown }).batch);
      const items: unknown[] = isBatch ? (parsed as { batch: unknown[] }).batch : [parsed];
      const envelope: Envelope = isBatch ? (parsed as Envelope) : {};
      const accepted: NormalizedEvent[] = [];
      const rejected: RejectedEvent[] = [];
      items.forEach((item, i) => {
        const r = this.normalizer.normalize(item, i, envelope, meta);
        if (r.ok) accepted.push(r.value);
        else rejected.push(r.error);
      });
      if (!isBatch && rejected[0]) {
        await fail(rejected[0].code, rejected[0].message, rejected[0].path);
        continue;
      }
      // A body split into events: events failing again get rows of their own, the body row is done.
      const quarantine = rejected.map((r) => this.quarantineRow(r, meta, () => raw, true));
      const updates: QuarantineUpdate[] = [];
      const replayOf = accepted.map(() => entry.id);
      if (accepted.length === 0) {
        updates.push({ id: entry.id, status: 'replayed', code: 'replayed', message: 'Split into quarantined events.', path: null, at: now });
      }
      const outcome = await this.committer.submit({ events: accepted, quarantine, quarantineUpdates: updates, replayOf, actor: 'admin' });
      const dups = outcome.results.filter((r) => r === 'duplicate').length;
      report.duplicates += dups;
      report.replayed++;
      report.stillRejected += rejected.length;
      report.results.push({ id: entry.id, outcome: dups === outcome.results.length && dups > 0 ? 'duplicate' : 'accepted' });
    }
    return report;
  }

  /** Replays the pending rows matching a filter, a page at a time. */
  async replayWhere(filter: { code?: string; ids?: string[]; limit: number }): Promise<ReplayReport> {
    const { items } = await this.quarantineStore.listQuarantine({ status: 'pending', code: filter.code, ids: filter.ids, limit: filter.limit });
    return this.replay(items);
  }

  private quarantineRow(r: RejectedEvent, meta: RequestMeta, body: () => string, inBatch: boolean): QuarantineRow {
    return {
      id: newQuarantineId(),
      receivedAt: meta.receivedAt,
      sourceId: meta.sourceId,
      code: r.code,
      message: r.message,
      path: r.path === null ? null : inBatch ? `batch.${r.index}.${r.path}` : r.path,
      messageId: r.messageId,
      raw: r.raw ?? body(),
    };
  }
}
