import { SingleBar, Presets } from 'cli-progress';
import { EXAMPLE_SEGMENTS, estimateDemoMessages, generateDemo } from '../demo/index.js';
import { AppError } from '../kernel/index.js';
import { SourceId } from '../kernel/index.js';
import type { Segmentum } from '../main.js';
import type { Io } from './output.js';

export interface DemoSummary {
  profiles: number;
  days: number;
  seed: number;
  now: string;
  messages: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Example segments created (those already present by name are left alone). */
  segments: number;
  rfmCustomers: number;
  seconds: number;
}

/** The demo data's source: its events are deduplicated apart from any real write key's. */
export const DEMO_SOURCE = SourceId('src_demo');

/**
 * Generates the demo audience and loads it through the ingest path (validation, identity, quarantine, commit) without
 * HTTP. Requests of 5,000 events are submitted five at a time, so the group committer writes large transactions:
 * each transaction holding merges rewrites profile ids across the events table, and fewer, larger ones load the
 * default demo in about half the time of 2,000-event requests four at a time.
 */
export async function loadDemo(
  s: Segmentum,
  opts: { profiles: number; days: number; seed: number; now: Date },
  io: Io,
): Promise<DemoSummary> {
  const started = Date.now();
  const total = estimateDemoMessages(opts);
  const bar = io.interactive ? new SingleBar({ format: 'demo data |{bar}| {percentage}% {value}/{total} events {eta_formatted} left', etaBuffer: 50, stream: process.stderr }, Presets.shades_classic) : null;
  bar?.start(total, 0);
  const summary: DemoSummary = { ...opts, now: opts.now.toISOString(), messages: 0, accepted: 0, duplicates: 0, rejected: 0, segments: 0, rfmCustomers: 0, seconds: 0 };
  let chunk: Record<string, unknown>[] = [];
  const inflight = new Set<Promise<void>>();
  let lastLine = Date.now();
  const flush = async (): Promise<void> => {
    const items = chunk;
    chunk = [];
    const p = s.ingest
      .submit({ items, envelope: {}, meta: { sourceId: DEMO_SOURCE, receivedAt: new Date(), ip: null }, body: () => JSON.stringify({ batch: items }) })
      .then((r) => {
        summary.accepted += r.accepted;
        summary.duplicates += r.duplicates;
        summary.rejected += r.rejected.length;
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size >= 5) await Promise.race(inflight);
  };
  for (const person of generateDemo(opts)) {
    chunk.push(...person);
    summary.messages += person.length;
    if (chunk.length >= 5000) {
      await flush();
      bar?.update(Math.min(summary.messages, total));
      if (!bar && Date.now() - lastLine > 5000) {
        io.err(`demo data: ${summary.messages} events loaded`);
        lastLine = Date.now();
      }
    }
  }
  if (chunk.length > 0) await flush();
  await Promise.all(inflight);
  bar?.update(summary.messages);
  bar?.setTotal(summary.messages);
  bar?.stop();
  // Scores first: some example segments read rfm.* and score.*.
  summary.rfmCustomers = (await s.rfm.recompute()).customers;
  for (const ex of EXAMPLE_SEGMENTS) {
    if (s.segments.get(ex.name).ok) continue;
    const r = await s.segments.create(ex);
    if (!r.ok) throw new AppError('server.internal', `Example segment ${ex.name} was refused: ${r.error.message}`);
    summary.segments++;
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
