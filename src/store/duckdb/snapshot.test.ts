import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../../main.js';
import { WRITE_KEY, basic, startTestSegmentum } from '../../../test/helpers.js';

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('readSnapshot', () => {
  it('reads one committed state: a commit made meanwhile is not seen inside, and is seen after', async () => {
    s = await startTestSegmentum();
    const app = s.app;
    const store = s.store;
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const snap = store.readSnapshot(async () => {
      const before = await store.stats();
      release();
      await written;
      const after = await store.stats();
      return { before, after };
    });
    await started;
    const res = await app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(WRITE_KEY) }, payload: { userId: 'snap', event: 'E' } });
    expect(res.statusCode).toBe(200);
    wrote();
    const { before, after } = await snap;
    expect(after.events).toBe(before.events);
    expect((await store.stats()).events).toBe(before.events + 1);
  });
});
