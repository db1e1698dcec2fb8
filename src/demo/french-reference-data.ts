/**
 * Reference data for the demo audience: real French cities with their real postal codes and regions, common French
 * first and last names, and the web furniture (browsers, referrers) a French e-commerce site sees.
 *
 * Populations are rounded INSEE municipal figures (2021); they only weight the draw, so their precision does not
 * matter. Where a city has several postal codes the list holds the main ones, so that any code drawn belongs to the
 * city.
 */

export interface City {
  readonly name: string;
  readonly region: string;
  readonly postalCodes: readonly string[];
  readonly population: number;
}

const IDF = 'Île-de-France';
const ARA = 'Auvergne-Rhône-Alpes';
const PACA = "Provence-Alpes-Côte d'Azur";
const OCC = 'Occitanie';
const NAQ = 'Nouvelle-Aquitaine';
const HDF = 'Hauts-de-France';
const GES = 'Grand Est';
const BRE = 'Bretagne';
const NOR = 'Normandie';
const PDL = 'Pays de la Loire';
const BFC = 'Bourgogne-Franche-Comté';
const CVL = 'Centre-Val de Loire';
const COR = 'Corse';

function range(from: number, to: number, width = 5): string[] {
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(String(n).padStart(width, '0'));
  return out;
}

export const CITIES: readonly City[] = [
  { name: 'Paris', region: IDF, postalCodes: range(75001, 75020), population: 2_133_000 },
  { name: 'Marseille', region: PACA, postalCodes: range(13001, 13016), population: 873_000 },
  { name: 'Lyon', region: ARA, postalCodes: range(69001, 69009), population: 522_000 },
  {
    name: 'Toulouse',
    region: OCC,
    postalCodes: ['31000', '31100', '31200', '31300', '31400', '31500'],
    population: 504_000,
  },
  { name: 'Nice', region: PACA, postalCodes: ['06000', '06100', '06200', '06300'], population: 348_000 },
  { name: 'Nantes', region: PDL, postalCodes: ['44000', '44100', '44200', '44300'], population: 323_000 },
  { name: 'Montpellier', region: OCC, postalCodes: ['34000', '34070', '34080', '34090'], population: 302_000 },
  { name: 'Strasbourg', region: GES, postalCodes: ['67000', '67100', '67200'], population: 291_000 },
  { name: 'Bordeaux', region: NAQ, postalCodes: ['33000', '33100', '33200', '33300', '33800'], population: 262_000 },
  { name: 'Lille', region: HDF, postalCodes: ['59000', '59160', '59260', '59800'], population: 237_000 },
  { name: 'Rennes', region: BRE, postalCodes: ['35000', '35200', '35700'], population: 225_000 },
  { name: 'Toulon', region: PACA, postalCodes: ['83000', '83100', '83200'], population: 181_000 },
  { name: 'Reims', region: GES, postalCodes: ['51100'], population: 180_000 },
  { name: 'Saint-Étienne', region: ARA, postalCodes: ['42000', '42100'], population: 173_000 },
  { name: 'Le Havre', region: NOR, postalCodes: ['76600', '76610', '76620'], population: 166_000 },
  { name: 'Dijon', region: BFC, postalCodes: ['21000'], population: 159_000 },
  { name: 'Villeurbanne', region: ARA, postalCodes: ['69100'], population: 157_000 },
  { name: 'Grenoble', region: ARA, postalCodes: ['38000', '38100'], population: 156_000 },
  { name: 'Angers', region: PDL, postalCodes: ['49000', '49100'], population: 156_000 },
  { name: 'Nîmes', region: OCC, postalCodes: ['30000', '30900'], population: 148_000 },
  { name: 'Aix-en-Provence', region: PACA, postalCodes: ['13090', '13100'], population: 147_000 },
  { name: 'Clermont-Ferrand', region: ARA, postalCodes: ['63000', '63100'], population: 147_000 },
  { name: 'Le Mans', region: PDL, postalCodes: ['72000', '72100'], population: 145_000 },
  { name: 'Brest', region: BRE, postalCodes: ['29200'], population: 140_000 },
  { name: 'Tours', region: CVL, postalCodes: ['37000', '37100', '37200'], population: 136_000 },
  { name: 'Amiens', region: HDF, postalCodes: ['80000', '80080', '80090'], population: 134_000 },
  { name: 'Limoges', region: NAQ, postalCodes: ['87000', '87100', '87280'], population: 131_000 },
  { name: 'Annecy', region: ARA, postalCodes: ['74000'], population: 131_000 },
  { name: 'Boulogne-Billancourt', region: IDF, postalCodes: ['92100'], population: 122_000 },
  { name: 'Perpignan', region: OCC, postalCodes: ['66000', '66100'], population: 120_000 },
  { name: 'Besançon', region: BFC, postalCodes: ['25000'], population: 119_000 },
  { name: 'Metz', region: GES, postalCodes: ['57000', '57050', '57070'], population: 118_000 },
  { name: 'Orléans', region: CVL, postalCodes: ['45000', '45100'], population: 117_000 },
  { name: 'Rouen', region: NOR, postalCodes: ['76000', '76100'], population: 114_000 },
  { name: 'Saint-Denis', region: IDF, postalCodes: ['93200', '93210'], population: 114_000 },
  { name: 'Montreuil', region: IDF, postalCodes: ['93100'], population: 111_000 },
  { name: 'Argenteuil', region: IDF, postalCodes: ['95100'], population: 110_000 },
  { name: 'Caen', region: NOR, postalCodes: ['14000'], population: 108_000 },
  { name: 'Mulhouse', region: GES, postalCodes: ['68100', '68200'], population: 105_000 },
  { name: 'Nancy', region: GES, postalCodes: ['54000', '54100'], population: 105_000 },
  { name: 'Nanterre', region: IDF, postalCodes: ['92000'], population: 96_000 },
  { name: 'Créteil', region: IDF, postalCodes: ['94000'], population: 93_000 },
  { name: 'Vitry-sur-Seine', region: IDF, postalCodes: ['94400'], population: 95_000 },
  { name: 'Avignon', region: PACA, postalCodes: ['84000'], population: 91_000 },
  { name: 'Poitiers', region: NAQ, postalCodes: ['86000'], population: 89_000 },
  { name: 'Versailles', region: IDF, postalCodes: ['78000'], population: 84_000 },
  { name: 'Pau', region: NAQ, postalCodes: ['64000'], population: 76_000 },
  { name: 'La Rochelle', region: NAQ, postalCodes: ['17000'], population: 77_000 },
  { name: 'Calais', region: HDF, postalCodes: ['62100'], population: 67_000 },
  { name: 'Dunkerque', region: HDF, postalCodes: ['59140', '59240'], population: 87_000 },
  { name: 'Saint-Nazaire', region: PDL, postalCodes: ['44600'], population: 72_000 },
  { name: 'Ajaccio', region: COR, postalCodes: ['20000', '20090'], population: 72_000 },
  { name: 'Colmar', region: GES, postalCodes: ['68000'], population: 67_000 },
  { name: 'Quimper', region: BRE, postalCodes: ['29000'], population: 63_000 },
  { name: 'Troyes', region: GES, postalCodes: ['10000'], population: 62_000 },
  { name: 'Chambéry', region: ARA, postalCodes: ['73000'], population: 60_000 },
  { name: 'Niort', region: NAQ, postalCodes: ['79000'], population: 59_000 },
  { name: 'Valence', region: ARA, postalCodes: ['26000'], population: 64_000 },
  { name: 'Béziers', region: OCC, postalCodes: ['34500'], population: 79_000 },
  { name: 'Bayonne', region: NAQ, postalCodes: ['64100'], population: 52_000 },
  { name: 'Vannes', region: BRE, postalCodes: ['56000'], population: 54_000 },
  { name: 'Lorient', region: BRE, postalCodes: ['56100'], population: 57_000 },
  { name: 'Saint-Malo', region: BRE, postalCodes: ['35400'], population: 47_000 },
  { name: 'Cherbourg-en-Cotentin', region: NOR, postalCodes: ['50100'], population: 78_000 },
  { name: 'Chartres', region: CVL, postalCodes: ['28000'], population: 39_000 },
  { name: 'Bourges', region: CVL, postalCodes: ['18000'], population: 64_000 },
  { name: 'Angoulême', region: NAQ, postalCodes: ['16000'], population: 42_000 },
  { name: 'Laval', region: PDL, postalCodes: ['53000'], population: 49_000 },
  { name: 'Évry-Courcouronnes', region: IDF, postalCodes: ['91000'], population: 68_000 },
];

