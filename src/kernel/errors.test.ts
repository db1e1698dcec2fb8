import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, statusOf } from './errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^### `([^`]+)`\n\nHTTP (\d{3})\./gm)].map((m) => ({ code: m[1], status: Number(m[2]) }));

describe('error catalogue', () => {
  it('documents every code once, with its status, and nothing else', () => {
    expect(documented.map((d) => d.code).sort()).toEqual([...ERROR_CODES].sort());
    expect(new Set(documented.map((d) => d.code)).size).toBe(documented.length);
    for (const d of documented) expect(d.status, d.code ?? '').toBe(statusOf(d.code as keyof typeof ERROR_CATALOGUE));
  });

  it('names codes as domain.snake_case and maps each to an error status', () => {
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(statusOf(code)).toBeGreaterThanOrEqual(400);
    }
  });

  it('keeps transient failures on 429/503 and permanent ones on 4xx, as the SDKs retry only the former', () => {
    for (const code of ERROR_CODES.filter((c) => c.startsWith('server.') && c !== 'server.internal')) {
      expect([429, 503]).toContain(statusOf(code));
    }
    for (const code of ERROR_CODES.filter((c) => c.startsWith('event.') || c.startsWith('request.'))) {
      expect(statusOf(code)).toBeLessThan(500);
    }
  });
});
