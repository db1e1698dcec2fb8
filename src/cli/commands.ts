import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/index.js';
import { dirtyCustomersCsv, generateDirtyCustomers } from '../demo/dirty-customers.js';
import { AppError } from '../kernel/index.js';
import { createSegmentum } from '../main.js';
import { openBackend, type BackendOptions } from './backend.js';
import { loadDemo } from './load-demo.js';
import { table, type Io } from './output.js';

export interface ReadOptions extends BackendOptions {
  json?: boolean | undefined;
}

function intOption(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new AppError('config.invalid', `--${name} must be a whole number, got "${v}".`);
  return n;
}

export async function demoCommand(
  o: { profiles?: string; days?: string; seed?: string; now?: string; db?: string; json?: boolean; customersCsv?: string },
  io: Io,
): Promise<void> {
  if (o.customersCsv !== undefined) return demoCustomersCsv(o.customersCsv, o, io);
  const s = await createSegmentum(loadConfig({ env: process.env, flags: o.db ? { db: o.db } : {} }), { logger: false });
  try {
    let now = new Date();
    now.setUTCHours(0, 0, 0, 0);
    if (o.now) {
      now = new Date(o.now);
      if (Number.isNaN(now.getTime())) throw new AppError('config.invalid', `--now must be an ISO date, got "${o.now}".`);
    }
    const summary = await loadDemo(
      s,
      { profiles: intOption('profiles', o.profiles, 10_000), days: intOption('days', o.days, 180), seed: intOption('seed', o.seed, 42), now },
      io,
    );
    if (o.json) io.out(JSON.stringify(summary));
    else {
      io.out(
        table([
          ['events generated', summary.messages],
          ['accepted', summary.accepted],
          ['duplicates', summary.duplicates],
          ['quarantined', summary.rejected],
          ['example segments', summary.segments],
          ['RFM customers', summary.rfmCustomers],
          ['seconds', summary.seconds.toFixed(1)],
        ]),
      );
    }
  } finally {
    await s.close();
  }
}

/** `demo --customers-csv FILE`: the dirty customer file of the demo's generator, for imports and matching. */
function demoCustomersCsv(file: string, o: { profiles?: string; seed?: string; json?: boolean }, io: Io): void {
  const records = intOption('profiles', o.profiles, 10_000);
  if (records < 2) throw new AppError('config.invalid', '--profiles must be at least 2 for a customer file.');
  const seed = intOption('seed', o.seed, 42);
  const d = generateDirtyCustomers(records, seed);
  try {
    // One record in a hundred has a value no import accepts: what the quarantine of an import is for.
    writeFileSync(file, dirtyCustomersCsv(d, { share: 0.01, seed: seed + 1 }));
  } catch (cause) {
    throw new AppError('config.invalid', `Cannot write ${file}.`, { cause });
  }
  const people = new Set(d.entity).size;
  const summary = { file, records, people, duplicates: records - people, seed };
  if (o.json) io.out(JSON.stringify(summary));
  else io.out(`Wrote ${records} customer records (${people} people, ${records - people} duplicate records) to ${file}.`);
}

export async function statsCommand(o: ReadOptions, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const st = await b.stats();
    io.out(o.json ? JSON.stringify(st) : table(Object.entries(st)));
  } finally {
    await b.close();
  }
}

export async function profileCommand(ref: string, o: ReadOptions, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const p = await b.profile(ref);
    if (o.json) {
      io.out(JSON.stringify(p));
      return;
    }
    io.out(
      [
        table([
          ['profile', p.id],
          ...(p.mergedFrom ? ([['merged from', p.mergedFrom]] as [string, string][]) : []),
          ['first seen', p.firstSeen],
          ['last seen', p.lastSeen],
          ['events', `${p.events.total} (${Object.entries(p.events.byType).map(([k, v]) => `${k} ${v}`).join(', ')})`],
        ]),
        '',
        'identities:',
        ...p.identities.map((i) => `  ${i.kind.padEnd(13)} ${i.value}`),
        'traits:',
        ...Object.entries(p.traits).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
        'personal (vault):',
        ...Object.entries(p.personal).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
        ...(p.accounts.length > 0 ? ['accounts:', ...p.accounts.map((a) => `  ${a.id} ${JSON.stringify(a.traits)}`)] : []),
      ].join('\n'),
    );
  } finally {
    await b.close();
  }
}

export async function quarantineListCommand(
  o: ReadOptions & { code?: string; status?: string; limit?: string },
  io: Io,
): Promise<void> {
  const b = await openBackend(o);
  try {
    const res = await b.quarantineList({ code: o.code, status: o.status ?? 'pending', limit: intOption('limit', o.limit, 50) });
    if (o.json) {
      io.out(JSON.stringify(res));
      return;
    }
    io.out(`${res.total} quarantined event(s)${res.items.length < res.total ? `, showing ${res.items.length}` : ''}`);
    for (const q of res.items) {
      io.out(`${q.id}  ${q.receivedAt}  ${q.code}${q.path ? ` at ${q.path}` : ''}  ${q.message}`);
      io.out(`    ${q.raw.length > 160 ? `${q.raw.slice(0, 157)}...` : q.raw}`);
    }
  } finally {
    await b.close();
  }
}

export async function quarantineReplayCommand(
  o: ReadOptions & { id?: string[]; code?: string; all?: boolean; limit?: string },
  io: Io,
): Promise<void> {
  if (!o.id?.length && !o.code && !o.all) {
    throw new AppError('config.invalid', 'Say what to replay: --id ID (repeatable), --code CODE, or --all.');
  }
  const b = await openBackend(o);
  try {
    const report = await b.quarantineReplay({ ids: o.id, code: o.code, limit: intOption('limit', o.limit, 1000) });
    if (o.json) io.out(JSON.stringify(report));
    else {
      io.out(table([['replayed', report.replayed], ['still rejected', report.stillRejected], ['duplicates', report.duplicates]]));
      for (const r of report.results.filter((x) => x.outcome === 'rejected')) io.out(`  ${r.id}: ${r.code} ${r.message}`);
    }
  } finally {
    await b.close();
  }
}
