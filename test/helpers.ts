import { parseConfig, type ConfigInput } from '../src/config/index.js';
import { createSegmentum, type Segmentum } from '../src/main.js';
import type { Clock } from '../src/kernel/index.js';

export const WRITE_KEY = 'test-write-key-1234';
export const ADMIN_KEY = 'test-admin-key-5678';

/** A Segmentum on its own in-memory store, with known keys. */
export async function startTestSegmentum(overrides: ConfigInput = {}, clock?: Clock): Promise<Segmentum> {
  const config = parseConfig({ db: ':memory:', writeKey: WRITE_KEY, adminKey: ADMIN_KEY, ...overrides });
  return createSegmentum(config, clock ? { logger: false, clock } : { logger: false });
}

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
export const bearer = (key: string): string => `Bearer ${key}`;
