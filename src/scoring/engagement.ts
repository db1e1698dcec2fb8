/**
 * Engagement scoring (points per event, decayed, with an inactivity penalty). Pure functions over a small state so
 * the live engine can keep one per profile and update it as events arrive:
 *
 *   score(t) = max(0, round1( sum_i points_i * 2^(-(t - t_i) / halfLife)  -  penalty * floor((t - lastEvent) / period) ))
 *
 * An event stamped after `t` counts with its full points. Tiers: low < 20 <= medium <= 50 < high.
 */

export interface EngagementRule {
  event: string;
  points: number;
}

export interface EngagementConfig {
  rules: EngagementRule[];
  halfLifeDays: number;
  inactivityDays: number;
  inactivityPenalty: number;
}

/** The decayed sum as of `ref`, and the time of the profile's latest event (of any kind). */
export interface EngagementState {
  sum: number;
  ref: number;
  last: number;
}

const DAY = 86_400_000;

export type EngagementTier = 'low' | 'medium' | 'high';

export function tierOf(score: number): EngagementTier {
  return score < 20 ? 'low' : score <= 50 ? 'medium' : 'high';
}

export class EngagementModel {
  private readonly points = new Map<string, number>();
  private readonly halfLife: number;
  private readonly period: number;

  constructor(readonly config: EngagementConfig) {
    for (const r of config.rules) this.points.set(r.event, (this.points.get(r.event) ?? 0) + r.points);
    this.halfLife = config.halfLifeDays * DAY;
    this.period = config.inactivityDays * DAY;
  }

  pointsOf(eventName: string | null): number {
    return eventName === null ? 0 : (this.points.get(eventName) ?? 0);
  }

  /** Folds one event (any event: it resets inactivity; rule events add points) into the state, as of `now`. */
  add(state: EngagementState | null, eventName: string | null, ts: number, now: number): EngagementState {
    const s = state ?? { sum: 0, ref: now, last: Number.NEGATIVE_INFINITY };
    const decayed = this.decayed(s, now);
    const p = this.pointsOf(eventName);
    const contribution = p === 0 ? 0 : p * Math.pow(2, -Math.max(0, now - ts) / this.halfLife);
    return { sum: decayed + contribution, ref: now, last: Math.max(s.last, ts) };
  }

  /** Merges two profiles' states (a merge of profiles), as of `now`. */
  merge(a: EngagementState, b: EngagementState, now: number): EngagementState {
    return { sum: this.decayed(a, now) + this.decayed(b, now), ref: now, last: Math.max(a.last, b.last) };
  }

  private decayed(s: EngagementState, now: number): number {
    return s.sum * Math.pow(2, -(now - s.ref) / this.halfLife);
  }

  /** The score at `now`. */
  score(s: EngagementState, now: number): number {
    const idle = Number.isFinite(s.last) ? Math.max(0, Math.floor((now - s.last) / this.period)) : 0;
    const raw = this.decayed(s, now) - this.config.inactivityPenalty * idle;
    return Math.max(0, Math.round(raw * 10) / 10);
  }
}

/** The next daily refresh (00:00 UTC) strictly after `t`. */
export function nextMidnightUtc(t: number): number {
  return (Math.floor(t / DAY) + 1) * DAY;
}
