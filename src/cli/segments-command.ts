import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import { openBackend, type Backend, type BackendOptions, type ExplainNodeT, type SegmentViewT } from './backend.js';
import { attachSource, columns, table, truncate, type Io } from './output.js';

/**
 * `segmentum segments ...`: segments on the database file or through a running server (--url). Every answer is
 * the API's (src/api/segment-routes.ts), so --json prints the same document whichever backend served it.
 */

interface Common extends BackendOptions {
  json?: boolean | undefined;
}

interface DefinitionOptions {
  definition?: string | undefined;
  file?: string | undefined;
}

type Definition = string | Record<string, unknown>;

const TEXT_COLUMN = 60;

/** Registers the group; `readOptions` adds --db, --url, --admin-key and --json as for the other read commands. */
export function registerSegmentsCommands(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  const g = program.command('segments').description('Create, change, inspect and explain segments; members, previews and the change feed');
  const defOptions = (c: Command): Command =>
    c
      .option('--definition <text>', 'the definition in the text form (docs/segments.md)')
      .option('--file <path>', 'read the definition from a file: the text form, or the AST if the name ends in .json ("-" for stdin)');

  readOptions(g.command('list').description('Every segment with its size')).action((o: Common) => segmentsList(o, io));

  defOptions(readOptions(g.command('create').description('Create a rule segment, or a manual list with --manual').argument('<name>')))
    .option('--description <text>', 'what the segment is for')
    .option('--manual', 'no definition: a manual list, whose members are uploaded (segments upload)')
    .action((name: string, o: Common & DefinitionOptions & { description?: string; manual?: boolean }) => segmentsCreate(name, o, io));

  defOptions(readOptions(g.command('update').description('Change the name, definition or description of a segment').argument('<segment>', 'id or name')))
    .option('--name <name>', 'the new name')
    .option('--description <text>', 'the new description')
    .action((ref: string, o: Common & DefinitionOptions & { name?: string; description?: string }) => segmentsUpdate(ref, o, io));

  readOptions(g.command('delete').description('Delete a segment; its members exit').argument('<segment>', 'id or name')).action(
    (ref: string, o: Common) => segmentsDelete(ref, o, io),
  );

  readOptions(g.command('show').description('A segment: details, size and definition').argument('<segment>', 'id or name')).action(
    (ref: string, o: Common) => segmentsShow(ref, o, io),
  );

  readOptions(g.command('members').description('Members, a page at a time, or all of them as CSV').argument('<segment>', 'id or name'))
    .option('--limit <n>', 'members per page (1 to 100000)', '100')
    .option('--cursor <cursor>', 'the next cursor printed with the previous page')
    .option('--csv', 'print every member as CSV (profile_id,since,user_id), all pages')
    .action((ref: string, o: Common & { limit?: string; cursor?: string; csv?: boolean }) => segmentsMembers(ref, o, io));

  readOptions(
    g
      .command('explain')
      .description('Why a profile is in or out: each condition with its value and truth')
      .argument('<segment>', 'id or name')
      .argument('<profile>', 'profile id, userId, anonymousId or email'),
  ).action((ref: string, profile: string, o: Common) => segmentsExplain(ref, profile, o, io));

  defOptions(readOptions(g.command('preview').description('Size and a sample of members of a definition, without saving it')))
    .option('--at <iso>', 'evaluate at this instant (default now)')
    .action((o: Common & DefinitionOptions & { at?: string }) => segmentsPreview(o, io));

  readOptions(g.command('changes').description('The ordered feed of membership changes'))
    .option('--since <n>', 'the cursor printed with the previous page (0 for the start)', '0')
    .option('--limit <n>', 'at most this many changes (1 to 10000)', '100')
    .option('--segment <segment>', 'only this segment (id or name; the id of a deleted segment)')
    .action((o: Common & { since?: string; limit?: string; segment?: string }) => segmentsChanges(o, io));

  readOptions(
    g
      .command('upload')
      .description('Set the members of a manual list from a CSV file of profile ids')
      .argument('<segment>', 'id or name')
      .argument('<file>', 'CSV file: profile ids in the first column, header profile_id optional ("-" for stdin)'),
  )
    .option('--append', 'add to the members instead of replacing them')
    .action((ref: string, file: string, o: Common & { append?: boolean }) => segmentsUpload(ref, file, o, io));
}