export const CITY_WEIGHTS: readonly (readonly [City, number])[] = CITIES.map(
  (c): readonly [City, number] => [c, c.population],
);

/**
 * First names by birth cohort, because a 70-year-old Kevin or a 25-year-old Monique reads as fake at once.
 * Cohorts: born before 1970, 1970-1994, 1995 and later.
 */
export const FIRST_NAMES: Readonly<Record<'female' | 'male', readonly (readonly string[])[]>> = {
  female: [
    [
      'Monique', 'Françoise', 'Martine', 'Nicole', 'Catherine', 'Christine', 'Sylvie', 'Brigitte', 'Dominique',
      'Annie', 'Chantal', 'Michèle', 'Danielle', 'Jacqueline', 'Marie-Claude',
    ],
    [
      'Nathalie', 'Isabelle', 'Sandrine', 'Valérie', 'Stéphanie', 'Céline', 'Aurélie', 'Émilie', 'Julie', 'Sophie',
      'Caroline', 'Virginie', 'Laetitia', 'Hélène', 'Claire', 'Élodie', 'Nadia', 'Karine', 'Audrey', 'Marion',
    ],
    [
      'Emma', 'Léa', 'Chloé', 'Camille', 'Manon', 'Inès', 'Jade', 'Louise', 'Alice', 'Léna', 'Zoé', 'Sarah', 'Lucie',
      'Clara', 'Juliette', 'Lina', 'Anaïs', 'Pauline', 'Yasmine', 'Mathilde',
    ],
  ],
  male: [
    [
      'Jean', 'Michel', 'Alain', 'Bernard', 'Gérard', 'Daniel', 'Jacques', 'Patrick', 'Philippe', 'Christian',
      'André', 'René', 'Claude', 'Jean-Pierre', 'Serge',
    ],
    [
      'Nicolas', 'Christophe', 'Stéphane', 'Sébastien', 'Laurent', 'Julien', 'Frédéric', 'David', 'Olivier', 'Cédric',
      'Vincent', 'Mathieu', 'Guillaume', 'Jérôme', 'Karim', 'Mohamed', 'Franck', 'Éric', 'Thomas', 'Fabien',
    ],
    [
      'Lucas', 'Hugo', 'Louis', 'Gabriel', 'Léo', 'Nathan', 'Théo', 'Arthur', 'Raphaël', 'Jules', 'Maxime', 'Enzo',
      'Yanis', 'Mehdi', 'Antoine', 'Quentin', 'Romain', 'Kevin', 'Adam', 'Paul',
    ],
  ],
};

