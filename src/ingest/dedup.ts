/**
 * Which (source, messageId) pairs were stored recently. Held in memory in one set per day, so entries older than
 * the window are dropped a whole day at a time; rebuilt from the events table on start, so it holds across restarts.
 */
export class DedupIndex {
  private readonly days = new Map<number, Set<string>>();
  private readonly windowDays: number;

  constructor(windowDays: number) {
    this.windowDays = Math.ceil(windowDays);
  }

  static key(sourceId: string, messageId: string): string {
    return `${sourceId}\u0000${messageId}`;
  }

  has(key: string): boolean {
    for (const set of this.days.values()) if (set.has(key)) return true;
    return false;
  }

  add(key: string, at: Date): void {
    const day = Math.floor(at.getTime() / 86_400_000);
    let set = this.days.get(day);
    if (!set) {
      set = new Set();
      this.days.set(day, set);
    }
    set.add(key);
  }

  /** Forgets the days that fell out of the window (one extra day is kept, so the window is a minimum). */
  expire(now: Date): void {
    const today = Math.floor(now.getTime() / 86_400_000);
    for (const day of this.days.keys()) if (day < today - this.windowDays) this.days.delete(day);
  }

  get size(): number {
    let n = 0;
    for (const s of this.days.values()) n += s.size;
    return n;
  }
}
