/**
 * Ingest benchmark: how many events per second Segmentum acknowledges as durable, and how fast it answers at a
 * fixed load, next to what plain HTTP does on the same machine with the same client.
 *
 *   npm run bench:ingest                      the full run (about a minute)
 *   node dist/bench/ingest.js --help          options (phases, durations, connections, rate, CPU profile)
 *
 * The server is the built CLI (`segmentum serve`) on a temporary database file; the load comes from another process
 * (bench/ingest-client.ts), so each side has its own event loop. Phases:
 *   http  GET /healthz on the same server: the framework's request rate, no work (baseline)
 *   sink  the same batches POSTed to a no-op node:http server: the cost of HTTP and bodies alone (baseline)
 *   A     closed loop, N connections: durable events/s (only events in 200 answers count)
 *   B     open loop at a fixed rate (default 10,000 events/s): acknowledgement latency, queueing included
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './ingest-client.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '../src/cli/bin.js');
const CLIENT = join(HERE, 'ingest-client.js');
const WRITE_KEY = 'bench-write-key-0001';
const ADMIN_KEY = 'bench-admin-key-0001';
const PHASES = ['http', 'sink', 'A', 'B'] as const;
type Phase = (typeof PHASES)[number];

const { values: opts } = parseArgs({
  options: {
    phases: { type: 'string', default: PHASES.join(',') },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    'baseline-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    rate: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '100' },
    users: { type: 'string', default: '5000' },
    'cpu-prof': { type: 'boolean', default: false },
    'json-out': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (opts.help) {
  process.stdout.write(
    [
      'node dist/bench/ingest.js [options]',
      '  --phases http,sink,A,B   which phases to run (default all)',
      '  --seconds 15             measured seconds of phases A and B',
      '  --warmup 3               unmeasured seconds before each of them',
      '  --baseline-seconds 5     measured seconds of the baselines',
      '  --connections 16         concurrent connections (closed loop)',
      '  --rate 10000             events/s offered in phase B',
      '  --batch 100              events per batch',
      '  --users 5000             distinct users in the traffic',
      '  --cpu-prof               profile the server (V8 CPU profile) and print where its time went',
      '  --json-out FILE          also write the results there',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
};
const seconds = num('seconds', opts.seconds);
const warmup = Number(opts.warmup);
const baselineSeconds = num('baseline-seconds', opts['baseline-seconds']);
const connections = num('connections', opts.connections);
const rate = num('rate', opts.rate);
const batchSize = num('batch', opts.batch);
const users = num('users', opts.users);
const phases = (opts.phases ?? '').split(',').map((p) => {
  if (!(PHASES as readonly string[]).includes(p)) throw new Error(`unknown phase ${p}; use ${PHASES.join(',')}`);
  return p as Phase;
});

interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Spawns a process and waits for the line that gives its port. */
async function startChild(args: string[], portLine: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<Child & { port: number }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in 30 s\n${err}`)), 30_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = portLine.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => reject(new Error(`${args.join(' ')} exited (${code})\n${err}`)));
  });
  return { proc, exited, stderr: () => err, port };
}

/** CPU seconds (user + system, all threads) a process has used, from /proc; null where there is no /proc. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command; in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function runClient(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, [CLIENT, 'load', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the load client failed (${code})`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult;
}

async function getJson<T>(url: string, auth?: string): Promise<T> {
  const res = await fetch(url, auth ? { headers: { authorization: auth } } : {});
  return (await res.json()) as T;
}

/** Waits until the server has written everything queued, so that one phase's backlog does not slow the next. */
async function settle(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await getJson<{ pendingEvents?: number }>(`${url}/readyz`);
    if (!r.pendingEvents) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The group committer's counters from /metrics: how many transactions, how many events in them, how long. */
interface CommitCounters {
  commits: number;
  events: number;
  seconds: number;
}

async function commitCounters(url: string): Promise<CommitCounters> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    commits: value('segmentum_commit_duration_seconds_count'),
    events: value('segmentum_commit_batch_events_sum'),
    seconds: value('segmentum_commit_duration_seconds_sum'),
  };
}

