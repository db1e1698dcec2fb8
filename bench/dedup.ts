/**
 * Deduplication benchmark: a million dirty person records, deduplicated with the default settings, timed phase by
 * phase, with the pairwise precision and recall the generated truth allows.
 *
 *   npm run bench:dedup                                 build, then 1,000,000 records (well under a minute)
 *   node dist/bench/dedup.js --records 200000 --seed 7  another size or seed
 *   node dist/bench/dedup.js --help
 *
 * The records are French customers drawn with the project's seeded generator (same seed, same records): first names
 * and the most frequent surnames from the demo's reference data, plus a long tail of invented names, as real files
 * have; dates of birth; street addresses; about 6,000 postcodes with their towns; emails and mobile numbers. 30 %
 * more records are duplicates of originals drawn at random (about one original in four has one or more), each
 * made dirty the way CRM exports are: typos (a letter
 * dropped, doubled, swapped or replaced), given name and surname swapped, day and month swapped, accents and
 * capitals, a new email or phone, abbreviations in the street, missing values.
 *
 * The matching time excludes generation. Peak RSS is the process's (generator included).
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_OPTIONS, matchRecords, optionsFrom, pairwiseQuality, pairCompleteness, parseMatchConfig, type RecordInput } from '../src/quality/matching/index.js';
import { generateDirtyCustomers } from '../src/demo/dirty-customers.js';

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    workers: { type: 'string', default: 'auto' },
    mapping: { type: 'string' },
    'json-out': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(
    ['node dist/bench/dedup.js [options]', '  --records 1000000   records to generate, duplicates included', '  --seed 42           generator seed', '  --workers auto      comparison worker threads besides the main one (0: none)', '  --mapping FILE      blocking, exact keys, maxBlockSize or threshold other than the defaults (docs/matching.md)', '  --json-out FILE     also write the results there', ''].join('\n'),
  );
  process.exit(0);
}
const RECORDS = Number(opts.records);
const SEED = Number(opts.seed);
if (!Number.isInteger(RECORDS) || RECORDS < 10) throw new Error(`--records must be a whole number >= 10, got ${opts.records}`);
let options = DEFAULT_OPTIONS;
if (opts.mapping) {
  const config = parseMatchConfig(readFileSync(opts.mapping, 'utf8'));
  if (!config.ok) throw new Error(`${opts.mapping}: ${config.error.message}`);
  options = optionsFrom(config.value);
}
const WORKERS = opts.workers === 'auto' ? 'auto' : Number(opts.workers);
if (WORKERS !== 'auto' && !(Number.isInteger(WORKERS) && WORKERS >= 0)) throw new Error(`--workers must be auto or a whole number, got ${opts.workers}`);

// ---- records ---------------------------------------------------------------------------------------------------

function generate(count: number, seed: number): { input: RecordInput; entity: string[] } {
  const d = generateDirtyCustomers(count, seed);
  return { entity: d.entity, input: { ids: d.entity.map((_, i) => `c${i}`), columns: d.columns } };
}

// ---- run -------------------------------------------------------------------------------------------------------

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const g0 = performance.now();
const { input, entity } = generate(RECORDS, SEED);
const generationMs = performance.now() - g0;

const load = loadavg()[0] ?? 0;
const cpu0 = process.cpuUsage();
const result = await matchRecords(input, options, { now: () => performance.now(), workers: WORKERS });
const cpu = process.cpuUsage(cpu0);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
clearInterval(sampler);

const s = result.summary;
const pairsA = Array.from(result.matches, (p) => result.candidates.a[p]!);
const pairsB = Array.from(result.matches, (p) => result.candidates.b[p]!);
const quality = pairwiseQuality(entity, pairsA, pairsB);
let falseExact = 0;
let falseModel = 0;
for (const p of result.matches) {
  if (entity[result.candidates.a[p]!] === entity[result.candidates.b[p]!]) continue;
  if (result.exactKey[p]! >= 0) falseExact++;
  else falseModel++;
}
const completeness = pairCompleteness(entity, result.candidates.a, result.candidates.b);
const out = {
  records: s.records,
  seed: SEED,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  generationSeconds: generationMs / 1000,
  matchingSeconds: s.timings.total / 1000,
  matchingCpuSeconds: (cpu.user + cpu.system) / 1e6,
  loadAverageBefore: load,
  workers: WORKERS,
  recordsPerSecond: s.records / (s.timings.total / 1000),
  phasesSeconds: Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, v / 1000])),
  candidatePairs: s.candidatePairs,
  reductionRatio: s.reductionRatio,
  pairCompleteness: completeness,
  pairsAboveThreshold: s.pairsAboveThreshold,
  certainPairs: s.certainPairs,
  falsePairs: { exact: falseExact, model: falseModel },
  precision: quality.precision,
  recall: quality.recall,
  f1: quality.f1,
  clusters: s.clusters,
  largestCluster: s.largestCluster,
  chainedClusters: s.chainedClusters,
  emIterations: s.emIterations,
  peakRssMb: Math.round(peakRss / 2 ** 20),
  rules: s.rules.map((r) => ({ name: r.name, newPairs: r.newPairs, oversizedBlocks: r.oversizedBlocks })),
};
const f = (x: number, d = 1): string => x.toLocaleString('en-GB', { maximumFractionDigits: d });
process.stdout.write(
  [
    `records            ${f(out.records)} (generated in ${f(out.generationSeconds)} s, seed ${SEED})`,
    `matching           ${f(out.matchingSeconds, 2)} s, ${f(out.recordsPerSecond, 0)} records/s (CPU ${f(out.matchingCpuSeconds, 1)} s, workers ${WORKERS}, load average before ${f(load, 2)})`,
    `phases (s)         ${Object.entries(out.phasesSeconds).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')}`,
    `candidate pairs    ${f(out.candidatePairs)} (reduction ratio ${out.reductionRatio.toFixed(6)}, pair completeness ${out.pairCompleteness.toFixed(4)})`,
    `by rule            ${out.rules.map((r) => `${r.name} ${f(r.newPairs)}${r.oversizedBlocks ? ` (${r.oversizedBlocks} blocks too large)` : ''}`).join(', ')}`,
    `duplicates         ${f(out.pairsAboveThreshold)} pairs (${f(out.certainPairs)} exact), ${f(out.clusters)} groups, largest ${out.largestCluster}, ${out.chainedClusters} chained`,
    `quality            precision ${out.precision.toFixed(4)}, recall ${out.recall.toFixed(4)}, F1 ${out.f1.toFixed(4)} (false pairs: ${falseExact} exact, ${falseModel} by the model)`,
    `EM                 ${out.emIterations} iterations`,
    `peak RSS           ${f(out.peakRssMb, 0)} MB`,
    `machine            ${out.machine.cpus} x ${out.machine.cpu}, ${out.machine.memoryGb} GB, Node ${out.machine.node}`,
    '',
    JSON.stringify(out),
    '',
  ].join('\n'),
);
if (opts['json-out']) writeFileSync(opts['json-out'], JSON.stringify(out, null, 2));
