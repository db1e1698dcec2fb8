import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import { openBackend, type BackendOptions, type IdentityViewT, type MergeEdgeViewT, type ReviewPairViewT } from './backend.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum identity ...`: a profile's identifiers and merges, merge on demand, unmerge. On the database file or
 * through a running server (--url, with a key that has the manage scope for merge and unmerge); --json prints the
 * API's documents (src/api/identity-routes.ts) either way.
 */

interface Common extends BackendOptions {
  json?: boolean | undefined;
}

export function registerIdentityCommands(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  const g = program
    .command('identity')
    .description("The identity graph: a profile's identifiers and merges, merge, unmerge, matching and its review queue");

  readOptions(
    g
      .command('show')
      .description('Identifiers, merges (with their evidence and ids) and the identity audit log of a profile')
      .argument('<profile>', 'profile id, userId, anonymousId or email'),
  ).action((ref: string, o: Common) => identityShow(ref, o, io));

  readOptions(
    g
      .command('merge')
      .description('Merge two profiles: the older survives; refused when it would break the identifier limits')
      .argument('<a>', 'profile id, userId, anonymousId or email')
      .argument('<b>', 'the other profile'),
  )
    .option('--reason <text>', 'kept with the merge and in the audit log')
    .action((a: string, b: string, o: Common & { reason?: string }) => identityMerge(a, b, o, io));

  readOptions(
    g
      .command('unmerge')
      .description('Undo a merge: the merged profile gets back its identifiers, events and traits; segments follow')
      .argument('<merge>', 'the merge id (mrg_..., from identity show)'),
  )
    .option('--reason <text>', 'kept in the audit log')
    .action((mergeId: string, o: Common & { reason?: string }) => identityUnmerge(mergeId, o, io));

  readOptions(
    g
      .command('match')
      .description('Match every profile against the others: merge near-certain pairs, queue probable ones for review'),
  )
    .option('--auto-merge <p>', 'merge pairs at or above this probability (default identity.matching.autoMergeAt, 0.99)')
    .option('--review <p>', 'queue pairs from this probability for review (default identity.matching.reviewAt, 0.8)')
    .option('--dry-run', 'find and count; change nothing')
    .action((o: Common & { autoMerge?: string; review?: string; dryRun?: boolean }) => identityMatch(o, io));

  const review = g.command('review').description('The review queue of probable duplicates: list, show, accept, reject');
  readOptions(review.command('list', { isDefault: true }).description('Pairs waiting for a decision (or decided, with --status)'))
    .option('--status <status>', 'pending (default), accepted or rejected', 'pending')
    .option('--limit <n>', 'at most this many', '50')
    .action((o: Common & { status: string; limit: string }) => reviewList(o, io));
  readOptions(review.command('show').description('Both records of a pair side by side, with the agreement of each field').argument('<pair>', 'the pair id (rev_...)'))
    .action((pairId: string, o: Common) => reviewShow(pairId, o, io));
  readOptions(review.command('accept').description('Merge the two profiles of a pair').argument('<pair>', 'the pair id (rev_...)')).action(
    (pairId: string, o: Common) => reviewDecide(pairId, 'accept', o, io),
  );
  readOptions(review.command('reject').description('Keep the two profiles apart; the pair is not proposed again').argument('<pair>', 'the pair id')).action(
    (pairId: string, o: Common) => reviewDecide(pairId, 'reject', o, io),
  );
}

function probability(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const p = Number(text);
  if (!Number.isFinite(p) || p < 0 || p > 1) throw new AppError('config.invalid', `${option} takes a probability between 0 and 1; got "${text}".`);
  return p;
}

export async function identityMatch(o: Common & { autoMerge?: string; review?: string; dryRun?: boolean }, io: Io): Promise<void> {
  const input = { autoMergeAt: probability(o.autoMerge, '--auto-merge'), reviewAt: probability(o.review, '--review'), dryRun: o.dryRun === true };
  const b = await openBackend(o);
  try {
    const r = await b.identityMatch(input);
    if (o.json) return io.out(JSON.stringify(r));
    io.out(
      table([
        ['profiles compared', r.profiles],
        ['fields', r.fields.join(', ')],
        ['candidate pairs', r.candidatePairs],
        [`pairs >= ${r.autoMergeAt}`, r.autoPairs],
        [r.dryRun ? 'would merge' : 'merged', r.dryRun ? r.autoPairs : r.merged],
        ['sent to review (too little evidence)', r.demoted],
        [`pairs in review band (>= ${r.reviewAt})`, r.reviewPairs],
        ['new in the review queue', r.queued],
        ['refused (identifier limits)', r.refused],
        ['left apart (unmerged before)', r.blocked],
        ['seconds', r.seconds.toFixed(2)],
      ]),
    );
    if (r.queued > 0) io.err(`Review the probable duplicates with: segmentum identity review`);
  } finally {
    await b.close();
  }
}