interface CommitReport {
  commitsPerSecond: number;
  eventsPerCommit: number;
  meanCommitMs: number;
  /** Share of the phase the single writer spent committing: near 1, the writer is the bottleneck. */
  writerBusy: number;
}

interface PhaseReport {
  phase: Phase;
  label: string;
  requestsPerSecond: number;
  eventsPerSecond: number;
  latencyMs: LoadResult['latencyMs'];
  non200: Record<string, number>;
  serverCpuCores: number | null;
  clientCpuCores: number;
  commits: CommitReport | null;
  raw: LoadResult;
}

function report(phase: Phase, label: string, r: LoadResult, events: number, serverCpu: number | null, wall: number): PhaseReport {
  return {
    phase,
    label,
    requestsPerSecond: (r.requests - Object.values(r.failures).reduce((a, b) => a + b, 0)) / r.seconds,
    eventsPerSecond: events / r.seconds,
    latencyMs: r.latencyMs,
    non200: r.failures,
    serverCpuCores: serverCpu === null ? null : serverCpu / wall,
    clientCpuCores: r.clientCpuSeconds / wall,
    commits: null,
    raw: r,
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time of a V8 CPU profile, by module and by function: where the server's JavaScript thread spent its time. */
function summariseProfile(file: string): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let total = 0;
  samples.forEach((id, i) => {
    const dt = deltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const moduleOf = (n: ProfileNode): string => {
    const url = n.callFrame.url;
    if (url === '') return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm?.[1]) return nm[1];
    const own = /\/dist\/(.+)$/.exec(url);
    if (own?.[1]) return own[1];
    if (url.startsWith('node:')) return url;
    return url;
  };
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const m = moduleOf(n);
    byModule.set(m, (byModule.get(m) ?? 0) + t);
    const f = `${n.callFrame.functionName || '(anonymous)'}  ${m}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + t);
  }
  const top = (m: Map<string, number>, k: number): string[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, t]) => `  ${((100 * t) / total).toFixed(1).padStart(5)} %  ${(t / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return [
    `Server CPU profile (JavaScript thread, self time, ${(total / 1e6).toFixed(1)} s sampled; DuckDB's own threads are not in it):`,
    ' by module:',
    ...top(byModule, 15),
    ' by function:',
    ...top(byFunction, 20),
  ].join('\n');
}

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number | null): string => (n !== null && Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number | null): string => (n !== null && Number.isFinite(n) ? n.toFixed(2) : '-');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-bench-'));
  const db = join(dir, 'bench.duckdb');
  const profDir = join(dir, 'prof');
  const nodeFlags = opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEGMENTUM_')));
  const loadBefore = loadavg();
  const started = new Date();

  const server = await startChild(
    [...nodeFlags, BIN, 'serve', '--port', '0', '--db', db, '--write-key', WRITE_KEY, '--admin-key', ADMIN_KEY, '--log-level', 'warn'],
    /Segmentum is running on http:\/\/[^\s:]+:(\d+)/,
    env,
  );
  const url = `http://127.0.0.1:${server.port}`;
  let sink: (Child & { port: number }) | null = null;
  const reports: PhaseReport[] = [];
  const runId = `b${Date.now().toString(36)}`;
  let ackedTotal = 0;

  const measure = async (phase: Phase, label: string, spec: LoadSpec, pid: number | undefined, events: (r: LoadResult) => number) => {
    const ingest = spec.url === url && spec.mode === 'batch';
    const c0 = ingest ? await commitCounters(url) : null;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const r = await runClient(spec);
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(pid);
    const rep = report(phase, label, r, events(r), cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, wall);
    if (c0) {
      const c1 = await commitCounters(url);
      const commits = c1.commits - c0.commits;
      rep.commits = {
        commitsPerSecond: commits / wall,
        eventsPerCommit: (c1.events - c0.events) / commits,
        meanCommitMs: (1000 * (c1.seconds - c0.seconds)) / commits,
        writerBusy: (c1.seconds - c0.seconds) / wall,
      };
    }
    reports.push(rep);
    process.stderr.write(`  ${label}: ${f0(rep.eventsPerSecond || rep.requestsPerSecond)} ${rep.eventsPerSecond ? 'events' : 'requests'}/s\n`);
    return r;
  };

  const base: Omit<LoadSpec, 'mode' | 'path' | 'url' | 'schedule' | 'seconds' | 'warmupSeconds'> = {
    writeKey: WRITE_KEY,
    batchSize,
    users,
    runId,
    seed: 1,
  };

  try {
    process.stderr.write(`Segmentum ingest benchmark: server pid ${server.proc.pid} on ${url}, database ${db}\n`);
    for (const phase of phases) {
      if (phase === 'http') {
        await measure(
          phase,
          'baseline: GET /healthz (same server)',
          { ...base, url, mode: 'get', path: '/healthz', schedule: { kind: 'closed', connections }, warmupSeconds: 1, seconds: baselineSeconds },
          server.proc.pid,
          () => 0,
        );
      } else if (phase === 'sink') {
        sink = await startChild([CLIENT, 'sink'], /listening (\d+)/, env);
        await measure(
          phase,
          'baseline: POST batches to a no-op node:http server',
          {
            ...base,
            url: `http://127.0.0.1:${sink.port}`,
            mode: 'batch',
            path: '/v1/batch',
            schedule: { kind: 'closed', connections },
            warmupSeconds: 1,
            seconds: baselineSeconds,
            runId: `${runId}s`,
          },
          sink.proc.pid,
          (r) => (r.requests - Object.values(r.failures).reduce((a, b) => a + b, 0)) * batchSize,
        );
        sink.proc.kill('SIGTERM');
        await sink.exited;
      } else if (phase === 'A') {
        const r = await measure(
          phase,
          `A: max durable throughput, ${connections} connections`,
          { ...base, url, mode: 'batch', path: '/v1/batch', schedule: { kind: 'closed', connections }, warmupSeconds: warmup, seconds, runId: `${runId}a` },
          server.proc.pid,
          (x) => x.ackedEvents,
        );
        ackedTotal += r.ackedEvents + r.ackedOutsideWindow;
        await settle(url);
      } else {
        const r = await measure(
          phase,
          `B: open loop, ${f0(rate)} events/s offered`,
          {
            ...base,
            url,
            mode: 'batch',
            path: '/v1/batch',
            schedule: { kind: 'open', requestsPerSecond: rate / batchSize, maxSockets: 64 },
            warmupSeconds: warmup,
            seconds,
            runId: `${runId}b`,
          },
          server.proc.pid,
          (x) => x.ackedEvents,
        );
        ackedTotal += r.ackedEvents + r.ackedOutsideWindow;
        await settle(url);
      }
    }

    const stats = await getJson<{ events: number; profiles: number; duplicates: number }>(`${url}/api/stats`, `Bearer ${ADMIN_KEY}`);
    server.proc.kill('SIGTERM');
    const exitCode = await server.exited;
    const dbBytes = statSync(db).size;

    const a = reports.find((r) => r.phase === 'A');
    const b = reports.find((r) => r.phase === 'B');
    const http = reports.find((r) => r.phase === 'http');
    const sinkRep = reports.find((r) => r.phase === 'sink');
    const result = {
      date: started.toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), loadAverageBefore: loadBefore },
      node: process.version,
      command: `node dist/bench/ingest.js ${process.argv.slice(2).join(' ')}`.trim(),
      settings: { seconds, warmup, baselineSeconds, connections, rate, batchSize, users, averageEventBytes: a?.raw.averageEventBytes ?? b?.raw.averageEventBytes ?? null },
      phases: reports.map(({ raw, ...r }) => ({ ...r, requests: raw.requests, lateStarts: raw.lateStarts, maxInFlight: raw.maxInFlight })),
      ratios: {
        durableEventsVsNoopSinkEvents: a && sinkRep ? a.eventsPerSecond / sinkRep.eventsPerSecond : null,
        batchRequestsVsHealthzRequests: a && http ? a.requestsPerSecond / http.requestsPerSecond : null,
      },
      goals: {
        durableEventsPerSecondAtLeast50k: a ? a.eventsPerSecond >= 50_000 : null,
        p99Below50msAt10kEventsPerSecond: b ? b.latencyMs.p99 < 50 : null,
      },
      check: { acknowledgedEvents: ackedTotal, storedEvents: stats.events, profiles: stats.profiles, databaseBytes: dbBytes, serverExitCode: exitCode },
    };

    const rows = reports.map((r) =>
      [
        r.label.padEnd(52),
        f0(r.requestsPerSecond).padStart(8),
        (r.phase === 'http' ? '-' : f0(r.eventsPerSecond)).padStart(9),
        f1(r.latencyMs.p50).padStart(7),
        f1(r.latencyMs.p95).padStart(7),
        f1(r.latencyMs.p99).padStart(7),
        f1(r.latencyMs.max).padStart(7),
        String(Object.values(r.non200).reduce((x, y) => x + y, 0)).padStart(7),
        f2(r.serverCpuCores).padStart(7),
        f2(r.clientCpuCores).padStart(7),
      ].join(' '),
    );
    const out = [
      '',
      `Segmentum ingest benchmark, ${result.date}`,
      `Node ${result.node}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), ${result.machine.memoryGiB} GiB, load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      `batches of ${batchSize} events (${result.settings.averageEventBytes ?? '?'} bytes each on average), ${users} users, ${connections} connections`,
      '',
      `${'phase'.padEnd(52)} ${'req/s'.padStart(8)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'non-200'.padStart(7)} ${'srv CPU'.padStart(7)} ${'cli CPU'.padStart(7)}`,
      ...rows,
      '',
      '(server/client CPU in cores over the whole phase, warm-up included; the sink row shows the sink process)',
      ...reports
        .filter((r) => r.commits)
        .map(
          (r) =>
            `${r.phase}: ${f1(r.commits?.commitsPerSecond ?? null)} commits/s, ${f0(r.commits?.eventsPerCommit ?? Number.NaN)} events per commit, ` +
            `${f1(r.commits?.meanCommitMs ?? null)} ms per commit, single writer busy ${f0(100 * (r.commits?.writerBusy ?? Number.NaN))} % of the time`,
        ),
      `durable events/s ÷ no-op sink events/s: ${f2(result.ratios.durableEventsVsNoopSinkEvents)}`,
      `batch requests/s ÷ GET /healthz requests/s: ${f2(result.ratios.batchRequestsVsHealthzRequests)}`,
      `goal >= 50,000 durable events/s: ${a ? (result.goals.durableEventsPerSecondAtLeast50k ? 'met' : `not met (${f0(a.eventsPerSecond)})`) : 'not run'}`,
      `goal p99 < 50 ms at ${f0(rate)} events/s: ${b ? (result.goals.p99Below50msAt10kEventsPerSecond ? 'met' : `not met (p99 ${f1(b.latencyMs.p99)} ms)`) : 'not run'}`,
      `check: ${f0(ackedTotal)} events acknowledged, ${f0(stats.events)} stored; database ${(dbBytes / 2 ** 20).toFixed(1)} MiB; server exit code ${exitCode}`,
      '',
    ];
    process.stdout.write(out.join('\n'));
    if (opts['cpu-prof']) {
      const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (prof) process.stdout.write(`${summariseProfile(join(profDir, prof))}\n\n`);
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (opts['json-out']) writeFileSync(opts['json-out'], `${JSON.stringify(result, null, 2)}\n`);
    if (stats.events < ackedTotal) {
      process.stderr.write(`FAILED: ${ackedTotal - stats.events} acknowledged events are not stored\n`);
      process.exitCode = 1;
    }
  } finally {
    if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
    if (sink && sink.proc.exitCode === null && sink.proc.signalCode === null) sink.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
