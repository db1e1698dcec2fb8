import type { Rng } from '../kernel/index.js';
import { CATEGORY_WEIGHTS, pickProduct, type Catalogue, type Category, type Product } from './catalogue.js';
import { DAY, MINUTE, SECOND, type ParisTime } from './calendar.js';
import { groupTraits } from './company.js';
import type { Campaign } from './email-marketing.js';
import { SEARCH_QUERIES, type Channel } from './french-reference-data.js';
import {
  browserContext,
  serverContext,
  type CampaignContext,
  type Device,
  type Draft,
  type PageContext,
  type Props,
} from './messages.js';
import { customerTraits, loyaltyTier, type Customer, type Habits, type Identity, type LoyaltyTier } from './person.js';
import {
  campaignLandingPage,
  categoryPage,
  PAGES,
  productPage,
  searchPage,
  SHOP_URL,
  trafficSource,
  utmSearch,
  type SitePage,
} from './site.js';

/** Order numbers run across the whole demo, as a shop's do. */
export class OrderNumbers {
  private n = 0;
  next(): string {
    this.n += 1;
    return `CMD-${String(this.n).padStart(7, '0')}`;
  }
}

/** What simulating one chunk needs; `out` collects its drafts. */
export interface Sim {
  readonly rng: Rng;
  readonly catalogue: Catalogue;
  readonly paris: ParisTime;
  readonly campaigns: readonly Campaign[];
  readonly from: number;
  readonly to: number;
  readonly orders: OrderNumbers;
  readonly out: Draft[];
}

/** One account as the shop knows it while the simulation runs. Visitors have no customer and no identity. */
export interface Shopper {
  readonly customer: Customer | null;
  readonly identity: Identity | null;
  readonly habits: Habits;
  signedUp: boolean;
  orders: number;
  lifetimeSpend: number;
  tier: LoyaltyTier;
  groupSent: boolean;
}

export interface Visit {
  readonly start: number;
  readonly device: Device;
  readonly channel: Channel;
  /** The email campaign whose link started this visit, if any. */
  readonly campaign: Campaign | null;
  /** Whether the person signs up or logs in right after landing. */
  readonly identify: 'none' | 'signup' | 'login';
  /** False before sign-up: the shop has no guest checkout. */
  readonly canBuy: boolean;
  /** Multiplies the person's chance of ordering: people often sign up in order to buy. */
  readonly eagerness: number;
}

interface CartLine {
  readonly product: Product;
  quantity: number;
}

interface VisitState {
  readonly sim: Sim;
  readonly shopper: Shopper;
  readonly device: Device;
  t: number;
  referrer: string;
  page: PageContext;
  campaign: CampaignContext | null;
  readonly cart: CartLine[];
  readonly cartId: string;
}

function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

function wait(v: VisitState, meanMs: number): void {
  v.t += 2 * SECOND + Math.floor(v.sim.rng.exponential(meanMs));
}

function who(device: Device): { userId?: string; anonymousId: string } {
  return device.userId === null
    ? { anonymousId: device.anonymousId }
    : { userId: device.userId, anonymousId: device.anonymousId };
}

function viewPage(v: VisitState, page: SitePage, search = ''): void {
  const url = SHOP_URL + page.path + search;
  const pc: PageContext = { path: page.path, url, title: page.title, referrer: v.referrer, search };
  const properties: Props = { path: pc.path, url, title: pc.title, referrer: pc.referrer, search, name: page.name };
  if (page.category !== undefined) properties.category = page.category;
  v.sim.out.push({
    t: v.t,
    type: 'page',
    ...who(v.device),
    name: page.name,
    properties,
    context: browserContext(v.device, pc, v.campaign),
  });
  v.page = pc;
  v.referrer = url;
}

function track(v: VisitState, event: string, properties: Props): void {
  v.sim.out.push({
    t: v.t,
    type: 'track',
    ...who(v.device),
    event,
    properties,
    context: browserContext(v.device, v.page, v.campaign),
  });
}

