/**
 * The load side of bench/ingest.ts, run as its own process so that its CPU is not the server's. Two roles:
 *
 *   node dist/bench/ingest-client.js load '<LoadSpec JSON>'   posts batches, prints one JSON line of results
 *   node dist/bench/ingest-client.js sink                      a no-op HTTP server (the baseline), prints its port
 *
 * It uses node:http with a keep-alive Agent: the lightest client Node has (lighter than fetch), so that on a small
 * machine the client takes as little CPU from the server as possible.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadSpec {
  url: string;
  /** POST a batch body (events counted from 200 answers), or GET a path (requests counted). */
  mode: 'batch' | 'get';
  path: string;
  writeKey: string;
  /** closed: `connections` loops, each sending its next request when the last is answered. open: a fixed rate. */
  schedule: { kind: 'closed'; connections: number } | { kind: 'open'; requestsPerSecond: number; maxSockets: number };
  warmupSeconds: number;
  seconds: number;
  batchSize: number;
  users: number;
  /** Distinguishes this run's messageIds from any other run's, so that none is a duplicate. */
  runId: string;
  seed: number;
}

export interface LoadResult {
  /** Measured window, warm-up excluded. */
  seconds: number;
  requests: number;
  /** Events in 200 answers (accepted + duplicates), i.e. acknowledged as durable. */
  ackedEvents: number;
  acceptedEvents: number;
  duplicates: number;
  rejectedEvents: number;
  /** Answers other than 200, by status; 0 stands for a network error. */
  failures: Record<string, number>;
  bytesSent: number;
  averageEventBytes: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** Open loop only: requests the schedule started more than one interval late (the client fell behind). */
  lateStarts: number;
  /** Open loop only: most requests outstanding at once (above maxSockets, the rest queued in the client). */
  maxInFlight: number;
  /** Events acknowledged during warm-up and after the window (not in the rate, but stored). */
  ackedOutsideWindow: number;
  clientCpuSeconds: number;
}

/** A small deterministic generator (mulberry32): the same seed gives the same traffic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Camille', 'Léa', 'Manon', 'Chloé', 'Louis', 'Gabriel', 'Hugo', 'Arthur', 'Jules', 'Inès'];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille', 'Bordeaux', 'Rennes'];
const CATEGORIES = ['mode', 'maison', 'beaute', 'sport', 'enfants'];
const PAGES = ['/', '/femme/robes', '/homme/chemises', '/maison/linge', '/panier', '/compte'];
const AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1'];

/**
 * One realistic event (10 % identify, 55 % track, 35 % page) for one of `users` people, about 400 bytes of JSON.
 * Its messageId is the placeholder `@@ID@@-<n>`, replaced per request, so bodies are built once and stay unique.
 */
function makeEvent(r: () => number, users: number, n: number, at: number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const u = Math.floor(r() * users);
  const userId = `user-${u.toString().padStart(6, '0')}`;
  const anonymousId = `anon-${(u * 2654435761).toString(16).padStart(12, '0').slice(0, 12)}`;
  const base = {
    messageId: `@@ID@@-${n}`,
    userId,
    anonymousId,
    timestamp: new Date(at - Math.floor(r() * 3_600_000)).toISOString(),
    context: {
      library: { name: 'analytics.js', version: '5.2.0' },
      ip: `203.0.113.${u % 250}`,
      locale: 'fr-FR',
      userAgent: pick(AGENTS),
    },
  };
  const x = r();
  if (x < 0.1) {
    return {
      ...base,
      type: 'identify',
      traits: { email: `${userId}@example.fr`, firstName: FIRST[u % FIRST.length], city: CITIES[u % CITIES.length], plan: u % 7 === 0 ? 'premium' : 'free' },
    };
  }
  if (x < 0.65) {
    const price = Math.round(r() * 20000) / 100;
    return {
      ...base,
      type: 'track',
      event: pick(['Product Viewed', 'Product Viewed', 'Product Added', 'Order Completed']),
      properties: { product_id: `p-${Math.floor(r() * 5000)}`, category: pick(CATEGORIES), price, currency: 'EUR', quantity: 1 + Math.floor(r() * 3) },
    };
  }
  const path = pick(PAGES);
  return {
    ...base,
    type: 'page',
    name: path === '/' ? 'Accueil' : path.split('/').pop(),
    properties: { path, url: `https://boutique.example.fr${path}`, referrer: 'https://www.google.fr/' },
  };
}

/** Batch bodies built once (256 of them, so that nearly all `users` appear): each request gives its events unique messageIds. */
function makeTemplates(spec: LoadSpec, count: number): { templates: string[]; averageEventBytes: number } {
  const r = rng(spec.seed);
  const now = Date.now();
  const templates: string[] = [];
  let eventBytes = 0;
  let events = 0;
  for (let t = 0; t < count; t++) {
    const batch = Array.from({ length: spec.batchSize }, (_, i) => makeEvent(r, spec.users, i, now));
    for (const e of batch) eventBytes += JSON.stringify(e).length;
    events += batch.length;
    templates.push(JSON.stringify({ batch, sentAt: new Date(now).toISOString() }));
  }
  return { templates, averageEventBytes: Math.round(eventBytes / Math.max(1, events)) };
}

