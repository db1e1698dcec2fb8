import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('smoke', () => {
  it('takes a batch and shows the profile', async () => {
    s = await startTestSegmentum();
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
      payload: {
        batch: [
          { type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'Jean@Example.fr', plan: 'gold' }, messageId: 'm1' },
          { type: 'track', userId: 'u1', event: 'Order Completed', properties: { revenue: 42 }, messageId: 'm2' },
          { type: 'track', event: 'x' },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ received: 3, accepted: 2, duplicates: 0 });
    expect(body.rejected[0].code).toBe('event.missing_identity');
    const p = await s.app.inject({ url: '/api/profiles?email=jean@example.fr', headers: { authorization: bearer(ADMIN_KEY) } });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ traits: { plan: 'gold' }, personal: { email: 'Jean@Example.fr' }, events: { total: 2 } });
  });
});
