import { lazy } from 'preact-iso';
import type { ComponentType } from 'preact';
import type { common } from './i18n/common.js';

/**
 * Every page of the dashboard. Adding a page is one entry here (and a `nav` entry if it belongs in the sidebar);
 * pages load on demand, so a page's charts and code are fetched only when it is opened.
 */

type NavLabel = keyof typeof common.en;

export interface PageDef {
  path: string;
  // Pages read their path parameters with preact-iso's useRoute(), not from props.
  component: ComponentType<object>;
  /** Shown in the sidebar with this label; `section` is the path prefix that marks it as current. */
  nav?: { label: NavLabel; section: string; icon: string };
}

export const PAGES: PageDef[] = [
  { path: '/', component: lazy(() => import('./pages/overview/overview-page.js')), nav: { label: 'navOverview', section: '/', icon: '◔' } },
  { path: '/segments', component: lazy(() => import('./pages/segments/segments-page.js')), nav: { label: 'navSegments', section: '/segments', icon: '◎' } },
  { path: '/segments/new', component: lazy(() => import('./pages/builder/builder-page.js')) },
  { path: '/segments/:id/edit', component: lazy(() => import('./pages/builder/builder-page.js')) },
  { path: '/segments/:id/explain/:profileId', component: lazy(() => import('./pages/segments/explain-page.js')) },
  { path: '/segments/:id', component: lazy(() => import('./pages/segments/segment-page.js')) },
  { path: '/profiles', component: lazy(() => import('./pages/profiles/profiles-page.js')), nav: { label: 'navProfiles', section: '/profiles', icon: '☺' } },
  { path: '/profiles/:id', component: lazy(() => import('./pages/profiles/profile-page.js')) },
  { path: '/identity/review', component: lazy(() => import('./pages/identity/review-page.js')), nav: { label: 'navDuplicates', section: '/identity', icon: '⇄' } },
  { path: '/identity/review/:pairId', component: lazy(() => import('./pages/identity/review-pair-page.js')) },
  { path: '/live', component: lazy(() => import('./pages/live/live-page.js')), nav: { label: 'navLive', section: '/live', icon: '≋' } },
  { path: '/imports', component: lazy(() => import('./pages/imports/imports-page.js')), nav: { label: 'navImports', section: '/imports', icon: '⇓' } },
  { path: '/imports/:id', component: lazy(() => import('./pages/imports/import-run-page.js')) },
  { path: '/quality', component: lazy(() => import('./pages/quality/quality-page.js')), nav: { label: 'navQuality', section: '/quality', icon: '✓' } },
  { path: '/clusters', component: lazy(() => import('./pages/clusters/clusters-page.js')), nav: { label: 'navClusters', section: '/clusters', icon: '⁂' } },
  { path: '/models', component: lazy(() => import('./pages/models/models-page.js')), nav: { label: 'navModels', section: '/models', icon: '↗' } },
  { path: '/models/:name', component: lazy(() => import('./pages/models/model-page.js')) },
  { path: '/clv', component: lazy(() => import('./pages/clv/clv-page.js')), nav: { label: 'navClv', section: '/clv', icon: '€' } },
  { path: '/settings', component: lazy(() => import('./pages/settings/settings-page.js')), nav: { label: 'navSettings', section: '/settings', icon: '⚙' } },
];
