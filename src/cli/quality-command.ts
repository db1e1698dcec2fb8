import type { Command } from 'commander';
import { openBackend, type BackendOptions, type QualityReportViewT } from './backend.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum quality`: the data-quality report, computed now and stored as a point of the trend; `--trend` prints the
 * stored points instead. On the database file or through a running server (--url); --json prints the API's document.
 */

interface Common extends BackendOptions {
  json?: boolean | undefined;
  trend?: boolean | undefined;
}

export function registerQualityCommand(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  readOptions(program.command('quality').description('The data-quality report: duplicates, missing and invalid values, rule violations, freshness, completeness'))
    .option('--trend', 'print the stored reports over time instead of computing one')
    .action((o: Common) => quality(o, io));
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function printReport(io: Io, r: QualityReportViewT): void {
  io.out(
    table([
      ['report', r.id],
      ['at', r.at],
      ['profiles', r.profiles],
      ['exact duplicates', `${r.duplicates.exactPairs} pairs, ${r.duplicates.exactProfiles} profiles (${pct(r.duplicates.exactRate)})`],
      ['probable duplicates', `${r.duplicates.probablePairs} pairs in review (${pct(r.duplicates.probableRate)} of profiles)`],
      ['completeness', `${pct(r.completeness.mean)} on average over ${r.completeness.fields.join(', ')}`],
      ['last updated', r.freshness.medianDays === null ? '-' : `median ${r.freshness.medianDays.toFixed(1)} days ago`],
    ]),
  );
  io.out('');
  io.out(
    columns(
      ['field', 'present', 'missing', 'invalid', 'invalid by code'],
      r.fields.map((f) => [
        `${f.field}${f.personal ? ' (vault)' : ''}`,
        f.present,
        pct(f.missingRate),
        f.invalid,
        Object.entries(f.invalidByCode)
          .map(([c, n]) => `${c} ${n}`)
          .join(', '),
      ]),
    ),
  );
  io.out('');
  if (r.violations.length === 0) io.out('No rule violations.');
  else io.out(columns(['rule', 'code', 'severity', 'profiles'], r.violations.map((v) => [v.rule, v.code, v.severity, v.count])));
  const flagged = r.outliers.filter((o) => o.count > 0);
  if (flagged.length > 0) {
    io.out('');
    io.out(columns(['outliers in', 'method', 'count', 'low', 'high'], flagged.map((o) => [o.field, o.method, o.count, o.low, o.high])));
  }
}

export async function quality(o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    if (o.trend) {
      const t = await b.qualityTrend();
      if (o.json) return io.out(JSON.stringify(t));
      if (t.items.length === 0) return io.out('No stored reports yet: run `segmentum quality`.');
      io.out(
        columns(
          ['at', 'profiles', 'exact dup.', 'probable dup.', 'completeness', 'violations', 'invalid'],
          t.items.map((p) => [p.at, p.profiles, pct(p.exactRate), pct(p.probableRate), pct(p.completeness), p.violations, p.invalid]),
        ),
      );
      return;
    }
    const r = await b.qualityRun();
    if (o.json) return io.out(JSON.stringify(r));
    printReport(io, r);
  } finally {
    await b.close();
  }
}
