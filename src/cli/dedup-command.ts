import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import {
  matchRecords,
  optionsFrom,
  parseCsv,
  parseMatchConfig,
  recordsFromCsv,
  type CsvTable,
  type MatchConfigFile,
  type MatchResult,
  type MatchingProblem,
} from '../quality/matching/index.js';
import { table, type Io } from './output.js';

/**
 * `segmentum dedup FILE [FILE2] --id-column COL`: duplicates within one CSV file, or links between two. Pairs at or
 * above the threshold go to --out (or stdout) as `id_a,id_b,probability`; the summary goes to stderr, or to stdout
 * as JSON with --json. docs/matching.md describes the method and the mapping file.
 */

export interface DedupOptions {
  idColumn: string;
  mapping?: string;
  out?: string;
  threshold?: string;
  workers?: string;
  explain?: string;
  json?: boolean;
}

export function registerDedupCommand(program: Command, io: Io): void {
  program
    .command('dedup')
    .description('Find duplicate people in a CSV file, or link two files (Fellegi-Sunter model fitted by EM)')
    .argument('<file>', 'CSV file with a header row')
    .argument('[file2]', 'a second CSV file: link the two instead of deduplicating one')
    .requiredOption('--id-column <column>', 'the column that identifies a record (written in the pairs)')
    .option('--mapping <file>', 'JSON: {"columns": {"first_name": "given_name", ...}}, exactKeys, blocking, threshold')
    .option('--out <file>', 'write the pairs there (default: stdout)')
    .option('--threshold <p>', 'report pairs whose match probability is at least p (default 0.5)')
    .option('--workers <n>', 'comparison worker threads besides the main one (default: auto)')
    .option('--explain <n>', 'also show why, for the n pairs nearest the threshold')
    .option('--json', 'print the summary (with the m/u estimates per field) as JSON on stdout')
    .action((file: string, file2: string | undefined, o: DedupOptions) => dedupCommand(file, file2, o, io));
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new AppError('matching.unreadable_file', `cannot read the ${what} ${path}: ${reason}`, { path, cause: e });
  }
}

/** The one place a matching problem (a value) becomes the CLI's error (thrown to its one handler). */
function fail(problem: MatchingProblem, file?: string): never {
  const where = 'line' in problem ? `${file}:${problem.line}` : 'path' in problem ? problem.path : undefined;
  throw new AppError(problem.code, file && 'line' in problem ? `${file}: ${problem.message}` : problem.message, {
    ...(where ? { path: where } : {}),
    details: { ...problem },
  });
}

function number(name: string, v: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new AppError('config.invalid', `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

const csvCell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function dedupCommand(file: string, file2: string | undefined, o: DedupOptions, io: Io): Promise<void> {
  const threshold = number('threshold', o.threshold, 0, 1, false);
  const workers = number('workers', o.workers, 0, 64, true);
  const explain = number('explain', o.explain, 0, 1000, true) ?? 0;
  let config: MatchConfigFile = {};
  if (o.mapping) {
    const parsed = parseMatchConfig(readText(o.mapping, 'mapping file'));
    if (!parsed.ok) fail(parsed.error);
    config = parsed.value;
  }
  const files = file2 === undefined ? [file] : [file, file2];
  const tables: CsvTable[] = files.map((f) => {
    const csv = parseCsv(readText(f, 'file'));
    if (!csv.ok) fail(csv.error, f);
    return csv.value;
  });
  const records = recordsFromCsv(tables, o.idColumn, config.columns);
  if (!records.ok) fail(records.error);
  const options = optionsFrom(config, threshold);
  const result = await matchRecords(records.value.input, options, { now: () => performance.now(), workers: workers ?? 'auto' });

  const lines = ['id_a,id_b,probability'];
  for (const p of result.matches) {
    const x = result.explain(p);
    lines.push(`${csvCell(x.a)},${csvCell(x.b)},${x.probability.toFixed(6)}`);
  }
  const pairsCsv = `${lines.join('\n')}\n`;
  if (o.out) writeFileSync(o.out, pairsCsv);
  else if (!o.json) process.stdout.write(pairsCsv);

  const summary = summarise(result, files, records.value.roles, o.out, explain);
  if (o.json) io.out(JSON.stringify(o.out ? summary : { ...summary, pairs: lines.slice(1).map((l) => l.split(',')) }));
  else io.err(humanSummary(summary));
}

type Summary = ReturnType<typeof summarise>;

function summarise(r: MatchResult, files: string[], roles: Partial<Record<string, string[]>>, out: string | undefined, explain: number) {
  const s = r.summary;
  // The pairs nearest the threshold on either side: where a reviewer's eye is worth most.
  const nearest =
    explain === 0
      ? []
      : Array.from(r.weight.keys())
          .filter((p) => r.exactKey[p] === -1)
          .sort((x, y) => Math.abs(r.probability[x]! - s.threshold) - Math.abs(r.probability[y]! - s.threshold))
          .slice(0, explain);
  return {
    files,
    out: out ?? null,
    records: s.records,
    linking: s.linking,
    columns: roles,
    candidatePairs: s.candidatePairs,
    comparablePairs: s.comparablePairs,
    reductionRatio: s.reductionRatio,
    threshold: s.threshold,
    pairsAboveThreshold: s.pairsAboveThreshold,
    certainPairs: s.certainPairs,
    clusters: s.clusters,
    recordsInClusters: s.recordsInClusters,
    largestCluster: s.largestCluster,
    chainedClusters: s.chainedClusters,
    seconds: s.timings.total / 1000,
    threads: s.threads,
    timings: Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, Math.round(v)])),
    blocking: s.rules,
    model: {
      prior: r.model.prior,
      iterations: r.model.iterations,
      converged: r.model.converged,
      fields: r.model.fields.map((f) => ({
        field: f.name,
        levels: f.levels.map((level, k) => ({ level, m: f.m[k]!, u: f.u[k]!, weight: f.weights[k]! })),
      })),
    },
    ...(explain > 0 ? { explained: nearest.map((p) => r.explain(p)) } : {}),
  };
}

function humanSummary(s: Summary): string {
  const pct = (x: number): string => `${(100 * x).toFixed(4)} %`;
  const lines = [
    table([
      ['records', s.records],
      [s.linking ? 'files linked' : 'file', s.files.join(', ')],
      ['columns', Object.entries(s.columns).map(([role, cols]) => `${cols?.join('/')}=${role}`).join(', ')],
      ['candidate pairs', `${s.candidatePairs} of ${s.comparablePairs} (reduction ratio ${pct(s.reductionRatio)})`],
      [`pairs >= ${s.threshold}`, `${s.pairsAboveThreshold} (${s.certainPairs} on an exact key)`],
      ['groups', `${s.clusters} (largest ${s.largestCluster}, ${s.chainedClusters} chained through weak links)`],
      ['model', `prior ${s.model.prior.toFixed(4)}, EM ${s.model.iterations} iterations${s.model.converged ? '' : ' (not converged)'}`],
      ['seconds', s.seconds.toFixed(2)],
      ['pairs written to', s.out ?? 'stdout'],
    ]),
  ];
  for (const e of s.explained ?? []) {
    const fields = e.fields.map((f) => `${f.field} ${f.level} ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(1)}`).join(', ');
    lines.push(`${e.a} ~ ${e.b}: p=${e.probability.toFixed(4)} weight ${e.weight.toFixed(1)} (prior ${e.priorWeight.toFixed(1)}; ${fields})`);
  }
  return lines.join('\n');
}
