import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBrowser, screenshot } from '../support/browser.js';
import { jsErrors, startDashboard, type Dashboard } from '../support/dashboard.js';

/** The dashboard's frame: served by `segmentum serve` itself, login with the admin key, navigation, language. */
describe.skipIf(noBrowser('e2e/shell'))('dashboard shell', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('serves the built page at / and at deep links, but never in place of an API answer', async () => {
    const page = await fetch(`${d.url}/segments/some-id`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="app">');
    const api = await fetch(`${d.url}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('request.not_found');
    const noKey = await fetch(`${d.url}/api/overview`);
    expect(noKey.status).toBe(401);
  });

  it('refuses a wrong key with the reason, then logs in with the admin key', async () => {
    const { page } = await d.newPage();
    await page.goto(`${d.url}/`);
    await page.getByLabel('Admin key').fill('not-a-key');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('auth.invalid_admin_key');
    await screenshot(page, 'login-refused');
    await page.getByLabel('Admin key').fill('test-admin-key-5678');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(jsErrors(page)).toEqual([]);
  });

  it('navigates between pages, shows a not-found page, and logs out', async () => {
    const page = await d.loggedIn('/');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Segments', exact: true }).click();
    await page.waitForURL(`${d.url}/segments`);
    expect(await nav.getByRole('link', { name: 'Segments', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Overview', exact: true }).getAttribute('aria-current')).toBeNull();
    await page.goto(`${d.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Segmentum' }).waitFor();
    // The key is gone: reloading does not log back in.
    await page.reload();
    await page.getByRole('heading', { name: 'Log in to Segmentum' }).waitFor();
  });

  it('follows the browser language, switches language in the UI, and keeps the choice', async () => {
    const fr = await d.loggedIn('/', { locale: 'fr-FR' });
    await fr.getByRole('link', { name: 'Vue d’ensemble' }).waitFor();
    expect(await fr.evaluate(() => document.documentElement.lang)).toBe('fr');
    await fr.getByLabel('Langue').selectOption('en');
    await fr.getByRole('link', { name: 'Overview' }).waitFor();
    await fr.reload();
    await fr.getByRole('link', { name: 'Overview' }).waitFor();
    expect(await fr.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('can be used with the keyboard: the skip link leads to the content', async () => {
    const page = await d.loggedIn('/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    expect(focused).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });
});