/** The most frequent French surnames, in rank order (the generator draws them Zipf-like). */
export const LAST_NAMES: readonly string[] = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent',
  'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard',
  'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefèvre', 'Faure', 'André',
  'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia',
  'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson',
  'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier',
  'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud',
  'Martinez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal', 'Caron',
  'Picard', 'Roger', 'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe',
  'Bourgeois', 'Pierre', 'Benoît', 'Rey', 'Leclerc', 'Payet', 'Rolland', 'Leclercq', 'Guillaume', 'Lecomte',
  'Lopez', 'Jean', 'Dupuy', 'Guillot', 'Hubert', 'Berger', 'Carpentier', 'Sanchez', 'Dupuis', 'Moulin',
  'Louis', 'Deschamps', 'Huet', 'Vasseur', 'Perez', 'Boucher', 'Fleury', 'Royer', 'Klein', 'Jacquet',
  'Adam', 'Paris', 'Poirier', 'Marty', 'Aubry', 'Guyot', 'Carré', 'Charles', 'Renault', 'Charpentier',
  'Ménard', 'Maillard', 'Baron', 'Bertin', 'Bailly', 'Hervé', 'Schneider', 'Fernandez', 'Le Gall', 'Collet',
  'Léger', 'Bouvier', 'Julien', 'Prévost', 'Millet', 'Perrot', 'Daniel', 'Le Roux', 'Cousin', 'Germain',
  'Breton', 'Besson', 'Langlois', 'Rémy', 'Le Goff', 'Pelletier', 'Lévêque', 'Perrier', 'Leblanc', 'Barré',
  'Lebrun', 'Marchal', 'Weber', 'Mallet', 'Hamon', 'Boulanger', 'Jacob', 'Monnier', 'Michaud', 'Rodriguez',
  'Guichard', 'Gillet', 'Étienne', 'Grondin', 'Poulain', 'Tessier', 'Chevallier', 'Collin', 'Chauvin', 'Da Silva',
  'Bouchet', 'Gay', 'Lemaître', 'Bénard', 'Maréchal', 'Humbert', 'Reynaud', 'Antoine', 'Hoarau', 'Perret',
  'Barthélemy', 'Cordier', 'Pichon', 'Lejeune', 'Gilbert', 'Lamy', 'Delaunay', 'Pasquier', 'Carlier', 'Laporte',
];

export const LAST_NAME_WEIGHTS: readonly (readonly [string, number])[] = LAST_NAMES.map(
  (n, i): readonly [string, number] => [n, 1 / (i + 8)],
);

