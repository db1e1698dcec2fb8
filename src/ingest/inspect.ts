import type { ErrorCode } from '../kernel/index.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeLimits {
  maxDepth: number;
  maxKeys: number;
}

export interface ShapeProblem {
  code: ErrorCode;
  message: string;
  path: string;
}

/**
 * Walks a parsed JSON value once, without recursion (so a hostile depth cannot overflow the stack), and refuses
 * nesting past maxDepth, more than maxKeys keys in all, and keys that could reach an object's prototype.
 */
export function inspectShape(root: unknown, limits: ShapeLimits): ShapeProblem | null {
  return inspectJson(root, limits).problem;
}

export interface ShapeReport {
  problem: ShapeProblem | null;
  /**
   * An upper bound of the value's size as UTF-8 JSON text (each character of a string counted as a 6-byte escape),
   * so most events prove they are under the size limit without being serialised.
   */
  maxBytes: number;
}

/** inspectShape, plus a bound on the JSON size. Paths are only built for the problem found. */
export function inspectJson(root: unknown, limits: ShapeLimits): ShapeReport {
  // Breadth-first over parallel arrays: one entry per value, its parent and key kept to name a path on failure.
  const vals: unknown[] = [root];
  const depth: number[] = [0];
  const parent: number[] = [-1];
  const key: string[] = [''];
  let keys = 0;
  let bytes = 0;
  const pathOf = (i: number): string => {
    const parts: string[] = [];
    for (let j = i; j > 0; j = parent[j] as number) parts.push(key[j] as string);
    return parts.reverse().join('.');
  };
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    switch (typeof v) {
      case 'string':
        bytes += 2 + v.length * 6;
        continue;
      case 'number':
        bytes += 25;
        continue;
      case 'boolean':
        bytes += 5;
        continue;
      case 'object':
        break;
      default:
        bytes += 4;
        continue;
    }
    if (v === null) {
      bytes += 4;
      continue;
    }
    const d = depth[i] as number;
    if (d >= limits.maxDepth) {
      return { problem: { code: 'event.too_deep', message: `The event nests deeper than ${limits.maxDepth} levels.`, path: pathOf(i) }, maxBytes: bytes };
    }
    if (Array.isArray(v)) {
      keys += v.length;
      bytes += 2 + v.length;
      if (keys > limits.maxKeys) {
        return {
          problem: { code: 'event.too_many_keys', message: `The event holds more than ${limits.maxKeys} keys and items.`, path: pathOf(i) },
          maxBytes: bytes,
        };
      }
      for (let k = 0; k < v.length; k++) {
        vals.push(v[k]);
        depth.push(d + 1);
        parent.push(i);
        key.push(String(k));
      }
    } else {
      const obj = v as Record<string, unknown>;
      bytes += 2;
      for (const k in obj) {
        if (!Object.hasOwn(obj, k)) continue;
        keys++;
        bytes += 4 + k.length * 6;
        if (FORBIDDEN_KEYS.has(k)) {
          const at = pathOf(i);
          return { problem: { code: 'event.forbidden_key', message: `The key "${k}" is not allowed.`, path: at === '' ? k : `${at}.${k}` }, maxBytes: bytes };
        }
        vals.push(obj[k]);
        depth.push(d + 1);
        parent.push(i);
        key.push(k);
      }
    }
    if (keys > limits.maxKeys) {
      return {
        problem: { code: 'event.too_many_keys', message: `The event holds more than ${limits.maxKeys} keys and items.`, path: pathOf(i) },
        maxBytes: bytes,
      };
    }
  }
  return { problem: null, maxBytes: bytes };
}
