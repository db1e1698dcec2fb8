import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { KeyList } from '../../src/api/schemas.js';
import { WRITE_KEY } from '../helpers.js';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

type Keys = z.infer<typeof KeyList>;

const run = promisify(execFile);

const keysTable = (page: Page) => page.getByRole('table', { name: 'API keys, oldest first' });

async function call(url: string, key: string, method = 'GET', path = '/api/stats'): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: method === 'GET' ? undefined : '{"ids":[]}',
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}

/** Settings: API keys (create, shown once, revoke) and the tracking code filled in with a write key. */
describe.skipIf(noBrowser('e2e/settings'))('settings page', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('lists the keys of GET /api/keys', async () => {
    const page = await d.loggedIn('/settings');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const keys = await d.api<Keys>('/api/keys');
    await keysTable(page).waitFor();
    expect(await keysTable(page).locator('tbody tr').count()).toBe(keys.items.length);
    for (const k of keys.items) {
      const row = keysTable(page).locator(`tr[data-key-id="${k.id}"]`);
      expect(await row.getByRole('rowheader').textContent()).toContain(k.label);
      for (const s of k.scopes) await row.getByText(s, { exact: true }).waitFor();
      expect(await row.textContent()).toContain(`${k.prefix}…`);
      expect(await row.textContent()).toContain(k.revokedAt ? 'revoked on' : 'active');
    }
    // The admin key of this session is marked.
    const admin = keys.items.find((k) => k.scopes.includes('manage'))!;
    expect(await keysTable(page).locator(`tr[data-key-id="${admin.id}"]`).textContent()).toContain('your key');
    expect(jsErrors(page)).toEqual([]);
  });

  it('creates a read-only key, shows it once, and revokes it', async () => {
    const page = await d.loggedIn('/settings');
    const label = `Reporting ${Date.now()}`;
    await page.getByLabel('Label', { exact: true }).fill(label);
    await page.getByRole('checkbox', { name: 'read' }).check();
    // A track key stands alone: the form does not let it be combined.
    expect(await page.getByRole('checkbox', { name: 'track' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Create the key' }).click();

    const box = page.getByRole('region', { name: `New key: ${label}` });
    await box.waitFor();
    expect(await box.textContent()).toContain('it is shown only this once');
    const key = await box.getByRole('textbox', { name: 'The new key' }).inputValue();
    expect(key).toMatch(/^rk_/);
    const keys = await d.api<Keys>('/api/keys');
    const created = keys.items.find((k) => k.label === label)!;
    expect(created).toMatchObject({ scopes: ['read'], revokedAt: null, key: null, prefix: key.slice(0, created.prefix.length) });
    const row = keysTable(page).locator(`tr[data-key-id="${created.id}"]`);
    await row.waitFor();
    await screenshot(page, 'settings-keys');

    // It reads, and cannot change anything.
    expect(await call(d.url, key)).toEqual({ status: 200, code: undefined });
    expect(await call(d.url, key, 'POST', '/api/quarantine/replay')).toEqual({ status: 403, code: 'auth.forbidden_scope' });

    // Shown once: gone after a reload, and nowhere in the page.
    await page.reload();
    await keysTable(page).waitFor();
    expect(await page.getByRole('region', { name: `New key: ${label}` }).count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    await row.getByRole('button', { name: `Revoke the key ${label} (${created.prefix})` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke the key “${label}”?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Revoke the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('revoked on');
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await call(d.url, key)).toEqual({ status: 401, code: 'auth.revoked_key' });
    expect(jsErrors(page)).toEqual([]);
  });

  it('keeps track apart from the other scopes, and explains a refused revocation of the last admin key', async () => {
    const page = await d.loggedIn('/settings');
    await page.getByRole('checkbox', { name: 'track' }).check();
    expect(await page.getByRole('checkbox', { name: 'read' }).isDisabled()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'manage' }).isDisabled()).toBe(true);
    await page.getByText('A track key stands alone: it cannot be combined with read or manage.').waitFor();
    // Each scope says what it allows.
    expect(await page.getByRole('checkbox', { name: 'manage' }).getAttribute('aria-describedby')).toBe('scope-manage-desc');
    expect(await page.locator('#scope-manage-desc').textContent()).toContain('It includes read.');
    await page.getByRole('checkbox', { name: 'track' }).uncheck();
    await page.getByRole('checkbox', { name: 'manage' }).check();
    expect(await page.getByRole('checkbox', { name: 'read' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'track' }).isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'manage' }).uncheck();

    const keys = await d.api<Keys>('/api/keys');
    const admin = keys.items.find((k) => k.scopes.includes('manage') && !k.revokedAt)!;
    const row = keysTable(page).locator(`tr[data-key-id="${admin.id}"]`);
    await row.getByRole('button', { name: /^Revoke the key/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This is the key you are logged in with').waitFor();
    await dialog.getByRole('button', { name: 'Revoke the key' }).click();
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('keys.last_admin');
    expect(await alert.textContent()).toContain('is the last key with the manage scope');
    await screenshot(page, 'settings-last-admin');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await d.api<Keys>('/api/keys')).items.find((k) => k.id === admin.id)?.revokedAt).toBeNull();
    expect(jsErrors(page)).toEqual([]);
  });

  it('fills the tracking code with the write key and this server, and each works', async () => {
    const page = await d.loggedIn('/settings#snippet');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: d.url });
    const section = page.getByRole('region', { name: 'Tracking snippet' });
    await section.waitFor();
    expect(await section.getByLabel('Write key').locator('option:checked').textContent()).toContain(WRITE_KEY.slice(0, 7));

    const npm = (await page.getByTestId('code-npm').textContent()) ?? '';
    expect(npm).toContain("import { AnalyticsBrowser } from '@segment/analytics-next';");
    expect(npm).toContain(`writeKey: "${WRITE_KEY}"`);
    expect(npm).toContain(`cdnURL: "${d.url}"`);
    const snippet = (await page.getByTestId('code-snippet').textContent()) ?? '';
    expect(snippet).toContain(`analytics._cdn="${d.url}"`);
    expect(snippet).toContain(`analytics._writeKey="${WRITE_KEY}"`);
    expect(snippet).toContain(`analytics.load("${WRITE_KEY}")`);
    expect(snippet).toContain('t.src="https://static.example.com/analytics.js/v1/" + key + "/analytics.min.js"');
    // What goes between the script tags is valid JavaScript (parsed, not run).
    const script = snippet.replace(/^<script>/, '').replace(/<\/script>$/, '');
    expect(() => new Function(script)).not.toThrow();

    // The curl example, run as shown, stores an event.
    const curl = (await page.getByTestId('code-curl').textContent()) ?? '';
    expect(curl).toContain(`curl -u '${WRITE_KEY}:' ${d.url}/v1/track`);
    const out = await run('sh', ['-c', `${curl} --silent`]);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, accepted: 1 });

    // The pixel URL answers the GIF and records "Email Opened".
    const pixel = (await page.getByTestId('code-pixel').textContent()) ?? '';
    expect(pixel.startsWith(`${d.url}/v1/pixel/track?writeKey=${WRITE_KEY}&data=`)).toBe(true);
    const gif = await fetch(pixel);
    expect(gif.status).toBe(200);
    expect(gif.headers.get('content-type')).toContain('image/gif');
    const recent = await d.api<{ events: { event: string | null; userId: string | null }[] }>('/api/events/recent?limit=5');
    expect(recent.events.map((e) => `${e.event}/${e.userId}`)).toEqual(expect.arrayContaining(['Email Opened/usr_42', 'Order Completed/usr_42']));
    expect(await page.getByTestId('code-pixel-img').textContent()).toContain(`<img src="${d.url}/v1/pixel/track?writeKey=${WRITE_KEY}&amp;data=`);

    await section.getByRole('button', { name: 'Copy the curl example' }).click();
    await section.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(curl);
    await screenshot(page, 'settings-snippet');
    expect(jsErrors(page)).toEqual([]);
  });

  it('is in French', async () => {
    const page = await d.loggedIn('/settings', { locale: 'fr-FR' });
    await page.getByRole('heading', { level: 1, name: 'Paramètres' }).waitFor();
    await page.getByRole('table', { name: 'Clés d’API, de la plus ancienne à la plus récente' }).waitFor();
    await page.getByRole('heading', { name: 'Créer une clé' }).waitFor();
    await page.getByRole('group', { name: 'Portées' }).waitFor();
    expect(await page.locator('#scope-read-desc').textContent()).toContain('Lit les profils');
    await page.getByRole('region', { name: 'Code de suivi' }).waitFor();
    await page.getByRole('button', { name: 'Copier l’exemple curl' }).waitFor();
    await screenshot(page, 'settings-fr');
    expect(jsErrors(page)).toEqual([]);
  });

  it('without a usable write key, says so and creates one from the snippet section', async () => {
    const page = await d.loggedIn('/settings');
    // Revoke the only write key (the last test of the file: the others use it).
    const write = (await d.api<Keys>('/api/keys')).items.find((k) => k.scopes.includes('track') && !k.revokedAt)!;
    await keysTable(page).locator(`tr[data-key-id="${write.id}"]`).getByRole('button', { name: /^Revoke the key/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke the key' }).click();
    const section = page.getByRole('region', { name: 'Tracking snippet' });
    await section.getByText('There is no active write key. Create one to get a snippet.').waitFor();

    await section.getByRole('button', { name: 'Create a write key' }).click();
    // The form is filled once the click has been rendered.
    await expect.poll(() => page.getByLabel('Label', { exact: true }).inputValue()).toBe('Website');
    expect(await page.getByRole('checkbox', { name: 'track' }).isChecked()).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('Website');
    await page.getByRole('button', { name: 'Create the key' }).click();
    const key = await page.getByRole('region', { name: 'New key: Website' }).getByRole('textbox', { name: 'The new key' }).inputValue();
    expect(key).toMatch(/^wk_/);
    await expect.poll(() => page.getByTestId('code-curl').textContent()).toContain(`curl -u '${key}:' ${d.url}/v1/track`);
    expect(jsErrors(page)).toEqual([]);
  });
});
