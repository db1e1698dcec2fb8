import { describe, expect, it } from 'vitest';
import { WRITE_KEY, basic } from './helpers.js';
import { admin, exitWithin, startServer, tempDb } from './support/server-process.js';

/**
 * The promise of the tracking API: a 200 means the events are durable. These tests run the built server as a child
 * process, stream batches at it from several senders, stop it (kill -9, or SIGTERM while requests are in flight),
 * start it again on the same file, and read every event back through the management API.
 */

const SENDERS = 4;
const BATCH = 25;
/** Event times, distinct within a sender (one profile) and in the past. */
const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

interface TrackingBody {
  accepted: number;
  duplicates: number;
  rejected: unknown[];
}

interface Stats {
  profiles: number;
  events: number;
  quarantined: number;
  duplicates: number;
}

interface Timeline {
  profileId: string;
  events: { messageId: string; timestamp: string }[];
  nextCursor: string | null;
}

/** Every messageId stored for one sender's profile, paging the timeline newest first with its cursor. */
async function storedIds(url: string, userId: string): Promise<{ ids: string[]; total: number }> {
  const found = await admin<{ id: string; events: { total: number } }>(url, `/api/profiles?userId=${encodeURIComponent(userId)}`);
  if (found.status === 404) return { ids: [], total: 0 };
  expect(found.status).toBe(200);
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page <= found.body.events.total / 1000; page++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const t = await admin<Timeline>(url, `/api/profiles/${found.body.id}/events?limit=1000${q}`);
    expect(t.status).toBe(200);
    ids.push(...t.body.events.map((e) => e.messageId));
    cursor = t.body.nextCursor;
    expect(cursor === null || typeof cursor === 'string').toBe(true);
    if (cursor === null) break;
  }
  return { ids, total: found.body.events.total };
}

/** One sender per userId, each posting one batch at a time; what a 200 acknowledged is recorded. */
class Load {
  readonly acked: { body: string; ids: string[] }[] = [];
  readonly sent = new Set<string>();
  /** HTTP statuses other than 200, in order. */
  readonly refusals: number[] = [];
  networkErrors = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly run: string,
  ) {}

  userId(k: number): string {
    return `${this.run}-sender-${k}`;
  }

  start(): Promise<void[]> {
    return Promise.all(Array.from({ length: SENDERS }, (_, k) => this.sender(k)));
  }

  stop(): void {
    this.stopped = true;
  }

  private async sender(k: number): Promise<void> {
    let seq = 0;
    while (!this.stopped) {
      const ids: string[] = [];
      const batch = Array.from({ length: BATCH }, () => {
        seq++;
        const messageId = `${this.run}-${k}-${seq}`;
        ids.push(messageId);
        this.sent.add(messageId);
        return {
          type: 'track',
          userId: this.userId(k),
          event: 'Durability Probe',
          messageId,
          timestamp: new Date(BASE_TIME + seq).toISOString(),
          properties: { sender: k, seq },
        };
      });
      const body = JSON.stringify({ batch });
      let res: Response;
      try {
        res = await fetch(`${this.url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
          body,
        });
      } catch {
        // The server is gone (killed, or closed the connection while stopping): this batch was not acknowledged.
        this.networkErrors++;
        return;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        this.refusals.push(res.status);
        return;
      }
      const r = (await res.json()) as TrackingBody;
      expect(r).toMatchObject({ accepted: BATCH, duplicates: 0, rejected: [] });
      this.acked.push({ body, ids });
    }
  }

  async waitForAcks(n: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.acked.length < n) {
      if (Date.now() > until) throw new Error(`only ${this.acked.length} of ${n} batches were acknowledged in time`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  ackedIds(): string[] {
    return this.acked.flatMap((a) => a.ids);
  }
}

/** Reads everything back and checks: each acknowledged event once, nothing twice, nothing that was not sent. */
async function expectAckedStoredOnce(url: string, load: Load): Promise<number> {
  const counts = new Map<string, number>();
  let profileTotals = 0;
  for (let k = 0; k < SENDERS; k++) {
    const { ids, total } = await storedIds(url, load.userId(k));
    expect(ids.length).toBe(total);
    profileTotals += total;
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const missing = load.ackedIds().filter((id) => counts.get(id) !== 1);
  expect(missing, 'acknowledged events missing (or stored more than once) after restart').toEqual([]);
  expect([...counts].filter(([, n]) => n > 1), 'events stored twice').toEqual([]);
  expect([...counts.keys()].filter((id) => !load.sent.has(id)), 'events that were never sent').toEqual([]);
  const stats = await admin<Stats>(url, '/api/stats');
  expect(stats.body.events).toBe(profileTotals);
  return profileTotals;
}

async function postAll(url: string, bodies: string[], concurrency: number): Promise<TrackingBody[]> {
  const out: TrackingBody[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const res = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
          body,
        });
        expect(res.status).toBe(200);
        out.push((await res.json()) as TrackingBody);
      }
    }),
  );
  return out;
}

describe('durability of acknowledged events', () => {
  it('keeps every acknowledged event exactly once across kill -9, and deduplicates them after the restart', async () => {
    const db = tempDb();
    const first = await startServer(db);
    const load = new Load(first.url, 'kill');
    const streaming = load.start();
    await load.waitForAcks(300, 15_000);
    first.proc.kill('SIGKILL');
    const exit = await first.exited;
    load.stop();
    await streaming;
    expect(exit.signal).toBe('SIGKILL');
    // Senders were cut off mid-request, not refused.
    expect(load.refusals).toEqual([]);
    expect(load.networkErrors).toBeGreaterThan(0);

    const second = await startServer(db);
    const stored = await expectAckedStoredOnce(second.url, load);
    expect(stored).toBeGreaterThanOrEqual(300 * BATCH);

    // Dedup holds across the restart: every acknowledged batch sent again is all duplicates, and nothing is added.
    const before = (await admin<Stats>(second.url, '/api/stats')).body;
    const again = await postAll(
      second.url,
      load.acked.map((a) => a.body),
      SENDERS,
    );
    expect(again.reduce((n, r) => n + r.accepted, 0)).toBe(0);
    expect(again.reduce((n, r) => n + r.duplicates, 0)).toBe(load.acked.length * BATCH);
    const after = (await admin<Stats>(second.url, '/api/stats')).body;
    expect(after.events).toBe(before.events);
    expect(after.duplicates - before.duplicates).toBe(load.acked.length * BATCH);
    await expectAckedStoredOnce(second.url, load);

    second.proc.kill('SIGTERM');
    expect(await exitWithin(second, 10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('flushes on SIGTERM with requests in flight: every acknowledged event is stored and the process exits 0', async () => {
    const db = tempDb();
    const first = await startServer(db);
    const load = new Load(first.url, 'term');
    const streaming = load.start();
    await load.waitForAcks(100, 15_000);
    first.proc.kill('SIGTERM');
    // The senders keep going until the server stops answering them. Their pooled keep-alive connections stay open:
    // the server must still exit promptly, not after its keep-alive timeout.
    await streaming;
    expect(await exitWithin(first, 10_000)).toEqual({ code: 0, signal: null });
    // While stopping the server may refuse new work (503 server.shutting_down) but never fails it otherwise.
    expect(load.refusals.filter((s) => s !== 503)).toEqual([]);
    // Nothing at warn level or above: a clean shutdown logs no failed commit.
    expect(first.stderr()).not.toMatch(/"level":(40|50|60)/);

    const second = await startServer(db);
    await expectAckedStoredOnce(second.url, load);
    second.proc.kill('SIGTERM');
    expect(await exitWithin(second, 10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);
});
