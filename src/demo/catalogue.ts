import { Rng } from '../kernel/index.js';

/**
 * The demo shop's catalogue. Items carry a realistic base price, so that the spread of prices between a lip balm and
 * a laptop (not a formula) is what makes basket values heavy-tailed.
 */

export type Category = 'mode' | 'chaussures' | 'beauté' | 'maison' | 'high-tech' | 'sport' | 'enfants' | 'alimentation';

export interface Product {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly category: Category;
  readonly brand: string;
  readonly variant: string;
  readonly price: number;
  readonly path: string;
}

interface CategorySpec {
  readonly category: Category;
  readonly slug: string;
  readonly label: string;
  /** Share of browsing that lands in this category. */
  readonly weight: number;
  readonly skuPrefix: string;
  readonly brands: readonly string[];
  readonly variants: readonly string[];
  readonly items: readonly (readonly [string, number])[];
}

const COLOURS = ['noir', 'blanc', 'bleu marine', 'beige', 'kaki', 'bordeaux', 'gris chiné', 'écru', 'vert sapin'];

const SPECS: readonly CategorySpec[] = [
  {
    category: 'mode', slug: 'mode', label: 'Mode', weight: 24, skuPrefix: 'MOD',
    brands: ['Maison Ponant', 'Atelier Lune', 'Les Bonnes Mailles', 'Oslo & Co'],
    variants: COLOURS,
    items: [
      ['T-shirt en coton bio', 19.9], ['Jean droit', 59], ['Pull en laine mérinos', 79], ['Robe portefeuille', 49],
      ['Chemise en lin', 55], ['Veste en jean', 69], ['Sweat à capuche', 45], ['Jupe plissée', 39],
      ['Pantalon chino', 49], ['Manteau en laine', 179], ['Blouse fluide', 35], ['Marinière', 42],
    ],
  },
  {
    category: 'chaussures', slug: 'chaussures', label: 'Chaussures', weight: 12, skuPrefix: 'CHA',
    brands: ['Pas de Loup', 'Semelle Rouge', 'Veja-Nord'],
    variants: ['pointure 37', 'pointure 38', 'pointure 39', 'pointure 40', 'pointure 41', 'pointure 42', 'pointure 43'],
    items: [
      ['Baskets en cuir', 95], ['Bottines à talon', 110], ['Sandales plates', 39], ['Mocassins', 85],
      ['Escarpins', 79], ['Chaussures de running', 120], ['Derbies', 99], ['Espadrilles', 29],
      ['Chaussons', 24], ['Bottes de pluie', 45],
    ],
  },
  {
    category: 'beauté', slug: 'beaute', label: 'Beauté', weight: 15, skuPrefix: 'BEA',
    brands: ['Lys de Provence', 'Herboria', 'Rose & Sel'],
    variants: ['30 ml', '50 ml', '100 ml', 'format voyage', 'teinte claire', 'teinte médium'],
    items: [
      ['Crème hydratante visage', 24.9], ["Sérum à l'acide hyaluronique", 32], ['Eau de parfum', 68],
      ['Rouge à lèvres mat', 18.5], ['Mascara volume', 16.9], ['Shampooing solide', 9.9], ['Huile sèche corps', 22],
      ['Fond de teint fluide', 29.9], ['Palette de fards', 34], ['Crème solaire SPF 50', 19.5], ['Gel douche', 6.5],
      ['Baume à lèvres', 5.9],
    ],
  },
  {
    category: 'maison', slug: 'maison', label: 'Maison', weight: 14, skuPrefix: 'MAI',
    brands: ['Maison Ardoise', 'Terre & Lin', 'Atelier du Four'],
    variants: COLOURS,
    items: [
      ['Bougie parfumée', 24], ['Plaid en laine', 69], ['Parure de lit en lin', 149], ['Vase en céramique', 35],
      ['Lampe de chevet', 59], ['Coussin en velours', 29], ['Service de table 18 pièces', 119],
      ['Cocotte en fonte', 189], ['Cafetière à piston', 34], ['Tapis berbère', 249], ['Miroir rond', 89], ['Boîtes de rangement', 19.9],
    ],
  },
  {
    category: 'high-tech', slug: 'high-tech', label: 'High-tech', weight: 13, skuPrefix: 'HTE',
    brands: ['Voltaire Audio', 'Nomade', 'Pixelia'],
    variants: ['noir', 'blanc', 'gris sidéral', 'bleu nuit'],
    items: [
      ['Écouteurs sans fil', 79], ['Enceinte Bluetooth', 59], ['Montre connectée', 199], ['Chargeur rapide USB-C', 24.9],
      ['Smartphone reconditionné', 329], ['Tablette 10 pouces', 279], ['Casque à réduction de bruit', 249],
      ['Clavier mécanique', 109], ['Souris sans fil', 29.9], ['Disque SSD externe 1 To', 99],
      ['Ordinateur portable 14 pouces', 899], ['Aspirateur robot', 349],
    ],
  },
  {
    category: 'sport', slug: 'sport', label: 'Sport', weight: 9, skuPrefix: 'SPO',
    brands: ['Cime', 'Élan', 'Riviera Sport'],
    variants: ['taille S', 'taille M', 'taille L', 'taille XL', 'noir', 'bleu'],
    items: [
      ['Tapis de yoga', 29.9], ['Haltères réglables', 89], ['Gourde isotherme', 24.9], ['Legging de sport', 35],
      ['Brassière de sport', 29], ['Raquette de tennis', 119], ['Ballon de football', 19.9],
      ['Sac de randonnée 30 L', 69], ["Vélo d'appartement", 399], ['Corde à sauter', 12.9], ['Maillot de bain', 39],
      ['Tente 2 places', 139],
    ],
  },
  {
    category: 'enfants', slug: 'enfants', label: 'Enfants', weight: 8, skuPrefix: 'ENF',
    brands: ['Petit Mousse', 'Les Lutins', 'Bambin'],
    variants: ['0-6 mois', '6-12 mois', '2 ans', '4 ans', '6 ans', '8 ans'],
    items: [
      ['Peluche lapin', 22], ['Jeu de construction', 39], ['Puzzle 500 pièces', 16.9], ['Body en coton bio', 14.9],
      ['Pyjama enfant', 19.9], ["Livre d'éveil", 12.5], ['Poussette canne', 159], ['Draisienne', 79],
      ['Cartable', 45], ['Jeu de société familial', 29.9], ['Coffret de feutres', 15], ['Doudou', 18],
    ],
  },
  {
    category: 'alimentation', slug: 'alimentation', label: 'Épicerie fine', weight: 5, skuPrefix: 'ALI',
    brands: ['Comptoir des Halles', 'Terroirs de France', 'La Fabrique Gourmande'],
    variants: ['à l’unité', 'lot de 2', 'lot de 3', 'format familial'],
    items: [
      ['Café en grains 1 kg', 24], ['Thé vert bio', 9.5], ['Chocolat noir 70 %', 4.9],
      ["Huile d'olive vierge extra", 14.9], ['Miel de lavande', 11.5], ['Confiture de fraises', 6.2],
      ['Biscuits bretons', 5.5], ['Pâtes artisanales', 4.2], ['Foie gras de canard', 39], ['Coffret de macarons', 24.9],
      ['Vin rouge de Bordeaux', 15.9], ['Sel de Guérande', 6.9],
    ],
  },
];