/** Back-end events (orders, abandoned-cart triggers) know the account, not the browser. */
function serverTrack(sim: Sim, t: number, userId: string, event: string, properties: Props): void {
  sim.out.push({ t, type: 'track', userId, event, properties, context: serverContext() });
}

function productProps(p: Product): Props {
  return {
    product_id: p.productId,
    sku: p.sku,
    name: p.name,
    category: p.category,
    brand: p.brand,
    variant: p.variant,
    price: p.price,
    currency: 'EUR',
    url: SHOP_URL + p.path,
  };
}

function lineItems(cart: readonly CartLine[]): Props[] {
  return cart.map((l, i) => ({ ...productProps(l.product), quantity: l.quantity, position: i + 1 }));
}

function interest(rng: Rng, habits: Habits): Category {
  return rng.chance(0.7) ? rng.pick(habits.favourites) : rng.weighted(CATEGORY_WEIGHTS);
}

function viewProduct(v: VisitState, p: Product): void {
  viewPage(v, productPage(p));
  v.t += v.sim.rng.int(200, 900);
  track(v, 'Product Viewed', productProps(p));
}

function addToCart(v: VisitState, p: Product): void {
  const { rng } = v.sim;
  wait(v, 20 * SECOND);
  let quantity = p.category === 'alimentation' ? rng.int(1, 3) : rng.chance(0.08) ? 2 : 1;
  // Business buyers order for the office: several of the same item.
  if (v.shopper.customer?.company && rng.chance(0.4)) quantity *= rng.int(2, 6);
  const line = v.cart.find((l) => l.product === p);
  if (line) line.quantity += quantity;
  else v.cart.push({ product: p, quantity });
  track(v, 'Product Added', { cart_id: v.cartId, ...productProps(p), quantity });
}

function browse(v: VisitState, p: Product): void {
  viewProduct(v, p);
  if (v.sim.rng.chance(v.shopper.habits.addRate)) addToCart(v, p);
}

function identify(v: VisitState, mode: 'signup' | 'login'): void {
  const { shopper, device, sim } = v;
  const c = shopper.customer;
  const id = shopper.identity;
  if (!c || !id) return;
  viewPage(v, mode === 'signup' ? PAGES.signup : PAGES.login);
  wait(v, mode === 'signup' ? 60 * SECOND : 15 * SECOND);
  device.userId = id.userId;
  sim.out.push({
    t: v.t,
    type: 'identify',
    userId: id.userId,
    anonymousId: device.anonymousId,
    traits: customerTraits(c, id, v.t, shopper.tier),
    context: browserContext(device, v.page, v.campaign),
  });
  if (mode === 'signup') {
    shopper.signedUp = true;
    v.t += sim.rng.int(100, 800);
    track(v, 'Signed Up', {
      signup_method: sim.rng.weighted<string>([['email', 80], ['google', 12], ['apple', 8]]),
      acquisition_channel: id === c.identity ? c.acquisition : 'direct',
    });
  }
  if (c.company && !shopper.groupSent && id === c.identity) {
    v.t += sim.rng.int(100, 800);
    sim.out.push({
      t: v.t,
      type: 'group',
      ...who(device),
      groupId: c.company.groupId,
      traits: groupTraits(c.company),
      context: browserContext(device, v.page, v.campaign),
    });
    shopper.groupSent = true;
  }
}

const PAYMENT_METHODS: readonly (readonly [string, number])[] = [
  ['carte_bancaire', 68], ['paypal', 18], ['apple_pay', 8], ['paiement_3x', 6],
];

const SHIPPING: readonly (readonly [readonly [string, number], number])[] = [
  [['colissimo', 5.9], 40],
  [['mondial_relay', 3.99], 35],
  [['chronopost', 9.9], 10],
  [['retrait_magasin', 0], 15],
];

