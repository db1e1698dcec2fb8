import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';

/**
 * Two languages, French and English. Each page declares its own messages with `defineMessages(en, fr)`: the French
 * dictionary must have exactly the English keys (a missing translation is a type error), and pages stay independent
 * of each other. Numbers and dates are formatted with Intl for the chosen locale.
 */

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'segmentum.locale';

export type Messages<K extends string> = { en: Record<K, string>; fr: Record<K, string> };

export function defineMessages<K extends string>(en: Record<K, string>, fr: Record<K, string>): Messages<K> {
  return { en, fr };
}

export function browserLocale(languages: readonly string[] = navigator.languages): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'fr') return 'fr';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'fr' || saved === 'en' ? saved : browserLocale();
}

interface LocaleState {
  locale: Locale;
  setLocale: (l: Locale) => void;
}

const LocaleContext = createContext<LocaleState>({ locale: 'en', setLocale: () => undefined });

export function LocaleProvider({ children }: { children: ComponentChildren }) {
  const [locale, set] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    set(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export const useLocale = (): LocaleState => useContext(LocaleContext);

type Params = Record<string, string | number>;

export interface Translate<K extends string> {
  (key: K, params?: Params): string;
  /** Picks `<key>_one` or `<key>_other` by the locale's plural rule for `count` (also passed as {count}). */
  plural: (key: string, count: number, params?: Params) => string;
}

/** `t('key', { name })` replaces `{name}`; numbers in params are formatted for the locale. */
export function useT<K extends string>(messages: Messages<K>): Translate<K> {
  const { locale } = useLocale();
  return useMemo(() => {
    const dict = messages[locale] as Record<string, string>;
    const numbers = new Intl.NumberFormat(locale);
    const rules = new Intl.PluralRules(locale);
    const fill = (text: string, params?: Params): string =>
      params ? text.replace(/\{(\w+)\}/g, (m, name: string) => {
        const v = params[name];
        return v === undefined ? m : typeof v === 'number' ? numbers.format(v) : v;
      }) : text;
    const t = ((key: K, params?: Params) => fill(dict[key] ?? key, params)) as Translate<K>;
    t.plural = (key, count, params) => {
      const form = rules.select(count) === 'one' ? 'one' : 'other';
      return fill(dict[`${key}_${form}`] ?? dict[`${key}_other`] ?? key, { count, ...params });
    };
    return t;
  }, [messages, locale]);
}

export interface Format {
  locale: Locale;
  number: (n: number, digits?: number) => string;
  compact: (n: number) => string;
  percent: (fraction: number) => string;
  /** A date and time in the user's time zone. */
  dateTime: (iso: string) => string;
  /** A calendar day (YYYY-MM-DD, UTC) without a time. */
  day: (isoDay: string) => string;
  time: (iso: string) => string;
}

export function useFormat(): Format {
  const { locale } = useLocale();
  return useMemo(() => {
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    const int = new Intl.NumberFormat(tag);
    const compact = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 });
    const pct = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
    const dt = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
    const d = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
    const tm = new Intl.DateTimeFormat(tag, { timeStyle: 'medium' });
    return {
      locale,
      number: (n, digits) => (digits === undefined ? int.format(n) : new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(n)),
      compact: (n) => compact.format(n),
      percent: (f) => pct.format(f),
      dateTime: (iso) => dt.format(new Date(iso)),
      day: (isoDay) => d.format(new Date(`${isoDay.slice(0, 10)}T00:00:00Z`)),
      time: (iso) => tm.format(new Date(iso)),
    };
  }, [locale]);
}