export const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = SPECS.map(
  (s): readonly [Category, number] => [s.category, s.weight],
);

export interface Catalogue {
  /** Products of each category sorted by price, so that a shopper's budget maps to a position. */
  readonly byCategory: ReadonlyMap<Category, readonly Product[]>;
  readonly labels: ReadonlyMap<Category, { slug: string; label: string }>;
}

/** French retail prices end in ,90 or ,99 (or a round euro above 100 €). */
function retailPrice(raw: number): number {
  if (raw >= 100) return Math.round(raw);
  const euros = Math.floor(raw);
  const cents = raw - euros < 0.5 ? -1 : 90;
  return (euros * 100 + cents) / 100;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Builds the catalogue. Its seed is fixed rather than the run's, because a shop keeps its catalogue whichever
 * audience is simulated on it: product ids are then comparable across demo runs.
 */
export function buildCatalogue(): Catalogue {
  const rng = new Rng(0x5e9_c47a);
  const byCategory = new Map<Category, Product[]>();
  const labels = new Map<Category, { slug: string; label: string }>();
  let serial = 10_000;
  for (const spec of SPECS) {
    labels.set(spec.category, { slug: spec.slug, label: spec.label });
    const products: Product[] = [];
    spec.items.forEach(([item, basePrice], itemIndex) => {
      const variantCount = rng.int(2, 4);
      const seen = new Set<string>();
      for (let v = 0; v < variantCount; v++) {
        const variantIndex = rng.int(0, spec.variants.length - 1);
        const variant = spec.variants[variantIndex];
        if (variant === undefined || seen.has(variant)) continue;
        seen.add(variant);
        serial += rng.int(1, 37);
        const name = `${item} — ${variant}`;
        const productId = `P${serial}`;
        products.push({
          productId,
          sku: `${spec.skuPrefix}-${pad(itemIndex + 1, 3)}-${pad(variantIndex + 1, 2)}`,
          name,
          category: spec.category,
          brand: rng.pick(spec.brands),
          variant,
          price: retailPrice(basePrice * (0.9 + rng.next() * 0.25)),
          path: `/p/${slugify(item)}-${productId.toLowerCase()}`,
        });
      }
    });
    products.sort((a, b) => a.price - b.price || a.productId.localeCompare(b.productId));
    byCategory.set(spec.category, products);
  }
  return { byCategory, labels };
}

/** Picks a product near a shopper's budget position (0 = cheapest, 1 = dearest), with some wandering. */
export function pickProduct(rng: Rng, catalogue: Catalogue, category: Category, budget: number): Product {
  const products = catalogue.byCategory.get(category) ?? [];
  const q = Math.min(1, Math.max(0, budget + rng.normal(0, 0.22)));
  const p = products[Math.round(q * (products.length - 1))];
  if (!p) throw new Error(`empty category ${category}`);
  return p;
}
