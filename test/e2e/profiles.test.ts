import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityInfo, Profile, Timeline } from '../../web/src/api/client.js';
import { noBrowser, RESULTS_DIR, screenshot } from '../support/browser.js';
import { ProfileId } from '../../src/kernel/index.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * The profiles pages: search, a profile in full (traits, PII vault, identities, segments, scores, merge history), its
 * timeline, and undoing a merge.
 */
describe.skipIf(noBrowser('e2e/profiles'))('profiles pages', () => {
  let d: Dashboard;
  let profile: Profile;
  let userId: string;

  beforeAll(async () => {
    // With the imported customers: the matching merged Camille Rousseau's two rows, whose merge is undone below.
    d = await startDashboard({ customers: true });
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
    // Merge history: one row a merge of the identity graph, with its cause, evidence, author and state.
    const identity = await d.api<IdentityInfo>(`/api/identity/profiles/${profile.id}`);
    const merges = region(page, 'Merge history').getByRole('table', { name: 'Merges of this profile, oldest first' });
    await expect.poll(() => merges.getByRole('row').count()).toBe(identity.merges.length + 1);
    await screenshot(page, 'profile-page');

    // An id merged into this profile opens this profile, with a notice saying so.
    const merge = profile.merges.find((m) => m.action === 'merge' && m.otherProfileId);
    expect(merge, 'the demo has merged profiles among the active buyers').toBeDefined();
    const merged = merge?.otherProfileId ?? '';
    const edge = identity.merges.find((m) => m.merged === merged);
    expect(edge).toMatchObject({ survivor: profile.id, cause: 'event', status: 'active' });
    const mergeRow = merges.locator(`tr[data-merge="${edge?.id}"]`);
    const rowText = (await mergeRow.textContent()) ?? '';
    const shared = (edge?.evidence.identifiers as string[]).length;
    for (const shown of ['Event', 'In force', 'Undo merge', merge?.reason ?? '', merge?.actor ?? '', `${shared} identifier${shared === 1 ? '' : 's'}`]) expect(rowText).toContain(shown);
    expect(await mergeRow.locator('time').getAttribute('datetime')).toBe(edge?.at);
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
    for (const english of ['Personal data', 'Member since', 'Load more', 'First seen', 'Merge history', 'Computed traits', 'Undo merge', 'In force']) expect(text).not.toContain(english);
    await page.getByRole('button', { name: /^Annuler la fusion de / }).first().waitFor();
    await screenshot(page, 'profile-fr');

    await page.goto(`${d.url}/profiles`);
    await page.getByLabel('Identifiant de profil, userId, anonymousId ou e-mail').fill(userId);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(`${d.url}/profiles/${profile.id}`);
    expect(jsErrors(page)).toEqual([]);
  });
  /** The live profile an id stands for now (a merged id answers with the profile it was merged into). */
  const liveProfile = (id: string) => d.api<Profile>(`/api/profiles/${id}`);
  const keysOf = (p: Profile) => p.identities.map((i) => `${i.kind}:${i.value}`);
  const pct = (p: number) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(p);

  it('shows a match merge with its evidence, and undoes it after a confirmation: the merged profile lives again', async () => {
    const camille = await d.api<Profile>('/api/profiles?email=camille.rousseau%40example.fr');
    const identity = await d.api<IdentityInfo>(`/api/identity/profiles/${camille.id}`);
    const edge = identity.merges.find((m) => m.cause === 'match' && m.status === 'active');
    if (!edge) throw new Error(`the matching did not merge Camille Rousseau's rows: ${JSON.stringify(d.customers?.match)}`);
    expect(edge.survivor).toBe(camille.id);
    expect((await liveProfile(edge.merged)).id).toBe(edge.survivor);
    expect(edge.mergedIdentities.length).toBeGreaterThan(0);

    const page = await d.loggedIn(`/profiles/${edge.survivor}`);
    const merges = page.getByRole('table', { name: 'Merges of this profile, oldest first' });
    const row = merges.locator(`tr[data-merge="${edge.id}"]`);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Match');
    expect(text).toContain(`Probability ${pct(Number(edge.evidence.probability))}`);
    const agreeing = (edge.evidence.fields as { field: string; level: string }[]).filter((f) => f.level !== 'disagree' && f.level !== 'missing').map((f) => f.field);
    expect(text).toContain(`Agreeing fields: ${agreeing.join(', ')}`);
    expect(text).toContain('In force');
    expect(text).toContain(edge.actor);

    await region(page, 'Merge history').screenshot({ path: join(RESULTS_DIR, 'profile-merges.png') });

    // The confirmation says what will happen; nothing happens before it is confirmed.
    await row.getByRole('button', { name: `Undo merge of ${edge.merged} into ${edge.survivor}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo this merge?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`The profile ${edge.merged} will be separate again from ${edge.survivor}`);
    expect((await d.api<IdentityInfo>(`/api/identity/profiles/${edge.survivor}`)).merges.find((m) => m.id === edge.id)?.status).toBe('active');
    await screenshot(page, 'profile-unmerge-confirm');
    await dialog.getByRole('button', { name: 'Undo merge', exact: true }).click();

    const result = page.getByTestId('unmerge-result');
    await expect.poll(() => result.textContent()).toContain(`Merge undone: ${edge.merged} is a profile of its own again`);

    // The API agrees: the merged profile is live again with the identifiers it brought, the survivor no longer has them.
    const restored = await liveProfile(edge.merged);
    expect(restored.id).toBe(edge.merged);
    expect(restored.mergedFrom).toBeUndefined();
    for (const key of edge.mergedIdentities) expect(keysOf(restored)).toContain(key);
    const survivor = await liveProfile(edge.survivor);
    for (const key of edge.mergedIdentities) expect(keysOf(survivor)).not.toContain(key);
    const after = (await d.api<IdentityInfo>(`/api/identity/profiles/${edge.survivor}`)).merges.find((m) => m.id === edge.id);
    expect(after).toMatchObject({ status: 'undone' });
    const n = edge.mergedIdentities.length;
    expect(await result.textContent()).toContain(`${n} identifier${n === 1 ? '' : 's'} given back`);

    // The page shows the merge as undone, with nothing left to undo.
    await expect.poll(() => row.getAttribute('data-status')).toBe('undone');
    expect(await row.textContent()).toContain('Undone');
    expect(await row.getByRole('button').count()).toBe(0);
    // The events that went back are no longer on this profile's timeline.
    const left = await d.api<Timeline>(`/api/profiles/${edge.survivor}/events?limit=20`);
    expect(left.events.length).toBe(survivor.events.total);
    await expect.poll(() => timelineItems(page).count()).toBe(left.events.length);
    await screenshot(page, 'profile-unmerged');

    // The link leads to the restored profile, whose own history shows the same merge, undone.
    await result.getByRole('link', { name: 'Open the restored profile' }).click();
    await page.waitForURL(`${d.url}/profiles/${edge.merged}`);
    await page.getByRole('heading', { level: 1, name: `${String(restored.personal.firstName)} ${String(restored.personal.lastName)}` }).waitFor();
    const own = page.getByRole('table', { name: 'Merges of this profile, oldest first' }).locator(`tr[data-merge="${edge.id}"]`);
    await expect.poll(() => own.getAttribute('data-status')).toBe('undone');
    expect(jsErrors(page)).toEqual([]);
  });

  it('shows a manual merge with its reason, and leaves it in force when the confirmation is dismissed', async () => {
    const a = await d.api<Profile>('/api/profiles?email=manon.girard%40example.fr');
    const b = await d.api<Profile>('/api/profiles?email=mgirard%40example.com');
    expect(a.id).not.toBe(b.id);
    const reason = 'Same customer: she confirmed both addresses by phone';
    const merged = await d.s.identity.merge(ProfileId(a.id), ProfileId(b.id), { actor: 'test', cause: 'manual', evidence: { reason } });
    if (!merged.ok) throw new Error(merged.error.message);
    const edge = merged.value.edge;

    const page = await d.loggedIn(`/profiles/${edge.loser}`);
    // The merged id opens the survivor (the older of the two), whose history has the merge with its reason.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'was merged into this one' }).count()).toBe(1);
    const row = page.getByRole('table', { name: 'Merges of this profile, oldest first' }).locator(`tr[data-merge="${edge.mergeId}"]`);
    await expect.poll(async () => (await row.textContent()) ?? '').toContain(reason);
    expect(await row.textContent()).toContain('Manual');

    // Opened and dismissed with the keyboard: Escape closes the dialog, and the merge stays.
    const undo = row.getByRole('button', { name: /^Undo merge of / });
    await undo.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Undo this merge?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: /^Undo merge of / }).first().click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('unmerge-result').count()).toBe(0);
    expect((await liveProfile(edge.loser)).id).toBe(edge.winner);
    expect((await d.api<IdentityInfo>(`/api/identity/profiles/${edge.winner}`)).merges.find((m) => m.id === edge.mergeId)?.status).toBe('active');
    expect(jsErrors(page)).toEqual([]);
  });
});
