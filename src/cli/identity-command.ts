import type { Command } from 'commander';
import { openBackend, type BackendOptions, type IdentityViewT, type MergeEdgeViewT } from './backend.js';
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
  const g = program.command('identity').description("The identity graph: a profile's identifiers and merges, merge, unmerge");

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
