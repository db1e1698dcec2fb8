import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/index.js';
import { loadConfig } from './load-config.js';

const file = (content: string): string => {
  const p = join(mkdtempSync(join(tmpdir(), 'segmentum-config-')), 'config.json');
  writeFileSync(p, content);
  return p;
};

describe('loadConfig', () => {
  it('layers file, then environment, then flags', () => {
    const f = file(JSON.stringify({ port: 1000, limits: { maxBatchEvents: 10 }, dedupWindowDays: 30, host: '0.0.0.0' }));
    const c = loadConfig({ file: f, env: { SEGMENTUM_PORT: '2000' }, flags: { host: '127.0.0.2' } });
    expect(c.port).toBe(2000);
    expect(c.host).toBe('127.0.0.2');
    expect(c.limits.maxBatchEvents).toBe(10);
    expect(c.limits.maxEventBytes).toBe(32 * 1024);
    expect(c.dedupWindowDays).toBe(30);
  });

  it('names the bad option in a config.invalid error', () => {
    const f = file(JSON.stringify({ limits: { maxBatchEvents: -1 } }));
    try {
      loadConfig({ file: f, env: {}, flags: {} });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('config.invalid');
      expect((e as AppError).message).toContain('limits.maxBatchEvents');
    }
    expect(() => loadConfig({ env: { SEGMENTUM_LOG_LEVEL: 'loud' }, flags: {} })).toThrow(/logLevel/);
    expect(() => loadConfig({ file: file('{not json'), env: {}, flags: {} })).toThrow(/not valid JSON/);
  });
});
