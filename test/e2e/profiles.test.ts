import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile, Timeline } from '../../web/src/api/client.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/** The profiles pages: search, a profile in full (traits, PII vault, identities, segments, scores), its timeline. */
describe.skipIf(noBrowser('e2e/profiles'))('profiles pages', () => {
  let d: Dashboard;
  let profile: Profile;
  let userId: string;

  beforeAll(async () => {
    d = await startDashboard();
    // A demo customer who buys: a member of active-buyers, as the API knows it; one whose identities were merged
    // when there is one among the first members, so the merge history is shown too.
    const members = await d.api<{ items: { profileId: string }[] }>('/api/segments/active-buyers/members?limit=30');
    if (members.items.length === 0) throw new Error('the demo has no member of active-buyers');
    const candidates = await Promise.all(members.items.map((m) => d.api<Profile>(`/api/profiles/${m.profileId}`)));
    profile = candidates.find((p) => p.merges.some((m) => m.action === 'merge' && m.otherProfileId)) ?? (candidates[0] as Profile);
    const uid = profile.identities.find((i) => i.kind === 'user_id')?.value;
    if (!uid) throw new Error(`${profile.id} has no userId`);
    userId = uid;
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const en = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  const region = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true });

  /** The term/value pairs of the first definition list in `where`, as shown: text, and the instant of a date. */
  const shownPairs = (where: Locator) =>
    where
      .locator('dl')
      .first()
      .evaluate((dl) =>
        Object.fromEntries(
          [...dl.querySelectorAll(':scope > div')].map((row) => {
            const dd = row.querySelector(':scope > dd');
            return [row.querySelector(':scope > dt')?.textContent ?? '', { text: dd?.textContent ?? '', time: dd?.querySelector(':scope > time')?.getAttribute('datetime') ?? null }];
          }),
        ),
      );

  /** Every value of the API's record is on the page, in English formatting. */
  function expectSameValues(shown: Record<string, { text: string; time: string | null }>, record: Record<string, unknown>): void {
    expect(Object.keys(shown).sort()).toEqual(Object.keys(record).sort());
    for (const [k, v] of Object.entries(record)) {
      const s = shown[k];
      if (typeof v === 'string' && ISO.test(v)) expect(s?.time, k).toBe(v);
      else if (typeof v === 'string') expect(s?.text, k).toBe(v);
      else if (typeof v === 'number') expect(s?.text, k).toBe(en.format(v));
      else if (typeof v === 'boolean') expect(s?.text, k).toBe(v ? 'yes' : 'no');
      else if (v && typeof v === 'object') for (const inner of Object.values(v)) expect(s?.text, k).toContain(String(inner));
    }
  }

  const timelineItems = (page: Page, name = 'Events, newest first'): Locator => page.getByRole('list', { name }).getByRole('listitem');
  const shownEvent = (item: Locator) =>
    item.evaluate((li) => ({
      time: li.querySelector('summary time')?.getAttribute('datetime') ?? null,
      type: li.querySelector('summary .badge')?.textContent ?? '',
      name: li.querySelector('summary .event-name')?.textContent ?? '',
    }));

  it('finds a profile by its userId, lists recently active profiles, and says when nothing matches', async () => {
    const page = await d.loggedIn('/profiles');
    await page.getByRole('heading', { level: 1, name: 'Profiles' }).waitFor();

    // Recently active profiles come from the latest events: each with its latest event, most recently active first.
    const recent = await d.api<{ events: { profileId: string | null; timestamp: string; event: string | null }[] }>('/api/events/recent?limit=500');
    const latest = new Map<string, string>();
    for (const e of recent.events) if (e.profileId && e.timestamp > (latest.get(e.profileId) ?? '')) latest.set(e.profileId, e.timestamp);
    const recentRows = region(page, 'Recently active profiles').getByRole('row');
    await expect.poll(() => recentRows.count()).toBe(Math.min(12, latest.size) + 1);
    const shown = await recentRows.evaluateAll((trs) =>
      trs.slice(1).map((tr) => ({ id: tr.querySelector('td')?.textContent ?? '', time: tr.querySelector('time')?.getAttribute('datetime') ?? '' })),
    );
    for (const r of shown) expect(r.time, r.id).toBe(latest.get(r.id));
    expect(shown.map((r) => r.time)).toEqual(shown.map((r) => r.time).sort().reverse());
    const [firstRecent] = shown;
    await recentRows.nth(1).getByRole('link').click();
    await page.waitForURL(`${d.url}/profiles/${firstRecent?.id}`);
    await page.getByRole('heading', { name: 'Event timeline' }).waitFor();
    await page.getByRole('link', { name: 'Search profiles' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profiles' }).waitFor();

    await page.getByLabel('Profile id, userId, anonymousId or email').fill('nobody-has-this-id');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('profile.not_found');
    expect(await page.getByRole('status').filter({ hasText: 'No profile was found' }).textContent()).toContain('userId, anonymousId, Email');
    await screenshot(page, 'profiles-search');

    await page.getByLabel('Profile id, userId, anonymousId or email').fill(userId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${d.url}/profiles/${profile.id}`);
    const first = String(profile.personal.firstName ?? '');
    await page.getByRole('heading', { level: 1, name: new RegExp(first) }).waitFor();

    // Looking up by profile id with the kind chosen explicitly lands on the same page.
    await page.goto(`${d.url}/profiles`);
    await page.getByLabel('Look up by').selectOption({ label: 'Profile id' });
    await page.getByLabel('Profile id, userId, anonymousId or email').fill(profile.id);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${d.url}/profiles/${profile.id}`);
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows the profile as the API gives it: traits, personal data apart, identities, segments, scores', async () => {
    const page = await d.loggedIn(`/profiles/${profile.id}`);
    const name = `${String(profile.personal.firstName)} ${String(profile.personal.lastName)}`;
    await page.getByRole('heading', { level: 1, name }).waitFor();

    expectSameValues(await shownPairs(region(page, 'Traits')), profile.traits);
    const pii = region(page, 'Personal data (PII vault)');
    expectSameValues(await shownPairs(pii), profile.personal);
    expect(await pii.textContent()).toContain('RGPD');
    // Personal values are in the vault section only, never among the traits.
    const email = String(profile.personal.email);
    expect(await pii.textContent()).toContain(email);
    expect(await region(page, 'Traits').textContent()).not.toContain(email);

    // Identities: one row per identifier, emails as their SHA-256 like the API.
    const ids = region(page, 'Identities');
    expect(await ids.getByRole('row').count()).toBe(profile.identities.length + 1);
    for (const i of profile.identities) expect(await ids.textContent()).toContain(i.value);
    expect(await ids.textContent()).toContain('Email (SHA-256)');

    // Segments with their entry time, a link to each segment and to the explanation.
    const segs = region(page, 'Segments');
    const active = profile.segments?.find((s) => s.name === 'active-buyers');
    expect(active).toBeDefined();
    const row = segs.getByRole('row').filter({ has: page.getByRole('link', { name: 'active-buyers', exact: true }) });
    expect(await row.locator('time').getAttribute('datetime')).toBe(active?.since);
    expect(await row.getByRole('link', { name: 'active-buyers', exact: true }).getAttribute('href')).toBe(`/segments/${active?.id}`);
    expect(await row.getByRole('link', { name: 'Why is this profile in active-buyers?' }).getAttribute('href')).toBe(`/segments/${active?.id}/explain/${profile.id}`);
    expect(await segs.getByRole('row').count()).toBe((profile.segments?.length ?? 0) + 1);

    // Scores and activity.
    const engagement = profile.scores?.engagement;
    if (typeof engagement === 'number') expect(await page.getByTestId('score-engagement').textContent()).toContain(en.format(engagement));
    expect(await page.getByTestId('events-total').textContent()).toContain(en.format(profile.events.total));
    const chart = page.getByTestId('events-by-type');
    await chart.locator('svg').first().waitFor();
    for (const [type, n] of Object.entries(profile.events.byType)) {
      expect(await chart.getByRole('row').filter({ hasText: type }).textContent()).toContain(String(n));
    }
    expect(await region(page, 'Merge history').getByRole('row').count()).toBe(profile.merges.length === 0 ? 0 : profile.merges.length + 1);
    await screenshot(page, 'profile-page');

    // An id merged into this profile opens this profile, with a notice saying so.
    const merge = profile.merges.find((m) => m.action === 'merge' && m.otherProfileId);
    expect(merge, 'the demo has merged profiles among the active buyers').toBeDefined();
    const merged = merge?.otherProfileId ?? '';
    const mergeRow = region(page, 'Merge history').getByRole('row').filter({ hasText: merged });
    expect(await mergeRow.textContent()).toContain(merge?.reason);
    expect(await mergeRow.textContent()).toContain(merge?.actor);
    expect(await mergeRow.locator('time').getAttribute('datetime')).toBe(merge?.at);
    await mergeRow.getByRole('link', { name: merged }).click();
    await page.waitForURL(`${d.url}/profiles/${merged}`);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'was merged into this one' }).textContent()).toContain(merged);
    await page.getByRole('heading', { level: 1, name }).waitFor();
    expect(await page.getByText(profile.id, { exact: true }).count()).toBeGreaterThan(0);
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows the timeline newest first, filters it by type and event name, and loads more', async () => {
    const api = await d.api<Timeline>(`/api/profiles/${profile.id}/events?limit=20`);
    const page = await d.loggedIn(`/profiles/${profile.id}`);
    const items = timelineItems(page);
    await expect.poll(() => items.count()).toBe(api.events.length);
    const top = api.events[0];
    expect(await shownEvent(items.first())).toEqual({ time: top?.timestamp, type: top?.type, name: top?.event ?? '(no name)' });

    // The details open on demand with the event's properties as JSON.
    await items.first().locator('summary').click();
    const anyProperty = Object.values(top?.properties ?? {}).find((v) => typeof v === 'string');
    if (anyProperty) await items.first().getByText(String(anyProperty), { exact: false }).first().waitFor();
    expect(await items.first().getByRole('heading', { name: 'Properties' }).count()).toBe(1);

    // "Load more" appends the next page after the first one.
    const next = await d.api<Timeline>(`/api/profiles/${profile.id}/events?limit=20&cursor=${encodeURIComponent(api.nextCursor ?? '')}`);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => items.count()).toBe(api.events.length + next.events.length);
    expect((await shownEvent(items.nth(api.events.length))).time).toBe(next.events[0]?.timestamp);
    expect((await shownEvent(items.first())).time).toBe(top?.timestamp);

    // Only track calls.
    const tracks = await d.api<Timeline>(`/api/profiles/${profile.id}/events?limit=20&type=track`);
    await page.getByRole('combobox', { name: 'Type', exact: true }).selectOption('track');
    await expect.poll(async () => (await shownEvent(items.first())).time).toBe(tracks.events[0]?.timestamp);
    await expect.poll(() => items.count()).toBe(tracks.events.length);
    const types = await items.evaluateAll((lis) => lis.map((li) => li.querySelector('summary .badge')?.textContent));
    expect(new Set(types)).toEqual(new Set(['track']));

    // Only one event name among the track calls (one that is not the newest event's, so the list visibly changes).
    const counts = new Map<string, number>();
    for (const e of tracks.events) if (e.event) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
    const eventName = [...counts.keys()].find((n) => n !== tracks.events[0]?.event) ?? [...counts.keys()][0] ?? '';
    const named = await d.api<Timeline>(`/api/profiles/${profile.id}/events?limit=20&type=track&event=${encodeURIComponent(eventName)}`);
    expect(named.events.length).toBeGreaterThan(0);
    await page.getByLabel('Event name (exact)').fill(eventName);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(async () => (await shownEvent(items.first())).time).toBe(named.events[0]?.timestamp);
    await expect.poll(() => items.count()).toBe(named.events.length);
    const names = await items.evaluateAll((lis) => lis.map((li) => li.querySelector('summary .event-name')?.textContent));
    expect(new Set(names)).toEqual(new Set([eventName]));
    // Clicking scrolled the page; from the top, the full-page picture keeps the sticky sidebar in place.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'profile-timeline-filtered');

    // Clearing the filters brings the whole timeline back.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => items.count()).toBe(api.events.length);
    expect(jsErrors(page)).toEqual([]);
  });

  it('speaks French', async () => {
    const page = await d.loggedIn(`/profiles/${profile.id}`, { locale: 'fr-FR' });
    await page.getByRole('heading', { name: 'Attributs', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Données personnelles (coffre PII)' }).waitFor();
    await page.getByRole('heading', { name: 'Chronologie des événements' }).waitFor();
    await page.getByRole('columnheader', { name: 'Membre depuis' }).waitFor();
    await expect.poll(() => timelineItems(page, 'Événements, du plus récent au plus ancien').count()).toBeGreaterThan(0);
    const active = profile.segments?.find((s) => s.name === 'active-buyers');
    const row = region(page, 'Segments').getByRole('row').filter({ hasText: 'active-buyers' });
    await row.getByRole('link', { name: 'Pourquoi ce profil est-il dans active-buyers ?' }).waitFor();
    // Dates are in French, in the browser's time zone.
    const expected = await page.evaluate(
      (iso) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
      active?.since ?? '',
    );
    expect(await row.locator('time').textContent()).toBe(expected);
    const text = (await page.getByRole('main').textContent()) ?? '';
    for (const english of ['Personal data', 'Member since', 'Load more', 'First seen', 'Merge history', 'Computed traits']) expect(text).not.toContain(english);
    await screenshot(page, 'profile-fr');

    await page.goto(`${d.url}/profiles`);
    await page.getByLabel('Identifiant de profil, userId, anonymousId ou e-mail').fill(userId);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(`${d.url}/profiles/${profile.id}`);
    expect(jsErrors(page)).toEqual([]);
  });
});