function chooseCoupon(v: VisitState, campaign: Campaign | null): readonly [string, number] | null {
  const { rng } = v.sim;
  const c = v.shopper.customer;
  if (c && !c.existing && v.shopper.orders === 0 && rng.chance(0.4)) return ['BIENVENUE10', 10];
  if (campaign?.coupon && rng.chance(0.6)) return [campaign.coupon, Number(campaign.coupon.replace(/\D/g, ''))];
  if (rng.chance(0.04)) return ['LIVRAISONOFFERTE', 0];
  return null;
}

/** Cart page, checkout and, when `completes`, the order: the funnel every e-commerce spec event belongs to. */
function checkout(v: VisitState, campaign: Campaign | null, completes: boolean): void {
  const { sim, shopper, device } = v;
  const { rng } = sim;
  wait(v, 10 * SECOND);
  viewPage(v, PAGES.cart);
  wait(v, 40 * SECOND);
  // Paying needs an account: a visitor still browsing anonymously logs in here.
  if (completes && device.userId === null) identify(v, shopper.signedUp ? 'login' : 'signup');
  const products = lineItems(v.cart);
  const subtotal = cents(v.cart.reduce((s, l) => s + l.product.price * l.quantity, 0));
  const coupon = completes ? chooseCoupon(v, campaign) : null;
  const discount = coupon ? cents((subtotal * coupon[1]) / 100) : 0;
  const revenue = cents(subtotal - discount);
  const [shippingMethod, shippingPrice] = rng.weighted(SHIPPING);
  const freeShipping = revenue >= 60 || coupon?.[0] === 'LIVRAISONOFFERTE' || shopper.customer?.plan === 'premium';
  const shipping = freeShipping ? 0 : shippingPrice;
  const total = cents(revenue + shipping);
  const checkoutId = rng.uuid();
  const orderId = completes ? sim.orders.next() : undefined;
  const started: Props = { checkout_id: checkoutId, value: subtotal, revenue, currency: 'EUR', products };
  if (orderId) started.order_id = orderId;
  if (coupon) started.coupon = coupon[0];
  track(v, 'Checkout Started', started);
  wait(v, 30 * SECOND);
  viewPage(v, PAGES.delivery);
  wait(v, 60 * SECOND);
  const userId = device.userId;
  if (!completes || !orderId || userId === null) return;
  viewPage(v, PAGES.payment);
  wait(v, 90 * SECOND);
  const order: Props = {
    order_id: orderId,
    checkout_id: checkoutId,
    affiliation: 'Boutique Hexagone',
    total,
    subtotal,
    revenue,
    shipping,
    // Prices include VAT at 20 %: the tax is the part of the revenue above its pre-tax value.
    tax: cents(revenue - revenue / 1.2),
    discount,
    currency: 'EUR',
    products: lineItems(v.cart),
    payment_method: rng.weighted(PAYMENT_METHODS),
    shipping_method: shippingMethod,
  };
  if (coupon) order.coupon = coupon[0];
  serverTrack(sim, v.t, userId, 'Order Completed', order);
  v.t += rng.int(500, 3000);
  viewPage(v, PAGES.confirmation);
  shopper.orders += 1;
  shopper.lifetimeSpend += total;
  const tier = loyaltyTier(shopper.lifetimeSpend);
  if (tier !== shopper.tier) {
    shopper.tier = tier;
    const traits = { loyalty_tier: tier };
    sim.out.push({ t: v.t + MINUTE, type: 'identify', userId, traits, context: serverContext() });
  }
  if (rng.chance(0.03)) {
    serverTrack(sim, v.t + rng.int(5, 20) * DAY, userId, 'Order Refunded', {
      order_id: orderId,
      total,
      currency: 'EUR',
      reason: rng.pick(['taille_inadaptee', 'produit_defectueux', 'retractation', 'colis_non_recu']),
    });
  }
  v.cart.length = 0;
}

