import type { Clock, Logger } from '../kernel/index.js';
import type { LiveEngine, WriterLoop } from '../segments/index.js';
import type { SegmentStore } from '../store/index.js';
import { RFM_SEGMENTS, scoreRfm, type RfmSegment } from './rfm.js';

export interface RfmConfig {
  windowDays: number;
  orderEvent: string;
  revenueProperty: string;
}

export interface RfmRun {
  at: string;
  windowDays: number;
  customers: number;
  /** Profiles whose RFM score changed (including those that lost it). */
  changed: number;
  segments: Record<RfmSegment, number>;
}

const DAY = 86_400_000;

/** Recomputes RFM scores from the order history (on demand, and daily from main.ts) and hands them to the engine. */
export class RfmService {
  private last: RfmRun | null = null;
  constructor(
    private readonly o: { store: SegmentStore; engine: LiveEngine; writer: WriterLoop; clock: Clock; config: RfmConfig; logger: Logger },
  ) {}

  lastRun(): RfmRun | null {
    return this.last;
  }

  async recompute(at?: Date): Promise<RfmRun> {
    const now = at ?? this.o.clock.now();
    const c = this.o.config;
    const rows = await this.o.store.orderTotals({
      event: c.orderEvent,
      property: c.revenueProperty,
      from: new Date(now.getTime() - c.windowDays * DAY),
      to: now,
    });
    const scores = scoreRfm(
      rows.map((r) => ({
        profileId: r.profileId,
        recencyDays: Math.max(0, Math.floor((now.getTime() - r.last.getTime()) / DAY)),
        frequency: r.count,
        monetary: Math.round(r.total * 100) / 100,
      })),
    );
    const changed = await this.o.writer.runTask(async (t) => this.o.engine.setScoreKey('rfm', scores, t));
    const segments = Object.fromEntries(RFM_SEGMENTS.map((s) => [s, 0])) as Record<RfmSegment, number>;
    for (const s of scores.values()) segments[s.segment]++;
    this.last = { at: now.toISOString(), windowDays: c.windowDays, customers: scores.size, changed, segments };
    this.o.logger.info({ customers: scores.size, changed }, 'RFM scores recomputed');
    return this.last;
  }
}