// ------------------------------------------------------------------------------------------------- the commands

export async function segmentsList(o: Common, io: Io): Promise<void> {
  await withBackend(o, async (b) => {
    const res = await b.segmentList();
    if (o.json) return io.out(JSON.stringify(res));
    if (res.items.length === 0) return io.out('No segments yet: create one with `segmentum segments create NAME --definition TEXT`.');
    io.out(
      columns(
        ['name', 'id', 'kind', 'size', 'text'],
        res.items.map((s) => [s.name, s.id, s.kind, s.size, s.text === null ? '(manual list)' : truncate(s.text, TEXT_COLUMN)]),
      ),
    );
  });
}

export async function segmentsCreate(
  name: string,
  o: Common & DefinitionOptions & { description?: string | undefined; manual?: boolean | undefined },
  io: Io,
): Promise<void> {
  const def = await readDefinition(o);
  if (def && o.manual) throw new AppError('config.invalid', 'A manual list has no definition: give --manual, or --definition/--file, not both.');
  if (!def && !o.manual) {
    throw new AppError('config.invalid', 'Give the definition with --definition TEXT or --file PATH, or --manual for a list whose members you upload.');
  }
  await withBackend(o, async (b) => {
    const seg = await withSource(def?.text, () =>
      b.segmentCreate({ name, ...(o.description !== undefined ? { description: o.description } : {}), ...(def ? { definition: def.definition } : {}) }),
    );
    printSegment(io, o, seg, 'created');
  });
}

export async function segmentsUpdate(
  ref: string,
  o: Common & DefinitionOptions & { name?: string | undefined; description?: string | undefined },
  io: Io,
): Promise<void> {
  const def = await readDefinition(o);
  if (!def && o.name === undefined && o.description === undefined) {
    throw new AppError('config.invalid', 'Nothing to change: give --name, --definition, --file or --description.');
  }
  await withBackend(o, async (b) => {
    // The API takes the whole segment (its name is required): what is not given stays as it is.
    const current = await b.segmentGet(ref);
    const seg = await withSource(def?.text, () =>
      b.segmentUpdate(current.id, {
        name: o.name ?? current.name,
        ...(o.description !== undefined ? { description: o.description } : {}),
        ...(def ? { definition: def.definition } : {}),
      }),
    );
    printSegment(io, o, seg, 'updated');
  });
}

export async function segmentsDelete(ref: string, o: Common, io: Io): Promise<void> {
  await withBackend(o, async (b) => {
    const seg = await b.segmentDelete(ref);
    io.out(o.json ? JSON.stringify(seg) : `deleted ${seg.name} (${seg.id})`);
  });
}

export async function segmentsShow(ref: string, o: Common, io: Io): Promise<void> {
  await withBackend(o, async (b) => printSegment(io, o, await b.segmentGet(ref)));
}

export async function segmentsMembers(
  ref: string,
  o: Common & { limit?: string | undefined; cursor?: string | undefined; csv?: boolean | undefined },
  io: Io,
): Promise<void> {
  const limit = intOption('limit', o.limit, 100, 1, 100_000);
  await withBackend(o, async (b) => {
    if (o.csv) return io.out(await b.segmentMembersCsv(ref));
    const page = await b.segmentMembers(ref, { cursor: o.cursor, limit });
    if (o.json) return io.out(JSON.stringify(page));
    if (page.items.length > 0) {
      io.out(
        columns(
          ['profile', 'since'],
          page.items.map((m) => [m.profileId, m.since]),
        ),
      );
    } else io.out(o.cursor === undefined ? 'no members' : 'no more members');
    if (page.nextCursor !== null) io.out(`next cursor: ${page.nextCursor}  (--cursor ${page.nextCursor} for the next page)`);
  });
}

