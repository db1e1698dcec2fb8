import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { DEFAULT_OPTIONS } from './config.js';
import { countTruePairs, pairwiseQuality } from './evaluate.js';
import { matchRecords } from './match-records.js';
import type { RecordInput } from './features.js';

/**
 * The whole run on generated French customers (seeded): 400 people, 120 of them entered again with typos, a swapped
 * day and month, names in each other's column, a new email or phone, missing values.
 */

const GIVEN = ['Anne', 'Léa', 'Chloé', 'Paul', 'Hugo', 'Jules', 'Inès', 'Théo', 'Manon', 'Louis', 'Camille', 'Nathan'];
const SURNAME = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert'];

function typo(s: string, rng: Rng): string {
  const i = rng.int(1, s.length - 2);
  return s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2);
}

function customers(seed: number): { input: RecordInput; entity: string[] } {
  const rng = new Rng(seed);
  const people = Array.from({ length: 400 }, (_, i) => ({
    given: rng.pick(GIVEN),
    surname: rng.pick(SURNAME),
    dob: `${rng.int(1950, 2000)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    postcode: `${rng.int(10, 95)}${rng.int(100, 999)}`,
    email: `client${i}@exemple.fr`,
    phone: `06${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
  }));
  const rows = people.map((p, i) => ({ ...p, entity: i }));
  for (let k = 0; k < 120; k++) {
    const e = rng.int(0, 399);
    const p = { ...people[e]!, entity: e };
    p.email = rng.chance(0.5) ? `autre${k}@exemple.fr` : p.email;
    p.phone = rng.chance(0.5) ? '' : p.phone;
    if (rng.chance(0.3)) p.surname = typo(p.surname, rng);
    if (rng.chance(0.2)) p.given = typo(p.given, rng);
    if (rng.chance(0.1)) [p.given, p.surname] = [p.surname, p.given];
    if (rng.chance(0.1)) p.dob = `${p.dob.slice(0, 4)}-${p.dob.slice(8, 10)}-${p.dob.slice(5, 7)}`;
    if (rng.chance(0.1)) p.postcode = '';
    rows.push(p);
  }
  return {
    entity: rows.map((r) => String(r.entity)),
    input: {
      ids: rows.map((_, i) => `c${i}`),
      columns: {
        given_name: rows.map((r) => r.given),
        surname: rows.map((r) => r.surname.toUpperCase()),
        date_of_birth: rows.map((r) => r.dob),
        postcode: rows.map((r) => r.postcode),
        email: rows.map((r) => r.email),
        phone: rows.map((r) => r.phone),
      },
    },
  };
}

describe('matchRecords', async () => {
  const { input, entity } = customers(7);
  const r = await matchRecords(input, DEFAULT_OPTIONS);
  const pairsOf = (ps: Int32Array) => [Array.from(ps, (p) => r.candidates.a[p]!), Array.from(ps, (p) => r.candidates.b[p]!)] as const;

  it('finds the duplicates', () => {
    const q = pairwiseQuality(entity, ...pairsOf(r.matches));
    expect(q.truePairs).toBe(countTruePairs(entity));
    expect(q.precision).toBeGreaterThanOrEqual(0.95);
    expect(q.recall).toBeGreaterThanOrEqual(0.95);
    expect(r.summary).toMatchObject({ records: 520, linking: false, emConverged: true, pairsAboveThreshold: r.matches.length });
  });

  it('explains each pair: its weight is the prior weight plus the weights of its fields', () => {
    for (let p = 0; p < r.candidates.count; p += 7) {
      const e = r.explain(p);
      const sum = e.priorWeight + e.fields.reduce((t, f) => t + f.weight, 0);
      expect(e.weight).toBeCloseTo(sum, 9);
      expect(e.fields.map((f) => f.field)).toEqual(r.summary.fields);
      if (e.exactKey === null) expect(e.probability).toBeCloseTo(1 / (1 + 2 ** -e.weight), 12);
    }
  });

  it('makes pairs sharing an exact key certain, and only those', () => {
    let certain = 0;
    for (let p = 0; p < r.candidates.count; p++) {
      const e = r.explain(p);
      const [a, b] = [r.candidates.a[p]!, r.candidates.b[p]!];
      const sameEmail = input.columns.email![a] === input.columns.email![b];
      if (sameEmail) expect(e).toMatchObject({ exactKey: 'exact:email', probability: 1 });
      if (e.exactKey !== null) certain++;
    }
    expect(certain).toBe(r.summary.certainPairs);
    expect(certain).toBeGreaterThan(30);
  });

  it('reports the matches most probable first, all at or above the threshold, grouped into clusters', () => {
    const probs = Array.from(r.matches, (p) => r.probability[p]!);
    expect(probs.every((x, i) => x >= DEFAULT_OPTIONS.threshold && (i === 0 || x <= probs[i - 1]!))).toBe(true);
    const inGroups = r.clusters.reduce((t, c) => t + c.members.length, 0);
    expect(inGroups).toBe(r.summary.recordsInClusters);
    // Precision is 1 on this seed: every group is one person.
    for (const c of r.clusters) expect(new Set(c.members.map((m) => entity[m])).size).toBe(1);
  });

  it('is deterministic and gives the same result whatever the threshold leaves out', async () => {
    const again = await matchRecords(input, { ...DEFAULT_OPTIONS, threshold: 0.99 });
    expect(Array.from(again.probability)).toEqual(Array.from(r.probability));
    expect(again.matches.length).toBeLessThanOrEqual(r.matches.length);
  });

  it('links two files: pairs across them only, scored against n1 x n2 comparisons', async () => {
    const source = Uint8Array.from(input.ids, (_, i) => (i < 400 ? 0 : 1));
    const linked = await matchRecords({ ...input, source }, DEFAULT_OPTIONS);
    expect(linked.summary.comparablePairs).toBe(400 * 120);
    for (let p = 0; p < linked.candidates.count; p++) expect(source[linked.candidates.a[p]!]).not.toBe(source[linked.candidates.b[p]!]);
    const q = pairwiseQuality(entity, Array.from(linked.matches, (p) => linked.candidates.a[p]!), Array.from(linked.matches, (p) => linked.candidates.b[p]!), source);
    expect(q.f1).toBeGreaterThanOrEqual(0.9);
  });

  it('copes with a file without duplicates or candidate pairs', async () => {
    const none = await matchRecords({ ids: ['a', 'b'], columns: { surname: ['martin', 'zola'] } });
    expect(none.summary).toMatchObject({ candidatePairs: 0, pairsAboveThreshold: 0, clusters: 0 });
    expect(none.model.converged).toBe(true);
  });
});