const STATUSES = ['pending', 'accepted', 'rejected'] as const;

export async function reviewList(o: Common & { status: string; limit: string }, io: Io): Promise<void> {
  const status = STATUSES.find((x) => x === o.status);
  if (!status) throw new AppError('config.invalid', `--status takes pending, accepted or rejected; got "${o.status}".`);
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('config.invalid', `--limit takes a whole number from 1 to 500; got "${o.limit}".`);
  const b = await openBackend(o);
  try {
    const res = await b.reviewList({ status, limit, offset: 0 });
    if (o.json) return io.out(JSON.stringify(res));
    if (res.items.length === 0) return io.out(`No ${status} pairs.`);
    io.out(columns(['pair', 'probability', 'a', 'b', 'agreeing fields', 'status'], res.items.map((p) => [p.id, p.probability.toFixed(3), p.a, p.b, agreeing(p), p.status])));
    if (res.total > res.items.length) io.err(`${res.total - res.items.length} more; use --limit or --json.`);
  } finally {
    await b.close();
  }
}

function agreeing(p: ReviewPairViewT): string {
  const fields = Array.isArray(p.evidence.fields) ? (p.evidence.fields as { field: string; level: string; weight: number }[]) : [];
  return fields
    .filter((f) => f.weight > 0)
    .map((f) => f.field)
    .join(', ');
}

export async function reviewShow(pairId: string, o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const d = await b.reviewShow(pairId);
    if (o.json) return io.out(JSON.stringify(d));
    const fields = Array.isArray(d.pair.evidence.fields) ? (d.pair.evidence.fields as { field: string; level: string; weight: number }[]) : [];
    io.out(table([['pair', d.pair.id], ['probability', d.pair.probability.toFixed(4)], ['status', d.pair.status], ['a', d.pair.a], ['b', d.pair.b]]));
    io.out('');
    io.out(columns(['field', 'a', 'b', 'agreement', 'weight'], fields.map((f) => [f.field, d.records.a[f.field] ?? null, d.records.b[f.field] ?? null, f.level, f.weight.toFixed(2)])));
  } finally {
    await b.close();
  }
}

export async function reviewDecide(pairId: string, decision: 'accept' | 'reject', o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const p = await b.reviewDecide(pairId, decision);
    if (o.json) return io.out(JSON.stringify(p));
    io.out(p.status === 'accepted' ? `Accepted: ${p.a} and ${p.b} are one profile${p.mergeId ? ` (merge ${p.mergeId})` : ''}.` : `Rejected: ${p.a} and ${p.b} stay apart.`);
  } finally {
    await b.close();
  }
}

function printMerges(io: Io, merges: MergeEdgeViewT[]): void {
  io.out(
    columns(
      ['merge', 'at', 'survivor', 'merged', 'cause', 'status', 'why'],
      merges.map((m) => [m.id, m.at, m.survivor, m.merged, m.cause, m.status, evidenceLine(m)]),
    ),
  );
}

function evidenceLine(m: MergeEdgeViewT): string {
  const e = m.evidence;
  if (typeof e.probability === 'number') return `match p=${e.probability.toFixed(3)}`;
  if (Array.isArray(e.identifiers)) return `shared ${e.identifiers.join(', ')}`;
  return typeof e.reason === 'string' ? e.reason : '';
}

function printIdentity(io: Io, v: IdentityViewT): void {
  io.out(table([['profile', v.profileId], ...(v.mergedFrom ? [['merged from', v.mergedFrom] as [string, string]] : [])]));
  io.out('');
  io.out(columns(['kind', 'value', 'first seen'], v.identities.map((i) => [i.kind, i.value, i.firstSeen])));
  io.out('');
  if (v.merges.length === 0) io.out('No merges.');
  else printMerges(io, v.merges);
}

export async function identityShow(ref: string, o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const v = await b.identityShow(ref);
    if (o.json) return io.out(JSON.stringify(v));
    printIdentity(io, v);
  } finally {
    await b.close();
  }
}

export async function identityMerge(a: string, bRef: string, o: Common & { reason?: string }, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const m = await b.identityMerge(a, bRef, o.reason);
    if (o.json) return io.out(JSON.stringify(m));
    io.out(`Merged ${m.merged} into ${m.survivor} (merge ${m.id}). Undo with: segmentum identity unmerge ${m.id}`);
  } finally {
    await b.close();
  }
}

export async function identityUnmerge(mergeId: string, o: Common & { reason?: string }, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const r = await b.identityUnmerge(mergeId, o.reason);
    if (o.json) return io.out(JSON.stringify(r));
    io.out(`Restored ${r.restored} from ${r.survivor}: ${r.events} events and ${r.identities.length} identifiers went back.`);
  } finally {
    await b.close();
  }
}
