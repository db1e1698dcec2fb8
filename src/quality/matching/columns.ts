import { err, ok, type Result } from '../../kernel/index.js';
import { DEFAULT_OPTIONS, defaultRoleOf, MatchConfigFile, type MatchOptions, type Role } from './config.js';
import type { CsvProblem, CsvTable } from './csv.js';
import type { RecordInput } from './features.js';

/** From CSV tables and a mapping file to the matcher's input: which column plays which role. */

export type MatchingProblem =
  | CsvProblem
  | { readonly code: 'matching.unknown_column'; readonly message: string; readonly column: string }
  | { readonly code: 'matching.no_comparable_fields'; readonly message: string }
  | { readonly code: 'matching.invalid_mapping'; readonly message: string; readonly path: string };

/** A mapping file's text, validated. */
export function parseMatchConfig(text: string): Result<MatchConfigFile, MatchingProblem> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return err({ code: 'matching.invalid_mapping', message: `not valid JSON: ${(e as Error).message}`, path: '' });
  }
  const parsed = MatchConfigFile.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return err({ code: 'matching.invalid_mapping', message: `${path || '(root)'}: ${issue.message}`, path });
}

/** The options a mapping file sets, on top of the defaults (and of the threshold given on the command line). */
export function optionsFrom(config: MatchConfigFile, threshold?: number): MatchOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...(config.blocking ? { blocking: config.blocking } : {}),
    ...(config.exactKeys ? { exactKeys: config.exactKeys } : {}),
    ...(config.maxBlockSize !== undefined ? { maxBlockSize: config.maxBlockSize } : {}),
    threshold: threshold ?? config.threshold ?? DEFAULT_OPTIONS.threshold,
  };
}

/** The role of each column of a header: the mapping's word first, then the name's default role. */
export function rolesOf(header: readonly string[], idColumn: string, mapping: MatchConfigFile['columns'] = {}): Map<number, Role> {
  const roles = new Map<number, Role>();
  const taken = new Set<Role>();
  header.forEach((name, i) => {
    if (name === idColumn) return;
    const m = mapping[name];
    const role = m === 'ignore' ? undefined : (m ?? defaultRoleOf(name));
    // A role is played by one column: the first one that claims it (mapped columns before guessed ones).
    if (role !== undefined && !taken.has(role) && (m !== undefined || !Object.values(mapping).includes(role))) {
      roles.set(i, role);
      taken.add(role);
    }
  });
  return roles;
}

/** One file to deduplicate, or two to link (then `source` says which file each record is from). */
export function recordsFromCsv(
  tables: readonly CsvTable[],
  idColumn: string,
  mapping: MatchConfigFile['columns'] = {},
): Result<{ input: RecordInput; roles: Partial<Record<Role, string[]>> }, MatchingProblem> {
  for (const column of Object.keys(mapping)) {
    if (!tables.some((t) => t.header.includes(column))) {
      return err({ code: 'matching.unknown_column', message: `the mapping names column "${column}", which no file has`, column });
    }
  }
  const ids: string[] = [];
  const columns: Partial<Record<Role, string[]>> = {};
  const roleColumns: Partial<Record<Role, string[]>> = {};
  const total = tables.reduce((s, t) => s + t.rows.length, 0);
  const source = new Uint8Array(total);
  let offset = 0;
  for (let t = 0; t < tables.length; t++) {
    const table = tables[t]!;
    const idIndex = table.header.indexOf(idColumn);
    if (idIndex < 0) {
      return err({
        code: 'matching.unknown_column',
        message: `--id-column "${idColumn}" is not a column of file ${t + 1} (columns: ${table.header.join(', ')})`,
        column: idColumn,
      });
    }
    for (const [i, role] of rolesOf(table.header, idColumn, mapping)) {
      const col = (columns[role] ??= new Array<string>(total).fill(''));
      (roleColumns[role] ??= []).push(table.header[i]!);
      for (let r = 0; r < table.rows.length; r++) col[offset + r] = table.rows[r]![i]!;
    }
    for (const row of table.rows) ids.push(row[idIndex]!);
    source.fill(t, offset, offset + table.rows.length);
    offset += table.rows.length;
  }
  if (Object.keys(columns).length === 0) {
    return err({
      code: 'matching.no_comparable_fields',
      message: `no column has a known role (columns: ${tables[0]?.header.join(', ')}); name them given_name, surname, date_of_birth, email... or map them with --mapping`,
    });
  }
  return ok({ input: { ids, columns, ...(tables.length > 1 ? { source } : {}) }, roles: roleColumns });
}
