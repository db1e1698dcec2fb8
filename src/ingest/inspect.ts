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
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: root, depth: 0, path: '' }];
  let keys = 0;
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const { v, depth, path } = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limits.maxDepth) {
      return { code: 'event.too_deep', message: `The event nests deeper than ${limits.maxDepth} levels.`, path };
    }
    if (Array.isArray(v)) {
      keys += v.length;
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, path: join(path, String(i)) });
    } else {
      for (const k of Object.keys(v)) {
        keys++;
        if (FORBIDDEN_KEYS.has(k)) {
          return { code: 'event.forbidden_key', message: `The key "${k}" is not allowed.`, path: join(path, k) };
        }
        stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: join(path, k) });
      }
    }
    if (keys > limits.maxKeys) {
      return { code: 'event.too_many_keys', message: `The event holds more than ${limits.maxKeys} keys and items.`, path };
    }
  }
  return null;
}

const join = (a: string, b: string): string => (a === '' ? b : `${a}.${b}`);