export async function segmentsExplain(ref: string, profileRef: string, o: Common, io: Io): Promise<void> {
  await withBackend(o, async (b) => {
    // The profile as `segmentum profile` finds it (a merged-away profile id gives the profile it was merged into).
    const profileId = (await b.profile(profileRef)).id;
    const x = await b.segmentExplain(ref, profileId);
    if (o.json) return io.out(JSON.stringify(x));
    io.out(
      table([
        ['segment', `${x.segment.name} (${x.segment.id})`],
        ['profile', profileId],
        ['member', x.member ? 'yes' : 'no'],
        ['at', x.at],
      ]),
    );
    io.out('');
    if (x.tree === null) io.out('A manual list: its members are uploaded, not computed.');
    else io.out(explainLines(x.tree).join('\n'));
  });
}

export async function segmentsPreview(o: Common & DefinitionOptions & { at?: string | undefined }, io: Io): Promise<void> {
  const def = await readDefinition(o);
  if (!def) throw new AppError('config.invalid', 'Give the definition to preview with --definition TEXT or --file PATH.');
  let at: Date | undefined;
  if (o.at !== undefined) {
    at = new Date(o.at);
    if (Number.isNaN(at.getTime())) throw new AppError('config.invalid', `--at must be an ISO date or date-time, got "${o.at}".`);
  }
  await withBackend(o, async (b) => {
    const p = await withSource(def.text, () => b.segmentPreview(def.definition, at));
    if (o.json) return io.out(JSON.stringify(p));
    io.out(table([['size', p.size], ['at', p.at], ['text', p.text]]));
    io.out(p.sample.length > 0 ? ['sample:', ...p.sample.map((id) => `  ${id}`)].join('\n') : 'sample: (none)');
  });
}

