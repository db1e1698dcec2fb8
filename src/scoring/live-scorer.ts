import type { LiveScorer } from '../segments/index.js';
import { EngagementModel, nextMidnightUtc, tierOf, type EngagementConfig, type EngagementState } from './engagement.js';

function isState(v: unknown): v is EngagementState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.sum === 'number' && typeof o.ref === 'number' && (typeof o.last === 'number' || o.last === null);
}

/** The state as stored: JSON has no -Infinity, so "no event yet" is null there. */
function read(v: unknown): EngagementState | null {
  if (!isState(v)) return null;
  return { sum: v.sum, ref: v.ref, last: v.last ?? Number.NEGATIVE_INFINITY };
}

function write(s: EngagementState): Record<string, unknown> {
  return { sum: s.sum, ref: s.ref, last: Number.isFinite(s.last) ? s.last : null };
}

/** Engagement scores kept live by the segment engine: updated on each event, refreshed every day at 00:00 UTC. */
export class EngagementScorer implements LiveScorer {
  private readonly model: EngagementModel;
  constructor(config: EngagementConfig) {
    this.model = new EngagementModel(config);
  }

  onEvent(state: unknown, eventName: string | null, ts: number, now: number): unknown {
    return write(this.model.add(read(state), eventName, ts, now));
  }

  merge(a: unknown, b: unknown, now: number): unknown {
    const x = read(a);
    const y = read(b);
    if (!x || !y) return x ? write(x) : y ? write(y) : null;
    return write(this.model.merge(x, y, now));
  }

  values(state: unknown, now: number): Record<string, unknown> {
    const s = read(state);
    if (!s) return {};
    const engagement = this.model.score(s, now);
    return { engagement, engagement_tier: tierOf(engagement) };
  }

  nextRefresh(t: number): number {
    return nextMidnightUtc(t);
  }
}
