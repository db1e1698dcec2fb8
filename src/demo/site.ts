import { assertNever, type Rng } from '../kernel/index.js';
import type { Catalogue, Category, Product } from './catalogue.js';
import {
  AFFILIATES,
  REFERRAL_SITES,
  SEARCH_QUERIES,
  SEARCH_REFERRERS,
  SOCIAL_SOURCES,
  type Channel,
} from './french-reference-data.js';
import type { CampaignContext } from './messages.js';

/** The `.example` top-level domain is reserved (RFC 2606): demo URLs can never point at someone's real shop. */
export const SHOP_URL = 'https://www.boutique-hexagone.example';
const SHOP_NAME = 'Boutique Hexagone';

/** A page of the shop, as the page call names it. */
export interface SitePage {
  readonly name: string;
  readonly path: string;
  readonly title: string;
  readonly category?: string;
}

export const PAGES = {
  home: { name: 'Accueil', path: '/', title: `${SHOP_NAME} — mode, maison, beauté et high-tech` },
  signup: { name: 'Inscription', path: '/inscription', title: `Créer un compte | ${SHOP_NAME}` },
  login: { name: 'Connexion', path: '/connexion', title: `Connexion | ${SHOP_NAME}` },
  cart: { name: 'Panier', path: '/panier', title: `Mon panier | ${SHOP_NAME}` },
  delivery: { name: 'Livraison', path: '/commande/livraison', title: `Livraison | ${SHOP_NAME}` },
  payment: { name: 'Paiement', path: '/commande/paiement', title: `Paiement sécurisé | ${SHOP_NAME}` },
  confirmation: { name: 'Confirmation de commande', path: '/commande/confirmation', title: `Merci ! | ${SHOP_NAME}` },
  account: { name: 'Mon compte', path: '/mon-compte', title: `Mon compte | ${SHOP_NAME}` },
} satisfies Record<string, SitePage>;

const LANDING_NAMES: Readonly<Record<string, string>> = {
  '/nouveautes': 'Nouveautés',
  '/soldes': 'Soldes',
  '/idees-cadeaux': 'Idées cadeaux',
  '/black-friday': 'Black Friday',
};

export function categoryPage(catalogue: Catalogue, category: Category): SitePage {
  const meta = catalogue.labels.get(category);
  const label = meta?.label ?? category;
  return { name: 'Catégorie', path: `/c/${meta?.slug ?? category}`, title: `${label} | ${SHOP_NAME}`, category };
}

export function productPage(p: Product): SitePage {
  return { name: 'Produit', path: p.path, title: `${p.name} | ${SHOP_NAME}`, category: p.category };
}

export function searchPage(): SitePage {
  return { name: 'Recherche', path: '/recherche', title: `Recherche | ${SHOP_NAME}` };
}

/** The page an email link lands on: a category, or one of the shop's operation pages. */
export function campaignLandingPage(catalogue: Catalogue, path: string): SitePage {
  for (const [category, meta] of catalogue.labels) {
    if (path === `/c/${meta.slug}`) return categoryPage(catalogue, category);
  }
  const name = LANDING_NAMES[path] ?? 'Accueil';
  return { name, path, title: `${name} | ${SHOP_NAME}` };
}

/** Where a visit comes from: the referrer the browser reports and, for tagged links, the UTM parameters. */
export interface TrafficSource {
  readonly referrer: string;
  readonly campaign: CampaignContext | null;
}

export function trafficSource(rng: Rng, channel: Channel, category: Category): TrafficSource {
  switch (channel) {
    case 'direct':
      return { referrer: '', campaign: null };
    case 'organic':
      return { referrer: rng.weighted(SEARCH_REFERRERS), campaign: null };
    case 'paid_search':
      return {
        referrer: 'https://www.google.fr/',
        campaign: {
          name: rng.chance(0.4) ? 'marque-exact' : `shopping-${category}`,
          source: 'google',
          medium: 'cpc',
          term: rng.pick(SEARCH_QUERIES),
        },
      };
    case 'social': {
      const s = rng.weighted(SOCIAL_SOURCES);
      return rng.chance(0.5)
        ? { referrer: s.referrer, campaign: { name: `social-${category}`, source: s.source, medium: 'paid_social' } }
        : { referrer: s.referrer, campaign: null };
    }
    case 'email':
      return { referrer: '', campaign: { name: 'bienvenue', source: 'newsletter', medium: 'email' } };
    case 'referral':
      return { referrer: rng.pick(REFERRAL_SITES), campaign: null };
    case 'affiliate':
      return {
        referrer: '',
        campaign: { name: 'cashback', source: rng.pick(AFFILIATES), medium: 'affiliate', content: 'lien-texte' },
      };
    default:
      return assertNever(channel, 'channel');
  }
}

/** The query string a tagged landing URL carries, as analytics.js reads it into context.page.search. */
export function utmSearch(c: CampaignContext | null): string {
  if (!c) return '';
  const parts = [`utm_source=${c.source}`, `utm_medium=${c.medium}`, `utm_campaign=${encodeURIComponent(c.name)}`];
  if (c.term) parts.push(`utm_term=${encodeURIComponent(c.term)}`);
  if (c.content) parts.push(`utm_content=${encodeURIComponent(c.content)}`);
  return `?${parts.join('&')}`;
}