export async function segmentsChanges(
  o: Common & { since?: string | undefined; limit?: string | undefined; segment?: string | undefined },
  io: Io,
): Promise<void> {
  const since = intOption('since', o.since, 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intOption('limit', o.limit, 100, 1, 10_000);
  await withBackend(o, async (b) => {
    const segmentId = o.segment === undefined ? undefined : await segmentIdOf(b, o.segment);
    const page = await b.segmentChanges({ since, limit, segmentId });
    if (o.json) return io.out(JSON.stringify(page));
    if (page.changes.length === 0) io.out('no changes');
    else {
      const names = new Map((await b.segmentList()).items.map((s) => [s.id, s.name]));
      io.out(
        columns(
          ['seq', 'at', 'segment', 'profile', 'change', 'trigger'],
          page.changes.map((c) => [c.seq, c.at, names.get(c.segmentId) ?? c.segmentId, c.profileId, c.change, triggerOf(c.reason)]),
        ),
      );
    }
    io.out(`cursor: ${page.cursor}  (--since ${page.cursor} for the changes after these)`);
  });
}

export async function segmentsUpload(ref: string, file: string, o: Common & { append?: boolean | undefined }, io: Io): Promise<void> {
  const text = await readInput(file, 'the CSV file');
  const ids = profileIdsFromCsv(text);
  if (ids === null) throw new AppError('config.invalid', `${file} is empty: write one profile id a line (a header line profile_id alone means no members).`);
  await withBackend(o, async (b) => {
    const res = await b.segmentSetMembers(ref, ids, o.append ? 'append' : 'replace');
    if (o.json) return io.out(JSON.stringify(res));
    io.out(table([['added', res.added], ['removed', res.removed], ['unknown', res.unknown]]));
    if (res.unknown > 0) io.out(`${res.unknown} id(s) are not the id of a live profile (prof_...) and were skipped.`);
  });
}

// ------------------------------------------------------------------------------------------------- helpers

async function withBackend(o: BackendOptions, fn: (b: Backend) => Promise<void>): Promise<void> {
  const b = await openBackend(o);
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

/** A parse error of the text given keeps the text, for printError to show the line with a caret. */
async function withSource<T>(text: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (text !== undefined && e instanceof AppError && e.code === 'segments.parse_error') attachSource(e, text);
    throw e;
  }
}

function intOption(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new AppError('config.invalid', `--${name} must be a whole number from ${min} to ${max}, got "${v}".`);
  }
  return n;
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
    return text.replace(/^\uFEFF/, '');
  } catch (e) {
    throw new AppError('config.invalid', `Cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The definition of --definition or --file: the text form (kept in `text` to point at parse errors), or the AST from
 * a .json file. A .json file may also hold a whole segment as `segments show --json` prints it.
 */
async function readDefinition(o: DefinitionOptions): Promise<{ definition: Definition; text?: string } | undefined> {
  if (o.definition !== undefined && o.file !== undefined) throw new AppError('config.invalid', 'Give the definition with --definition or --file, not both.');
  let text: string;
  if (o.definition !== undefined) text = o.definition;
  else if (o.file !== undefined) {
    text = await readInput(o.file, 'the definition file');
    if (o.file.toLowerCase().endsWith('.json')) return { definition: astFromJson(o.file, text) };
  } else return undefined;
  if (text.trim() === '') throw new AppError('config.invalid', 'The definition is empty: write a condition, see docs/segments.md.');
  return { definition: text, text };
}

function astFromJson(file: string, text: string): Definition {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AppError('config.invalid', `${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (isRecord(v) && v.kind === 'rule' && 'definition' in v) v = v.definition;
  if (typeof v === 'string' || isRecord(v)) return v;
  throw new AppError('config.invalid', `${file} must hold a definition: an AST object (see docs/segments.md) or the text form as a JSON string.`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first column of each line, a quoted cell unquoted; blank lines and a `profile_id` header skipped. Null when
 * the file holds nothing at all (an upload of nothing by mistake would empty the list).
 */
export function profileIdsFromCsv(text: string): string[] | null {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return null;
  const ids: string[] = [];
  for (const [i, line] of lines.entries()) {
    const cell = firstCell(line).trim();
    if (cell === '' || (i === 0 && cell.toLowerCase() === 'profile_id')) continue;
    ids.push(cell);
  }
  return ids;
}

function firstCell(line: string): string {
  const l = line.trimStart();
  if (!l.startsWith('"')) return l.split(',')[0] ?? '';
  let out = '';
  for (let i = 1; i < l.length; i++) {
    const c = l[i];
    if (c === '"') {
      if (l[i + 1] === '"') {
        out += '"';
        i++;
      } else return out;
    } else out += c;
  }
  return out;
}

/** The id to filter the change feed on: a segment found by id or name, or an id of a deleted segment. */
async function segmentIdOf(b: Backend, ref: string): Promise<string> {
  try {
    return (await b.segmentGet(ref)).id;
  } catch (e) {
    if (e instanceof AppError && e.code === 'segments.not_found' && ref.startsWith('seg_')) return ref;
    throw e;
  }
}

function triggerOf(reason: unknown): string {
  return isRecord(reason) && typeof reason.trigger === 'string' ? reason.trigger : '-';
}

function printSegment(io: Io, o: Common, s: SegmentViewT, verb?: string): void {
  if (o.json) return io.out(JSON.stringify(s));
  io.out(
    [
      ...(verb ? [`${verb} ${s.name} (${s.id})`, ''] : []),
      table([
        ['name', s.name],
        ['id', s.id],
        ['kind', s.kind === 'manual' ? 'manual list' : 'rule'],
        ['size', s.size],
        ['description', s.description === '' ? null : s.description],
        ['created', s.createdAt],
        ['updated', s.updatedAt],
      ]),
      '',
      ...(s.text === null ? ['A manual list: upload its members with `segmentum segments upload`.'] : ['definition:', `  ${s.text}`]),
    ].join('\n'),
  );
}

/** The tree indented, ✓ or ✗ before each condition and the value its operand had after it. */
export function explainLines(node: ExplainNodeT, depth = 0): string[] {
  const mark = node.result ? '✓' : '✗';
  const value = node.value === undefined ? '' : `   = ${JSON.stringify(node.value)}`;
  const head = `${'  '.repeat(depth)}${mark} ${junctionLabel(node) ?? node.condition}${value}`;
  return [head, ...(node.children ?? []).flatMap((c) => explainLines(c, depth + 1))];
}

/** `and`, `or`, `not` or `for 30d` for a node with children (their conditions are printed below it). */
function junctionLabel(node: ExplainNodeT): string | null {
  if (!node.children || node.children.length === 0) return null;
  if (node.kind === 'and' || node.kind === 'or' || node.kind === 'not') return node.kind;
  if (node.kind === 'for') {
    const m = / for (\d+[smhdw])$/.exec(node.condition);
    return m ? `for ${m[1]}` : 'for';
  }
  return null;
}
