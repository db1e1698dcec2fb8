import type { Rng } from '../kernel/index.js';
import { DAY, HOUR, MINUTE, SECOND, type ParisTime } from './calendar.js';
import { serverContext, type Draft, type Props } from './messages.js';
import type { Customer } from './person.js';
import { SHOP_URL, utmSearch } from './site.js';

/** One send of the shop's email programme. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly subject: string;
  readonly sendAt: number;
  /** Share of subscribers targeted: the weekly newsletter goes to all, promotions to a segment. */
  readonly audience: number;
  readonly coupon: string | null;
  readonly landingPath: string;
}

/** The retail calendar's theme of each month (0 = January) and the coupon that goes with it. */
const THEMES: readonly (readonly [string, string, string])[] = [
  ["Soldes d'hiver", 'SOLDES20', '/soldes'],
  ['Saint-Valentin', 'AMOUR15', '/c/beaute'],
  ['Nouvelle collection printemps', 'PRINTEMPS10', '/c/mode'],
  ['Pâques gourmandes', 'PAQUES10', '/c/alimentation'],
  ['Fête des mères', 'MAMAN15', '/idees-cadeaux'],
  ['Fête des pères', 'PAPA15', '/c/high-tech'],
  ["Soldes d'été", 'ETE20', '/soldes'],
  ['Vacances et plein air', 'VACANCES10', '/c/sport'],
  ['Rentrée', 'RENTREE10', '/c/enfants'],
  ['Cocooning', 'COCOON15', '/c/maison'],
  ['Black Friday', 'BLACKFRIDAY25', '/black-friday'],
  ['Noël', 'NOEL15', '/idees-cadeaux'],
];

const NEWSLETTER_SUBJECTS: readonly string[] = [
  'Nos nouveautés de la semaine',
  'Vos coups de cœur du moment',
  'Les essentiels de la saison',
  'Inspirations pour la maison',
  'Le meilleur de la beauté cette semaine',
  'Nos idées pour vous faire plaisir',
];

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The run's email calendar: a newsletter every Tuesday morning, a themed promotion most Fridays, and a "last chance"
 * reminder some Sunday evenings, as French retailers schedule them.
 */
export function planCampaigns(rng: Rng, paris: ParisTime, from: number, to: number): Campaign[] {
  const campaigns: Campaign[] = [];
  const first = new Date(from + paris.offsetMs(from));
  for (let day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); day <= to; day += DAY) {
    const date = new Date(day);
    const [y, m, d, dow] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCDay()];
    const stamp = `${y}${pad2(m + 1)}${pad2(d)}`;
    const [theme, coupon, landingPath] = THEMES[m] ?? ['Sélection', 'MERCI10', '/'];
    if (dow === 2) {
      campaigns.push({
        id: `cmp_${stamp}_newsletter`,
        name: `Newsletter hebdo du ${pad2(d)}/${pad2(m + 1)}`,
        subject: rng.pick(NEWSLETTER_SUBJECTS),
        sendAt: paris.toUtc(y, m, d, 10, rng.int(0, 30)),
        audience: 1,
        coupon: null,
        landingPath: '/nouveautes',
      });
    } else if (dow === 5 && rng.chance(0.6)) {
      const pct = coupon.replace(/\D/g, '');
      campaigns.push({
        id: `cmp_${stamp}_promo`,
        name: `${theme} — offre du ${pad2(d)}/${pad2(m + 1)}`,
        subject: `${theme} : -${pct} % avec le code ${coupon}`,
        sendAt: paris.toUtc(y, m, d, 11, rng.int(0, 45)),
        audience: 0.7,
        coupon,
        landingPath,
      });
    } else if (dow === 0 && rng.chance(0.3)) {
      campaigns.push({
        id: `cmp_${stamp}_relance`,
        name: `${theme} — dernière chance`,
        subject: `Dernières heures : ${theme.toLowerCase()}`,
        sendAt: paris.toUtc(y, m, d, 18, rng.int(0, 30)),
        audience: 0.5,
        coupon,
        landingPath,
      });
    }
  }
  return campaigns.filter((c) => c.sendAt >= from && c.sendAt <= to);
}

/** An email click that brings the person to the site: the caller turns it into a visit. */
export interface EmailClick {
  readonly t: number;
  readonly campaign: Campaign;
}

/**
 * The email events of one subscriber, sent by the email service (server side, userId only). Rates come from the
 * person's habits: about a quarter of sends opened, a few percent clicked, a rare unsubscribe, and people who have
 * stopped buying stop opening.
 */
export function simulateEmails(rng: Rng, campaigns: readonly Campaign[], c: Customer, out: Draft[]): EmailClick[] {
  const clicks: EmailClick[] = [];
  if (!c.newsletterOptIn) return clicks;
  const userId = c.identity.userId;
  const { openRate, clickRate } = c.habits;
  for (const campaign of campaigns) {
    if (campaign.sendAt < c.signupAt || !rng.chance(campaign.audience)) continue;
    const lapsed = c.churnAt !== null && campaign.sendAt > c.churnAt;
    const emailId = `${campaign.id}-${userId}`;
    const base = {
      campaign_id: campaign.id,
      campaign_name: campaign.name,
      email_id: emailId,
      email_subject: campaign.subject,
    };
    const emit = (t: number, event: string, extra: Props = {}): void => {
      out.push({ t, type: 'track', userId, event, properties: { ...base, ...extra }, context: serverContext() });
    };
    const sentAt = campaign.sendAt + rng.int(0, 40 * MINUTE);
    emit(sentAt, 'Email Sent');
    if (!rng.chance(lapsed ? openRate * 0.25 : openRate)) continue;
    const openedAt = sentAt + 30 * SECOND + Math.floor(rng.exponential(3 * HOUR));
    emit(openedAt, 'Email Opened');
    if (rng.chance(lapsed ? 0.03 : 0.01)) {
      const at = openedAt + rng.int(5, 120) * SECOND;
      emit(at, 'Unsubscribed', { list_id: 'newsletter' });
      const traits = { newsletter_opt_in: false };
      out.push({ t: at + SECOND, type: 'identify', userId, traits, context: serverContext() });
      break;
    }
    if (!rng.chance(clickRate)) continue;
    const clickedAt = openedAt + 5 * SECOND + Math.floor(rng.exponential(90 * SECOND));
    const utm = utmSearch({ name: campaign.id, source: 'newsletter', medium: 'email', content: campaign.name });
    emit(clickedAt, 'Email Link Clicked', { link_url: SHOP_URL + campaign.landingPath + utm });
    clicks.push({ t: clickedAt, campaign });
  }
  return clicks;
}
