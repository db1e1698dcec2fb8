import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { distances, nearestTwo, sqDist } from './kmeans-kernel.js';

/**
 * The distance kernels against the plain double loop (differences squared, added in column order). The kernels
 * promise the same bits, not just close values, because the passes of k-means compare distances computed by different
 * kernels (kmeans-kernel.ts): the tolerance is exactly zero.
 */

function plainSq(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (a[ai + j]! - b[bi + j]!) ** 2;
  return s;
}

function random(rng: Rng, length: number): Float64Array {
  return Float64Array.from({ length }, () => rng.next() * 20 - 10);
}

describe('k-means distance kernels', () => {
  it('give the plain loop\'s squared distances bit for bit, for k and d not multiples of four', () => {
    const rng = new Rng(4);
    for (const d of [1, 3, 10]) {
      for (const k of [1, 3, 4, 5, 8, 9]) {
        const data = random(rng, 50 * d);
        const centers = random(rng, k * d);
        const out = new Float64Array(k);
        const two = new Float64Array(2);
        for (let i = 0; i < 50; i++) {
          const want = Array.from({ length: k }, (_, c) => plainSq(data, i * d, centers, c * d, d));
          distances(data, i * d, d, centers, k, out);
          expect(Array.from(out)).toEqual(want);
          want.forEach((w, c) => expect(sqDist(data, i * d, centers, c * d, d)).toBe(w));
          const sorted = [...want].sort((x, y) => x - y);
          expect(nearestTwo(data, i * d, d, centers, k, two)).toBe(want.indexOf(sorted[0]!));
          expect(two[0]).toBe(sorted[0]);
          expect(two[1]).toBe(k === 1 ? Number.POSITIVE_INFINITY : sorted[1]);
        }
      }
    }
  });

  it('breaks ties towards the lower centre, as a plain scan does', () => {
    // Centres 1, 4 and 6 are the same point; the row is nearest to it.
    const d = 2;
    const centers = Float64Array.from([9, 9, 1, 1, 5, 5, 7, 7, 1, 1, 8, 8, 1, 1]);
    const two = new Float64Array(2);
    expect(nearestTwo(Float64Array.from([1.5, 1]), 0, d, centers, 7, two)).toBe(1);
    expect(Array.from(two)).toEqual([0.25, 0.25]);
  });
});