export const STREETS: readonly string[] = [
  'rue de la République', 'avenue Jean Jaurès', 'boulevard Victor Hugo', 'rue Pasteur', 'rue du Général de Gaulle',
  'rue des Lilas', 'allée des Tilleuls', 'impasse des Acacias', 'rue Nationale', 'avenue de la Gare',
  'chemin des Vignes', 'place de la Mairie', 'rue Émile Zola', 'boulevard Gambetta', 'rue de la Paix',
  'rue du Moulin', 'avenue Foch', 'rue Voltaire', 'quai des Bateliers', 'rue Jules Ferry',
];

/** Consumer mail providers as French shoppers use them. */
export const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 40], ['hotmail.fr', 11], ['orange.fr', 10], ['yahoo.fr', 7], ['free.fr', 7], ['outlook.fr', 6],
  ['laposte.net', 5], ['icloud.com', 5], ['sfr.fr', 4], ['wanadoo.fr', 3], ['live.fr', 2],
];

export type DeviceKind = 'mobile' | 'desktop' | 'tablet';

export const USER_AGENTS: readonly (readonly [{ ua: string; kind: DeviceKind }, number])[] = [
  [{ kind: 'mobile', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' }, 28],
  [{ kind: 'mobile', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36' }, 18],
  [{ kind: 'mobile', ua: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36' }, 8],
  [{ kind: 'mobile', ua: 'Mozilla/5.0 (Linux; Android 12; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36' }, 5],
  [{ kind: 'desktop', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' }, 18],
  [{ kind: 'desktop', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' }, 7],
  [{ kind: 'desktop', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0' }, 5],
  [{ kind: 'desktop', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0' }, 5],
  [{ kind: 'tablet', ua: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' }, 6],
];

/** The RFC 5737 documentation ranges: addresses that look real and route nowhere. */
export const IP_PREFIXES: readonly string[] = ['192.0.2.', '198.51.100.', '203.0.113.'];

export type Channel = 'organic' | 'paid_search' | 'social' | 'email' | 'referral' | 'affiliate' | 'direct';

export const ACQUISITION_CHANNELS: readonly (readonly [Channel, number])[] = [
  ['organic', 30], ['paid_search', 22], ['social', 16], ['direct', 12], ['email', 6], ['referral', 8], ['affiliate', 6],
];

/** Where later (returning) visits come from; email visits come from actual email clicks instead. */
export const RETURN_CHANNELS: readonly (readonly [Channel, number])[] = [
  ['direct', 42], ['organic', 25], ['paid_search', 12], ['social', 10], ['referral', 5], ['affiliate', 6],
];

export const SEARCH_REFERRERS: readonly (readonly [string, number])[] = [
  ['https://www.google.fr/', 80], ['https://www.google.com/', 8], ['https://www.bing.com/', 7],
  ['https://www.qwant.com/', 3], ['https://duckduckgo.com/', 2],
];

export const SOCIAL_SOURCES: readonly (readonly [{ source: string; referrer: string }, number])[] = [
  [{ source: 'instagram', referrer: 'https://l.instagram.com/' }, 40],
  [{ source: 'facebook', referrer: 'https://m.facebook.com/' }, 30],
  [{ source: 'tiktok', referrer: 'https://www.tiktok.com/' }, 18],
  [{ source: 'pinterest', referrer: 'https://fr.pinterest.com/' }, 12],
];

export const REFERRAL_SITES: readonly string[] = [
  'https://www.dealabs.com/', 'https://www.marmiton.org/', 'https://www.journaldesfemmes.fr/', 'https://www.01net.com/',
  'https://www.madmoizelle.com/', 'https://www.frandroid.com/',
];

export const AFFILIATES: readonly string[] = ['awin', 'effiliation', 'kwanko', 'igraal', 'poulpeo'];

export const SEARCH_QUERIES: readonly string[] = [
  'robe été', 'baskets blanches', 'crème visage', 'bougie', 'écouteurs', 'tapis de yoga', 'cadeau fête des mères',
  'jean femme', 'pull homme', 'parfum', 'montre connectée', 'jouet 3 ans', 'café en grains', 'sac à dos', 'plaid',
];

export const B2B_SECTORS: readonly string[] = [
  'Conseil', 'Commerce de détail', 'BTP', 'Santé', 'Restauration', 'Industrie', 'Informatique',
  'Transport et logistique', 'Éducation', 'Immobilier', 'Communication', 'Hôtellerie',
];

export const COMPANY_PATTERNS: readonly string[] = [
  '{name} Conseil', 'Atelier {name}', 'Transports {name}', 'Cabinet {name}', 'Studio {name}', 'Boulangerie {name}',
  '{name} & Fils', 'Maison {name}', '{name} Informatique', 'Groupe {name}', 'Pharmacie {name}', '{name} Rénovation',
];

export const LEGAL_FORMS: readonly (readonly [string, number])[] = [['SAS', 45], ['SARL', 35], ['SA', 8], ['EURL', 12]];