interface Answer {
  status: number;
  body: string;
}

function request(agent: http.Agent, url: URL, method: string, path: string, headers: http.OutgoingHttpHeaders, body: string | null): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body ?? undefined);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const sockets = spec.schedule.kind === 'closed' ? spec.schedule.connections : spec.schedule.maxSockets;
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const { templates, averageEventBytes } = spec.mode === 'batch' ? makeTemplates(spec, 256) : { templates: [''], averageEventBytes: 0 };
  const auth = `Basic ${Buffer.from(`${spec.writeKey}:`).toString('base64')}`;
  const cpuStart = process.cpuUsage();

  const start = performance.now();
  const windowStart = start + spec.warmupSeconds * 1000;
  const windowEnd = windowStart + spec.seconds * 1000;
  const latencies: number[] = [];
  const result: LoadResult = {
    seconds: spec.seconds,
    requests: 0,
    ackedEvents: 0,
    acceptedEvents: 0,
    duplicates: 0,
    rejectedEvents: 0,
    failures: {},
    bytesSent: 0,
    averageEventBytes,
    latencyMs: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
    lateStarts: 0,
    maxInFlight: 0,
    ackedOutsideWindow: 0,
    clientCpuSeconds: 0,
  };
  let seq = 0;

  /** Sends one request; `due` is when it should have started, so queueing behind busy sockets counts as latency. */
  const send = async (due: number): Promise<void> => {
    const n = seq++;
    let body: string | null = null;
    const headers: http.OutgoingHttpHeaders = {};
    if (spec.mode === 'batch') {
      body = (templates[n % templates.length] as string).replaceAll('@@ID@@', `${spec.runId}-${n}`);
      headers.authorization = auth;
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const answer = await request(agent, url, spec.mode === 'batch' ? 'POST' : 'GET', spec.path, headers, body);
    const done = performance.now();
    // Closed loop: what was answered within the window. Open loop: what was scheduled within it, however late the
    // answer, so that a backlog answered late counts against latency and not as extra throughput.
    const at = spec.schedule.kind === 'open' ? due : done;
    const inWindow = at >= windowStart && at < windowEnd;
    let acked = 0;
    if (answer.status === 200 && spec.mode === 'batch') {
      const r = JSON.parse(answer.body) as { accepted: number; duplicates: number; rejected: unknown[] };
      acked = r.accepted + r.duplicates;
      if (inWindow) {
        result.acceptedEvents += r.accepted;
        result.duplicates += r.duplicates;
        result.rejectedEvents += r.rejected.length;
      }
    }
    if (!inWindow) {
      result.ackedOutsideWindow += acked;
      return;
    }
    result.requests++;
    result.bytesSent += body ? Buffer.byteLength(body) : 0;
    if (answer.status === 200) {
      result.ackedEvents += acked;
      latencies.push(done - due);
    } else {
      result.failures[String(answer.status)] = (result.failures[String(answer.status)] ?? 0) + 1;
    }
  };

  if (spec.schedule.kind === 'closed') {
    await Promise.all(
      Array.from({ length: spec.schedule.connections }, async () => {
        while (performance.now() < windowEnd) await send(performance.now());
      }),
    );
  } else {
    // Open loop: request k is due at start + k/rate whatever happened to earlier ones (no coordinated omission).
    const interval = 1000 / spec.schedule.requestsPerSecond;
    const inflight = new Set<Promise<void>>();
    let k = 0;
    while (start + k * interval < windowEnd) {
      const now = performance.now();
      while (start + k * interval <= now) {
        const due = start + k * interval;
        if (now - due > interval) result.lateStarts++;
        const p = send(due);
        inflight.add(p);
        result.maxInFlight = Math.max(result.maxInFlight, inflight.size);
        void p.finally(() => inflight.delete(p));
        k++;
      }
      const next = start + k * interval - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, next)));
    }
    await Promise.all(inflight);
  }

  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  result.latencyMs = {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
  };
  const cpu = process.cpuUsage(cpuStart);
  result.clientCpuSeconds = (cpu.user + cpu.system) / 1e6;
  return result;
}

/** Reads each body and answers a fixed 200: what HTTP alone costs in Node, the ceiling for any ingest server. */
function runSink(): void {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"ok":true,"received":${bytes},"accepted":0,"duplicates":0,"rejected":[]}`);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

const [role, arg] = process.argv.slice(2);
if (role === 'sink') runSink();
else if (role === 'load' && arg) {
  const result = await runLoad(JSON.parse(arg) as LoadSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stderr.write('usage: ingest-client.js load <spec JSON> | sink\n');
  process.exitCode = 2;
}
