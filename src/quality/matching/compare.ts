import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compareField, compareNames, LEVELS, MISSING } from './comparators.js';
import type { FieldFeatures, RecordTable } from './features.js';

/** What comparing needs of a table: the fields' per-value features and the value ids of each record. */
export interface ComparableTable {
  readonly fields: readonly Omit<FieldFeatures, 'id'>[];
  readonly rows: Int32Array;
}

/**
 * The comparison phase: the agreement level of every field for every candidate pair, row by row in one typed array
 * (pairs x fields bytes). Given name and surname typed in each other's column are recognised: when the direct
 * comparison of both is poor and the crossed one is better, the crossed levels are kept.
 */
export function compareRange(table: ComparableTable, pa: Int32Array, pb: Int32Array, from: number, to: number, out: Uint8Array): void {
  const fields = table.fields;
  const F = fields.length;
  const gi = fields.findIndex((f) => f.role === 'given_name');
  const si = fields.findIndex((f) => f.role === 'surname');
  const swapCheck = gi >= 0 && si >= 0;
  const given = fields[gi];
  const surname = fields[si];
  const rows = table.rows;
  for (let p = from; p < to; p++) {
    const ra = pa[p]! * F;
    const rb = pb[p]! * F;
    const base = p * F;
    for (let f = 0; f < F; f++) out[base + f] = compareField(fields[f]!, rows[ra + f]!, rows[rb + f]!);
    if (swapCheck) {
      const lg = out[base + gi]!;
      const ls = out[base + si]!;
      if (lg !== MISSING && ls !== MISSING && lg + ls <= 2) {
        const g1 = given!.values[rows[ra + gi]!]!;
        const s1 = surname!.values[rows[ra + si]!]!;
        const g2 = given!.values[rows[rb + gi]!]!;
        const s2 = surname!.values[rows[rb + si]!]!;
        const cg = compareNames(g1, s2, false);
        const cs = compareNames(s1, g2, false);
        if (cg + cs > lg + ls + 1) {
          out[base + gi] = cg;
          out[base + si] = cs;
        }
      }
    }
  }
}

/** Where the built worker is; absent when running from the TypeScript sources (tests), which then use one thread. */
const WORKER_URL = new URL('./compare-worker.js', import.meta.url);

/** True when comparison can run on worker threads (the compiled worker file exists). */
export const workersAvailable = (): boolean => WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));

/**
 * Levels of all candidate pairs, on this thread and `workers` worker threads, each taking an equal share of the
 * pairs. A worker receives the fields' per-value features once (structured clone: strings cannot be shared), so
 * workers only pay above a few hundred thousand pairs.
 */
export async function compareAll(table: RecordTable, pa: Int32Array, pb: Int32Array, count: number, workers = 0): Promise<Uint8Array> {
  const F = table.fields.length;
  const out = new Uint8Array(count * F);
  const threads = workers > 0 && workersAvailable() ? workers + 1 : 1;
  if (threads === 1) {
    compareRange(table, pa, pb, 0, count, out);
    return out;
  }
  const view: ComparableTable = { fields: table.fields.map(({ id: _id, ...rest }) => rest), rows: table.rows };
  const share = Math.ceil(count / threads);
  const jobs: Promise<void>[] = [];
  for (let w = 1; w < threads; w++) {
    const from = Math.min(count, w * share);
    const to = Math.min(count, from + share);
    const worker = new Worker(WORKER_URL);
    jobs.push(
      new Promise<void>((resolve, reject) => {
        let done = false;
        worker.once('message', (levels: Uint8Array) => {
          out.set(levels, from * F);
          done = true;
          resolve();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (!done) reject(new Error(`a comparison worker stopped (exit code ${code}) before sending its levels`));
        });
      }).finally(() => void worker.terminate()),
    );
    worker.postMessage({ table: view, a: pa.slice(from, to), b: pb.slice(from, to) });
  }
  compareRange(table, pa, pb, 0, Math.min(count, share), out);
  await Promise.all(jobs);
  return out;
}

/** The field specs of the model, in table order: role name and its comparator's levels. */
export function fieldSpecs(table: RecordTable): { name: string; levels: readonly string[] }[] {
  return table.fields.map((f) => ({ name: f.role, levels: LEVELS[f.kind] }));
}
