import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useSession } from '../api/session.js';
import { common } from '../i18n/common.js';
import { LOCALES, useLocale, useT, type Locale } from '../i18n/i18n.js';
import { PAGES } from '../routes.js';

export function LocaleSwitch() {
  const { locale, setLocale } = useLocale();
  const t = useT(common);
  return (
    <label class="locale-switch">
      <span>{t('language')}</span>
      <select value={locale} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)} data-testid="locale">
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {l === 'fr' ? 'Français' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The frame of every page: skip link, sidebar navigation, top bar with language and logout, main content. */
export function Layout({ children }: { children: ComponentChildren }) {
  const t = useT(common);
  const { path } = useLocation();
  const { logout } = useSession();
  const current = (section: string): boolean => (section === '/' ? path === '/' : path === section || path.startsWith(`${section}/`));
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <nav class="sidebar" aria-label={t('mainNav')}>
        <a class="brand" href="/">
          <span aria-hidden="true" class="brand-mark" />
          {t('appName')}
        </a>
        <ul>
          {PAGES.filter((p) => p.nav).map((p) => (
            <li key={p.path}>
              <a href={p.path} aria-current={current(p.nav!.section) ? 'page' : undefined}>
                <span aria-hidden="true" class="nav-icon">
                  {p.nav!.icon}
                </span>
                {t(p.nav!.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="content">
        <div class="topbar">
          <LocaleSwitch />
          <button type="button" class="link-button" onClick={() => logout()}>
            {t('logout')}
          </button>
        </div>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
