/**
 * Segment engine benchmark, three figures on one synthetic audience (default 1M profiles, 20M events, 180 days):
 *
 *   batch    50 definitions compiled to SQL vs equivalent hand-written DuckDB queries, same database, same run,
 *            alternating, median of 3 each; the result sets must be the same size. Goal: ratio <= 1.5.
 *   memory   RSS of a Segmentum holding the live state of every profile for 50 segments. Goal: < 2 GB.
 *   latency  with 100 live segments, tracking calls over HTTP at a fixed rate; the time from sending an event to
 *            its 200, for the events whose membership change is in the feed (it is written in the event's own
 *            transaction, so at the 200 the change is already readable). Goal: p99 < 20 ms.
 *
 *   npm run bench:segments                               full size (generation ~1-2 min the first time, cached)
 *   node dist/bench/segments.js --profiles 100000 --events 2000000
 */
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/kernel/index.js';
import { createSegmentum, type Segmentum } from '../src/main.js';
import { compileSegment, expandComputed, parseDefinition, BUILT_IN_COMPUTED_TRAITS, type Condition } from '../src/segments/index.js';
import { openDuckDbStore, writeSyntheticAudience, type SqlQuery } from '../src/store/index.js';

const { values: opts } = parseArgs({
  options: {
    profiles: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '20000000' },
    days: { type: 'string', default: '180' },
    phases: { type: 'string', default: 'batch,memory,latency' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    dir: { type: 'string', default: join(tmpdir(), 'segmentum-bench') },
  },
});
const PROFILES = Number(opts.profiles);
const EVENTS = Number(opts.events);
const DAYS = Number(opts.days);
const phases = new Set(opts.phases.split(','));
// A fixed instant, so the cached database stays valid between runs and the windows always meet the data.
const NOW = new Date('2026-11-01T00:00:00.000Z');
const WRITE_KEY = 'bench-write-key-0001';
const ADMIN_KEY = 'bench-admin-key-0001';

const mb = (n: number) => Math.round(n / 1024 / 1024);
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Template {
  name: string;
  text: (v: number) => string;
  hand: (v: number, now: string) => string;
}

const DAY_MS = 86_400_000;
const ago = (now: string, days: number) => new Date(Date.parse(now) - days * DAY_MS).toISOString();
const win = (now: string, d: number) => `ts > TIMESTAMPTZ '${ago(now, d)}' AND ts <= TIMESTAMPTZ '${now}'`;

/** Ten shapes of segment, five parameter values each: what marketing teams write, and what an analyst would hand-write. */
const TEMPLATES: Template[] = [
  {
    name: 'orders in window',
    text: (v) => `count(event = "Order Completed", within = ${10 * v}d) >= 2`,
    hand: (v, now) => `SELECT profile_id FROM events WHERE type = 'track' AND event = 'Order Completed' AND ${win(now, 10 * v)} GROUP BY profile_id HAVING count(*) >= 2`,
  },
  {
    name: 'trait and page views',
    text: (v) => `trait.country = "FR" and count(event = "Page Viewed", within = ${v * 3}d) >= ${v}`,
    hand: (v, now) =>
      `SELECT p.profile_id FROM profiles p JOIN (SELECT profile_id FROM events WHERE type = 'page' AND ${win(now, v * 3)} GROUP BY profile_id HAVING count(*) >= ${v}) e ON e.profile_id = p.profile_id WHERE (p.traits->>'country') = 'FR'`,
  },
  {
    name: 'revenue over window',
    text: (v) => `sum(event = "Order Completed", property = "revenue", within = 90d) > ${v * 100}`,
    hand: (v, now) =>
      `SELECT profile_id FROM events WHERE type = 'track' AND event = 'Order Completed' AND ${win(now, 90)} GROUP BY profile_id HAVING sum(CAST((properties->>'revenue') AS DOUBLE)) > ${v * 100}`,
  },
  {
    name: 'category views',
    text: (v) => `count(event = "Product Viewed" where category = "chaussures", within = ${v * 10}d) >= 2`,
    hand: (v, now) =>
      `SELECT profile_id FROM events WHERE type = 'track' AND event = 'Product Viewed' AND (properties->>'category') = 'chaussures' AND ${win(now, v * 10)} GROUP BY profile_id HAVING count(*) >= 2`,
  },
  {
    name: 'last performed within',
    text: (v) => `last(event = "Email Opened") within ${v * 2}d`,
    hand: (v, now) =>
      `SELECT profile_id FROM events WHERE type = 'track' AND event = 'Email Opened' GROUP BY profile_id HAVING max(ts) > TIMESTAMPTZ '${ago(now, v * 2)}' AND max(ts) <= TIMESTAMPTZ '${now}'`,
  },
  {
    name: 'not performed within',
    text: (v) => `not last(event = "Order Completed") within ${v * 15}d`,
    hand: (v, now) =>
      `SELECT profile_id FROM profiles WHERE profile_id NOT IN (SELECT profile_id FROM events WHERE type = 'track' AND event = 'Order Completed' AND ${win(now, v * 15)})`,
  },
  {
    name: 'traits only',
    text: (v) => `trait.age between ${20 + v * 5} and ${30 + v * 5} and trait.plan = "premium"`,
    hand: (v) =>
      `SELECT profile_id FROM profiles WHERE CAST((traits->>'age') AS INTEGER) BETWEEN ${20 + v * 5} AND ${30 + v * 5} AND (traits->>'plan') = 'premium'`,
  },
  {
    name: 'cart abandoners',
    text: (v) => `count(event = "Product Added", within = ${v * 24}h) >= 1 and not count(event = "Order Completed", within = ${v * 24}h) >= 1`,
    hand: (v, now) =>
      `SELECT profile_id FROM events WHERE type = 'track' AND event IN ('Product Added', 'Order Completed') AND ${win(now, v)} GROUP BY profile_id HAVING count(*) FILTER (WHERE event = 'Product Added') >= 1 AND count(*) FILTER (WHERE event = 'Order Completed') = 0`,
  },
  {
    name: 'distinct categories',
    text: (v) => `distinct(event = "Product Viewed", property = "category", within = ${v * 10}d) >= 3`,
    hand: (v, now) =>
      `SELECT profile_id FROM events WHERE type = 'track' AND event = 'Product Viewed' AND ${win(now, v * 10)} GROUP BY profile_id HAVING count(DISTINCT (properties->>'category')) >= 3`,
  },
  {
    name: 'random bucket',
    text: (v) => `random_bucket(${v * 5}%)`,
    hand: (v) => `SELECT profile_id FROM profiles WHERE CAST('0x' || left(md5(profile_id), 8) AS UBIGINT) % 10000 < ${v * 500}`,
  },
];

