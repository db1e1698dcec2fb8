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
import { Rng } from '../src/kernel/index.js';
import { DEFAULT_OPTIONS, matchRecords, optionsFrom, pairwiseQuality, pairCompleteness, parseMatchConfig, type RecordInput } from '../src/quality/matching/index.js';
// The demo's name lists are plain data; the bench borrows them rather than keeping a second copy.
import { FIRST_NAMES, LAST_NAME_WEIGHTS, STREETS } from '../src/demo/french-reference-data.js';

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

// ---- names and places ------------------------------------------------------------------------------------------

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'gr', 'j', 'l', 'm', 'n', 'p', 'pr', 'r', 's', 't', 'tr', 'v', 'qu', 'gu', 'h', 'bl', 'cl'];
const VOWELS = ['a', 'e', 'i', 'o', 'ou', 'au', 'ai', 'eu', 'é', 'è', 'an', 'in', 'on', 'ei', 'oi'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 't', 'd', 'x', 'ville', 'court', 'mont', 'et', 'ard', 'ier', 'eau', 'on', 'and', 'ot'];

function inventName(rng: Rng, syllables: number): string {
  let s = '';
  for (let i = 0; i < syllables; i++) s += rng.pick(ONSETS) + rng.pick(VOWELS);
  s += rng.pick(CODAS);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A pool of distinct invented names, drawn Zipf-like (a few frequent, many rare). */
function pool(rng: Rng, size: number, syllables: [number, number]): { names: string[]; draw: (r: Rng) => string } {
  const set = new Set<string>();
  while (set.size < size) set.add(inventName(rng, rng.int(syllables[0], syllables[1])));
  const names = [...set];
  return { names, draw: (r) => names[Math.floor(names.length * r.next() ** 2)]! };
}

interface Person {
  given: string;
  surname: string;
  dob: [number, number, number];
  number: number;
  street: string;
  postcode: string;
  town: string;
  email: string;
  phone: string;
}

/** A mail provider gives an address to one person only: a taken one gets a number, as providers suggest. */
const emails = new Set<string>();
function uniqueEmail(local: string, domain: string, rng: Rng): string {
  let e = `${local}@${domain}`;
  while (emails.has(e)) e = `${local}${rng.int(1, 9999)}@${domain}`;
  emails.add(e);
  return e;
}

/** A number belongs to one line: no two people draw the same one. */
const phones = new Set<string>();
function uniquePhone(prefix: string, rng: Rng): string {
  let p: string;
  do p = `${prefix}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
  while (phones.has(p));
  phones.add(p);
  return p;
}

const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

function generatePeople(rng: Rng, count: number): Person[] {
  const givenPool = pool(rng, 6_000, [2, 3]);
  const surnamePool = pool(rng, 150_000, [2, 4]);
  const streetPool = pool(rng, 20_000, [2, 3]);
  const townPool = pool(rng, 6_000, [2, 4]);
  const places = Array.from({ length: 6_000 }, (_, i) => ({
    postcode: `${String(1 + (i % 95)).padStart(2, '0')}${String(rng.int(0, 999)).padStart(3, '0')}`,
    town: townPool.names[i]!,
  }));
  const realGiven = [...FIRST_NAMES.female.flat(), ...FIRST_NAMES.male.flat()];
  const streetTypes = ['rue', 'avenue', 'boulevard', 'chemin', 'allée', 'impasse', 'place', 'route'];
  const domains = ['gmail.com', 'orange.fr', 'free.fr', 'hotmail.fr', 'yahoo.fr', 'laposte.net', 'sfr.fr', 'outlook.fr'];
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const given = rng.chance(0.6) ? rng.pick(realGiven) : givenPool.draw(rng);
    const surname = rng.chance(0.15) ? rng.weighted(LAST_NAME_WEIGHTS) : surnamePool.draw(rng);
    const place = places[Math.floor(places.length * rng.next() ** 1.5)]!;
    const street = rng.chance(0.1) ? rng.pick(STREETS) : `${rng.pick(streetTypes)} ${streetPool.draw(rng)}`;
    people.push({
      given,
      surname,
      dob: [rng.int(1935, 2006), rng.int(1, 12), rng.int(1, 28)],
      number: rng.int(1, 250),
      street,
      postcode: place.postcode,
      town: place.town,
      email: rng.chance(0.85) ? uniqueEmail(`${ascii(given)}.${ascii(surname)}`, rng.pick(domains), rng) : '',
      phone: rng.chance(0.7) ? uniquePhone('06', rng) : '',
    });
  }
  return people;
}

// ---- dirt ------------------------------------------------------------------------------------------------------

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function typo(s: string, rng: Rng): string {
  if (s.length < 2) return s;
  const i = rng.int(0, s.length - 1);
  switch (rng.int(0, 3)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s.charAt(i) + s.slice(i);
    case 2:
      return i < s.length - 1 ? s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2) : s;
    default:
      return s.slice(0, i) + rng.pick([...LETTERS]) + s.slice(i + 1);
  }
}
const messy = (s: string, rng: Rng): string =>
  rng.weighted<string>([[s, 50], [s.toUpperCase(), 20], [s.normalize('NFD').replace(/[\u0300-\u036f]/g, ''), 20], [` ${s} `, 10]]);

function formatDob([y, m, d]: [number, number, number], rng: Rng): string {
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  return rng.chance(0.5) ? `${y}-${mm}-${dd}` : `${dd}/${mm}/${y}`;
}

function dirtyCopy(p: Person, rng: Rng): Person {
  const c: Person = { ...p, dob: [...p.dob] };
  if (rng.chance(0.2)) c.given = typo(c.given, rng);
  if (rng.chance(0.2)) c.surname = typo(c.surname, rng);
  if (rng.chance(0.03)) [c.given, c.surname] = [c.surname, c.given];
  if (rng.chance(0.05) && c.dob[2] <= 12) c.dob = [c.dob[0], c.dob[2], c.dob[1]];
  if (rng.chance(0.05)) c.dob = [c.dob[0], c.dob[1], Math.max(1, Math.min(28, c.dob[2] + rng.pick([-1, 1, 10, -10])))];
  if (rng.chance(0.15)) c.street = c.street.replace(/^avenue/, 'av.').replace(/^boulevard/, 'bd').replace(/^rue/, 'r.');
  if (rng.chance(0.15)) c.street = typo(c.street, rng);
  if (rng.chance(0.1)) c.number = rng.int(1, 250);
  if (rng.chance(0.04)) c.postcode = typo(c.postcode, rng);
  if (rng.chance(0.3) && c.email) c.email = rng.chance(0.5) ? '' : uniqueEmail(c.email.slice(0, c.email.indexOf('@')), 'gmail.com', rng);
  if (rng.chance(0.3)) c.phone = rng.chance(0.5) ? '' : uniquePhone('07', rng);
  return c;
}

function generate(count: number, seed: number): { input: RecordInput; entity: string[] } {
  const rng = new Rng(seed);
  const originals = Math.round(count / 1.3);
  const people = generatePeople(rng, originals);
  const rows: { p: Person; entity: number; dirty: boolean }[] = people.map((p, i) => ({ p, entity: i, dirty: false }));
  while (rows.length < count) {
    const e = rng.int(0, originals - 1);
    rows.push({ p: dirtyCopy(people[e]!, rng), entity: e, dirty: true });
  }
  // Shuffle so that duplicates are not next to their original in the file.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const miss = (v: string, p: number): string => (rng.chance(p) ? '' : v);
  const col = (f: (r: (typeof rows)[number]) => string): string[] => rows.map(f);
  return {
    entity: rows.map((r) => String(r.entity)),
    input: {
      ids: rows.map((_, i) => `c${i}`),
      columns: {
        given_name: col((r) => miss(r.dirty ? messy(r.p.given, rng) : r.p.given, 0.03)),
        surname: col((r) => miss(r.dirty ? messy(r.p.surname, rng) : r.p.surname, 0.02)),
        date_of_birth: col((r) => miss(formatDob(r.p.dob, rng), 0.08)),
        street_number: col((r) => miss(String(r.p.number), 0.1)),
        address_1: col((r) => miss(r.p.street, 0.05)),
        postcode: col((r) => miss(r.p.postcode, 0.03)),
        suburb: col((r) => miss(r.dirty ? messy(r.p.town, rng) : r.p.town, 0.05)),
        email: col((r) => r.p.email),
        phone: col((r) => (r.p.phone && rng.chance(0.5) ? `+33 ${r.p.phone.slice(1).replace(/(\d\d)(?=\d)/g, '$1 ')}` : r.p.phone)),
      },
    },
  };
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