function landing(v: VisitState, visit: Visit): Product | null {
  const { rng, catalogue } = v.sim;
  const habits = v.shopper.habits;
  const category = interest(rng, habits);
  if (visit.campaign) {
    v.campaign = { name: visit.campaign.id, source: 'newsletter', medium: 'email', content: visit.campaign.name };
    v.referrer = '';
    viewPage(v, campaignLandingPage(catalogue, visit.campaign.landingPath), utmSearch(v.campaign));
    return null;
  }
  const source = trafficSource(rng, visit.channel, category);
  v.campaign = source.campaign;
  v.referrer = source.referrer;
  const search = utmSearch(source.campaign);
  const kind = visit.channel === 'paid_search'
    ? rng.weighted<'category' | 'product'>([['product', 60], ['category', 40]])
    : rng.weighted<'home' | 'category' | 'product'>([['home', 45], ['category', 25], ['product', 30]]);
  if (kind === 'home') viewPage(v, PAGES.home, search);
  else if (kind === 'category') viewPage(v, categoryPage(catalogue, category), search);
  else {
    const p = pickProduct(rng, catalogue, category, habits.budget);
    viewPage(v, productPage(p), search);
    v.t += rng.int(200, 900);
    track(v, 'Product Viewed', productProps(p));
    return p;
  }
  return null;
}

/** Plays one visit and returns when it ends. */
export function runVisit(sim: Sim, shopper: Shopper, visit: Visit): number {
  const { rng, catalogue, paris } = sim;
  const habits = shopper.habits;
  const v: VisitState = {
    sim,
    shopper,
    device: visit.device,
    t: visit.start,
    referrer: '',
    page: { path: '/', url: SHOP_URL, title: '', referrer: '', search: '' },
    campaign: null,
    cart: [],
    cartId: rng.uuid(),
  };
  const landed = landing(v, visit);
  if (landed && rng.chance(habits.addRate)) addToCart(v, landed);
  if (visit.identify !== 'none') {
    wait(v, 10 * SECOND);
    identify(v, visit.identify);
  }
  if (rng.chance(0.15)) {
    wait(v, 15 * SECOND);
    const query = rng.pick(SEARCH_QUERIES);
    viewPage(v, searchPage(), `?q=${encodeURIComponent(query)}`);
    track(v, 'Products Searched', { query });
  }
  const views = rng.poisson(habits.browseDepth);
  for (let i = 0; i < views; i++) {
    wait(v, 35 * SECOND);
    const category = interest(rng, habits);
    if (rng.chance(0.35)) {
      viewPage(v, categoryPage(catalogue, category));
      wait(v, 20 * SECOND);
    }
    browse(v, pickProduct(rng, catalogue, category, habits.budget));
  }
  wait(v, 30 * SECOND);
  const canBuy = visit.canBuy && shopper.customer !== null;
  const propensity =
    habits.conversion * visit.eagerness * paris.orderPropensity(v.t) * (visit.campaign?.coupon ? 1.4 : 1);
  if (canBuy && rng.chance(v.cart.length > 0 ? Math.min(0.9, propensity * 2.2) : propensity * 0.5)) {
    if (v.cart.length === 0) {
      const p = pickProduct(rng, catalogue, interest(rng, habits), habits.budget);
      viewProduct(v, p);
      addToCart(v, p);
    }
    checkout(v, visit.campaign, true);
  } else if (v.cart.length > 0) {
    if (rng.chance(0.35)) checkout(v, visit.campaign, false);
    const userId = v.device.userId;
    if (userId !== null && rng.chance(0.6)) {
      serverTrack(sim, v.t + rng.int(45, 120) * MINUTE, userId, 'Cart Abandoned', {
        cart_id: v.cartId,
        value: cents(v.cart.reduce((s, l) => s + l.product.price * l.quantity, 0)),
        currency: 'EUR',
        products: lineItems(v.cart),
      });
    }
  }
  return v.t;
}