function definitions(): { name: string; text: string; def: Condition; hand: string }[] {
  const out = [];
  const now = NOW.toISOString();
  for (const t of TEMPLATES) {
    for (let v = 1; v <= 5; v++) {
      const text = t.text(v);
      const parsed = parseDefinition(text);
      if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
      out.push({ name: `${t.name} #${v}`, text, def: parsed.value, hand: t.hand(v, now) });
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

async function main(): Promise<void> {
  mkdirSync(opts.dir, { recursive: true });
  const path = join(opts.dir, `audience-${PROFILES}-${EVENTS}-${DAYS}.duckdb`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${mb(totalmem())} MB RAM, Node ${process.version}`);
  if (!existsSync(path)) {
    const t = Date.now();
    // Generated under another name and renamed when complete, so an interrupted run leaves no half-filled cache.
    const partial = `${path}.partial`;
    const { rmSync, renameSync } = await import('node:fs');
    rmSync(partial, { force: true });
    rmSync(`${partial}.wal`, { force: true });
    await writeSyntheticAudience({ path: partial, profiles: PROFILES, events: EVENTS, days: DAYS, now: NOW, logger: silentLogger });
    renameSync(partial, path);
    log(`generated ${PROFILES} profiles, ${EVENTS} events in ${((Date.now() - t) / 1000).toFixed(1)} s -> ${path}`);
  } else log(`using ${path}`);

  const defs = definitions();
  if (phases.has('batch')) {
    const store = await openDuckDbStore({ path, logger: silentLogger, memoryLimit: '1GB' });
    try {
      const compiled: SqlQuery[] = defs.map((d) =>
        compileSegment(expandComputed(d.def, BUILT_IN_COMPUTED_TRAITS), { dialect: store.dialect, now: NOW, isPii: () => false, segment: () => null }),
      );
      let tc = 0;
      let th = 0;
      log('\nbatch: compiled SQL vs hand-written SQL (median of 3, ms)');
      for (const [i, d] of defs.entries()) {
        const ct: number[] = [];
        const ht: number[] = [];
        let cn = 0;
        let hn = 0;
        for (let k = 0; k < 3; k++) {
          let t = performance.now();
          cn = await store.countProfiles(compiled[i] as SqlQuery);
          ct.push(performance.now() - t);
          t = performance.now();
          hn = await store.countProfiles({ sql: d.hand, params: [] });
          ht.push(performance.now() - t);
        }
        if (cn !== hn) throw new Error(`${d.name}: compiled selects ${cn}, hand-written ${hn}: not equivalent`);
        tc += median(ct);
        th += median(ht);
        log(`  ${d.name.padEnd(26)} ${String(cn).padStart(8)} members  compiled ${median(ct).toFixed(0).padStart(6)}  hand ${median(ht).toFixed(0).padStart(6)}  x${(median(ct) / median(ht)).toFixed(2)}`);
      }
      log(`batch total: compiled ${tc.toFixed(0)} ms, hand-written ${th.toFixed(0)} ms, ratio ${(tc / th).toFixed(2)} (goal <= 1.5)`);
    } finally {
      await store.close();
    }
  }

  if (phases.has('memory') || phases.has('latency')) {
    await memoryAndLatency(path, defs);
  }
}

async function traffic(s: Segmentum, url: string, tag: string): Promise<{ sent: Map<string, { t0: number; t1: number }>; count: number }> {
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const rate = Number(opts.rate);
  const seconds = Number(opts.seconds);
  const sent = new Map<string, { t0: number; t1: number }>();
  const pending: Promise<void>[] = [];
  const names = ['Order Completed', 'Email Opened', 'Product Added', 'Product Viewed'];
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const user = `u${String(1 + ((i * 7919) % PROFILES)).padStart(7, '0')}`;
    const messageId = `bench-${tag}-${i}`;
    const event = names[i % names.length] as string;
    const body = JSON.stringify({ userId: user, event, messageId, properties: { revenue: 250, category: 'chaussures', price: 40 } });
    const t0 = performance.now();
    pending.push(
      fetch(`${url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body }).then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) sent.set(messageId, { t0, t1: performance.now() });
      }),
    );
    i++;
  }
  await Promise.all(pending);
  void s;
  return { sent, count: i };
}

async function memoryAndLatency(path: string, defs: { name: string; text: string }[]): Promise<void> {
  // A copy, so the cached audience stays as generated.
  const { copyFileSync, rmSync } = await import('node:fs');
  const work = `${path}.live.duckdb`;
  rmSync(work, { force: true });
  rmSync(`${work}.wal`, { force: true });
  copyFileSync(path, work);
  const base = process.memoryUsage().rss;
  let t = Date.now();
  const config = parseConfig({ db: work, writeKey: WRITE_KEY, adminKey: ADMIN_KEY, port: 0, logLevel: 'silent' });
  const s = await createSegmentum(config, { logger: false });
  log(`\nstarted on ${PROFILES} profiles in ${((Date.now() - t) / 1000).toFixed(1)} s, RSS ${mb(process.memoryUsage().rss)} MB (before: ${mb(base)} MB)`);
  let baseline: number[] | null = null;
  let url = '';
  const listen = async (x: Segmentum): Promise<string> => {
    if (url) return url;
    await x.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = x.app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return url;
  };
  try {
    if (phases.has('latency')) {
      // The same traffic before any segment exists: what a durable commit costs here without the engine's work.
      const b = await traffic(s, await listen(s), 'base');
      baseline = [...b.sent.values()].map((x) => x.t1 - x.t0);
      log(`baseline: ${b.count} events at ${opts.rate}/s with no segment: p50 ${pct(baseline, 50).toFixed(1)} ms, p99 ${pct(baseline, 99).toFixed(1)} ms`);
    }
    t = Date.now();
    for (const d of defs) {
      const r = await s.segments.create({ name: d.name.replaceAll(/[^a-z0-9]+/gi, '-'), definition: d.text });
      if (!r.ok) throw new Error(r.error.message);
    }
    global.gc?.();
    const rss50 = process.memoryUsage().rss;
    log(`memory: 50 live segments created in ${((Date.now() - t) / 1000).toFixed(1)} s; RSS ${mb(rss50)} MB, heap ${mb(process.memoryUsage().heapUsed)} MB (goal < 2048 MB)`);
    if (!phases.has('latency')) return;

    // 50 more: variants on other windows, to reach 100.
    for (const d of defs) {
      const text = d.text.replace(/within = (\d+)d/, (_m, n: string) => `within = ${Number(n) + 1}d`).replace(/(\d+)%/, (_m, n: string) => `${Number(n) + 1}%`);
      const r = await s.segments.create({ name: `${d.name.replaceAll(/[^a-z0-9]+/gi, '-')}-b`, definition: text === d.text ? `${text} and trait.plan exists` : text });
      if (!r.ok) throw new Error(r.error.message);
    }
    log(`latency: 100 live segments; RSS ${mb(process.memoryUsage().rss)} MB`);
    const url = await listen(s);
    const before = await s.store.segmentEngineState();
    const { sent, count } = await traffic(s, url, 'live');
    const changes = await s.segments.changes(before.lastSeq, 1_000_000);
    const lat: number[] = [];
    const seen = new Set<string>();
    for (const c of changes) {
      const id = (c.reason as { messageId?: string }).messageId;
      if (!id || seen.has(id)) continue;
      const x = sent.get(id);
      if (!x) continue;
      seen.add(id);
      lat.push(x.t1 - x.t0);
    }
    const all = [...sent.values()].map((x) => x.t1 - x.t0);
    log(`latency: ${count} events at ${opts.rate}/s over ${opts.seconds} s; ${changes.length} membership changes from ${lat.length} events`);
    log(`  event -> change in feed: p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms (goal p99 < 20 ms)`);
    log(`  every event's 200:       p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms`);
    if (baseline) log(`  baseline, no segments:   p50 ${pct(baseline, 50).toFixed(1)} ms, p99 ${pct(baseline, 99).toFixed(1)} ms (same traffic, same process, before the segments)`);
    log(`  RSS at the end ${mb(process.memoryUsage().rss)} MB`);
  } finally {
    await s.close();
    rmSync(work, { force: true });
    rmSync(`${work}.wal`, { force: true });
  }
}

await main();
