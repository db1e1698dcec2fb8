import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createSegmentum, type Segmentum } from '../src/main.js';
import { ADMIN_KEY, bearer } from './helpers.js';

/**
 * File imports end to end in one process: French files (semicolons, BOM, DD/MM/YYYY, "06 12 34 56 78", capitals in
 * emails) through ImportService and the HTTP API, checked through the profile service, the quarantine and the runs.
 */

const CUSTOMERS = [
  'id_client;Prénom;Nom;Courriel;Téléphone;Date de naissance;Code postal;Ville;Pays',
  'C001;jean;DUPONT;Jean.Dupont@Orange.FR;06 12 34 56 78;14/07/1989;75008;Paris;France',
  'C002;marie;de la fontaine;marie@exemple.fr;01 42 68 53 00;31/02/1990;69001;Lyon;France',
  'C003;paul;martin;paul@@exemple;06 11 22 33 44;01/01/1980;13001;Marseille;France',
  'C004;"Zoé";"Lefèvre";ZOE@Exemple.fr;06 98 76 54 32;05/11/2001;01000;"Bourg-en-Bresse; Ain";France',
  ';sans;identifiant;;;;;;',
].join('\r\n');

const ORDERS = [
  'N° commande;Courriel;Date commande;Montant TTC',
  'CMD-1;jean.dupont@orange.fr;03/04/2024 14:30;"1 234,56 €"',
  'CMD-2;zoe@exemple.fr;05/04/2024;49,90',
  'CMD-3;;06/04/2024;10,00',
  'CMD-4;zoe@exemple.fr;06/04/2024;beaucoup',
  'CMD-5;zoe@exemple.fr;07/04/2024;12,00',
  '',
].join('\n');

const ORDERS_MAPPING = {
  kind: 'orders',
  columns: {
    'N° commande': { to: 'orderId' },
    Courriel: { to: 'email', normalise: { kind: 'email' } },
    'Date commande': { to: 'timestamp', normalise: { kind: 'datetime', formats: ['DD/MM/YYYY HH:mm', 'DD/MM/YYYY'] } },
    'Montant TTC': { to: 'revenue', normalise: { kind: 'money', defaultCurrency: 'EUR', decimalSeparator: ',' } },
  },
};

const EXPECTED_CUSTOMER_MAPPING = {
  kind: 'customers',
  columns: {
    id_client: { to: 'userId' },
    Prénom: { to: 'traits.firstName', normalise: { kind: 'name' } },
    Nom: { to: 'traits.lastName', normalise: { kind: 'name' } },
    Courriel: { to: 'email', normalise: { kind: 'email' } },
    Téléphone: { to: 'traits.phone', normalise: { kind: 'phone', defaultRegion: 'FR' } },
    'Date de naissance': { to: 'traits.birthday', normalise: { kind: 'date', formats: ['DD/MM/YYYY', 'ISO'] } },
    'Code postal': { to: 'traits.postalCode', normalise: { kind: 'postal_code' } },
    Ville: { to: 'traits.city' },
    Pays: { to: 'traits.country', normalise: { kind: 'country' } },
  },
};

let s: Segmentum;
let dir: string;
let importDir: string;

function write(name: string, text: string, bom = false): string {
  const path = join(dir, name);
  writeFileSync(path, bom ? `\uFEFF${text}` : text);
  return path;
}

async function profileOf(by: { userId: string } | { email: string }) {
  const r = await s.profiles.find(by);
  if (!r.ok) throw new Error(`no profile for ${JSON.stringify(by)}`);
  return r.value;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segmentum-import-'));
  importDir = join(dir, 'imports');
  mkdirSync(importDir);
  // The API's import folder: a server on a file database gets imports/ beside it; this one is in memory.
  s = await createSegmentum(parseConfig({ db: ':memory:', adminKey: ADMIN_KEY }), { logger: false, importDir });
});

afterEach(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('imports: French customers and orders', () => {
  it('proposes the expected mapping for a French header (--infer)', async () => {
    const path = write('clients.csv', CUSTOMERS, true);
    const { mapping, info } = await s.imports.infer(path, 'customers');
    expect(info).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    expect(info.columns[0]).toBe('id_client'); // the BOM is not part of the first column's name
    expect(mapping).toEqual(EXPECTED_CUSTOMER_MAPPING);
  });

  it('infers orders and events columns from names and values', async () => {
    const path = write('commandes.csv', ORDERS);
    const { mapping } = await s.imports.infer(path, 'orders');
    expect(mapping.columns).toEqual({
      'N° commande': { to: 'orderId' },
      Courriel: { to: 'email', normalise: { kind: 'email' } },
      'Date commande': { to: 'timestamp', normalise: { kind: 'datetime', formats: ['DD/MM/YYYY HH:mm:ss', 'DD/MM/YYYY HH:mm', 'DD/MM/YYYY', 'ISO'] } },
      'Montant TTC': { to: 'revenue', normalise: { kind: 'money', defaultCurrency: 'EUR' } },
    });
    // Unknown names: values tell emails and phone numbers apart.
    const odd = write('odd.csv', 'contact,numero,x\na@b.fr,06 12 34 56 78,1\nc@d.fr,+33 1 42 68 53 00,2\n');
    const guessed = await s.imports.infer(odd, 'customers');
    expect(guessed.mapping.columns).toEqual({
      contact: { to: 'email', normalise: { kind: 'email' } },
      numero: { to: 'traits.phone', normalise: { kind: 'phone', defaultRegion: 'FR' } },
      x: { to: 'traits.x' },
    });
  });

  it('imports customers with normalised traits, quarantines bad rows with row, column and code, and a re-import adds nothing', async () => {
    const path = write('clients.csv', CUSTOMERS, true);
    const first = await s.imports.run({ path, kind: 'customers', mapping: EXPECTED_CUSTOMER_MAPPING });
    expect(first).toMatchObject({
      kind: 'customers',
      format: 'csv',
      delimiter: ';',
      encoding: 'utf-8',
      rowsRead: 5,
      imported: 2,
      duplicates: 0,
      rejected: 3,
      rejectedByCode: { 'import.missing_field': 1, 'quality.invalid_date': 1, 'quality.invalid_email': 1 },
      profileDelta: 2,
    });

    const jean = await profileOf({ userId: 'C001' });
    expect(jean.personal).toMatchObject({
      email: 'jean.dupont@orange.fr',
      phone: '+33612345678',
      firstName: 'Jean',
      lastName: 'Dupont',
      birthday: '1989-07-14',
    });
    expect(jean.traits).toMatchObject({ postalCode: '75008', city: 'Paris', country: 'FR' });
    expect((await profileOf({ email: 'jean.dupont@orange.fr' })).id).toBe(jean.id);
    const zoe = await profileOf({ userId: 'C004' });
    expect(zoe.personal).toMatchObject({ email: 'zoe@exemple.fr', firstName: 'Zoé', lastName: 'Lefèvre', phone: '+33698765432' });
    expect(zoe.traits).toMatchObject({ postalCode: '01000', city: 'Bourg-en-Bresse; Ain' });

    const q = await s.store.listQuarantine({ status: 'pending', limit: 10 });
    expect(q.total).toBe(3);
    const byCode = Object.fromEntries(q.items.map((i) => [i.code, i]));
    const badDate = byCode['quality.invalid_date'];
    expect(badDate?.path).toBe('clients.csv:3.Date de naissance');
    expect(badDate?.message).toMatch(/^clients\.csv, row 2 \(line 3\): Date de naissance: /);
    expect(JSON.parse(badDate?.raw ?? '{}')).toMatchObject({
      import: { runId: first.id, file: 'clients.csv', row: 2, line: 3, problems: [{ code: 'quality.invalid_date', column: 'Date de naissance', value: '31/02/1990' }] },
      record: { id_client: 'C002', Courriel: 'marie@exemple.fr' },
    });
    expect(byCode['quality.invalid_email']?.path).toBe('clients.csv:4.Courriel');
    expect(byCode['import.missing_field']?.path).toBe('clients.csv:6');

    const before = await s.store.stats();
    const again = await s.imports.run({ path, kind: 'customers', mapping: EXPECTED_CUSTOMER_MAPPING });
    expect(again).toMatchObject({ rowsRead: 5, imported: 0, duplicates: 2, rejected: 3, alreadyQuarantined: 3, profileDelta: 0 });
    expect(await s.store.stats()).toEqual({ ...before, duplicates: before.duplicates + 2 });
  });

  it('imports orders as Order Completed events linked by email, idempotent by order id', async () => {
    await s.imports.run({ path: write('clients.csv', CUSTOMERS, true), kind: 'customers', mapping: EXPECTED_CUSTOMER_MAPPING });
    const path = write('commandes.csv', ORDERS);
    const first = await s.imports.run({ path, kind: 'orders', mapping: ORDERS_MAPPING, source: 'boutique' });
    expect(first).toMatchObject({ rowsRead: 5, imported: 3, rejected: 2, rejectedByCode: { 'import.missing_field': 1, 'quality.unknown_currency': 1 }, profileDelta: 0 });

    const jean = await profileOf({ userId: 'C001' });
    expect(jean.events.byType).toEqual({ identify: 1, track: 1 });
    const page = await s.profiles.timeline(jean.id as never, { limit: 10, type: 'track' });
    if (!page.ok) throw new Error('timeline');
    const order = page.value.events[0];
    expect(order).toMatchObject({
      messageId: 'order-CMD-1',
      event: 'Order Completed',
      timestamp: '2024-04-03T12:30:00.000Z', // 14:30 in Paris, summer time
      properties: { order_id: 'CMD-1', revenue: 1234.56, currency: 'EUR' },
    });
    const zoe = await profileOf({ userId: 'C004' });
    expect(zoe.events.byType.track).toBe(2);

    const q = await s.store.listQuarantine({ status: 'pending', code: 'quality.unknown_currency', limit: 10 });
    expect(q.items[0]).toMatchObject({ path: 'commandes.csv:5.Montant TTC', messageId: 'order-CMD-4', sourceId: 'src_import_boutique' });

    const before = await s.store.stats();
    const again = await s.imports.run({ path, kind: 'orders', mapping: ORDERS_MAPPING, source: 'boutique' });
    expect(again).toMatchObject({ imported: 0, duplicates: 3, alreadyQuarantined: 2 });
    expect(await s.store.stats()).toEqual({ ...before, duplicates: before.duplicates + 3 });
  });

  it('imports NDJSON events and reads Windows-1252 files and TSV', async () => {
    const nd = write(
      'events.ndjson',
      [
        '{"user":"C001","event":"Newsletter Opened","ts":"2024-04-01T10:00:00Z","campagne":"avril"}',
        'not json',
        '{"user":"C001","event":"Newsletter Opened","ts":"2024-04-02T10:00:00Z","campagne":"mai"}',
      ].join('\n'),
    );
    const mapping = { columns: { user: { to: 'userId' }, event: { to: 'event' }, ts: { to: 'timestamp' }, campagne: { to: 'properties.campaign' } } };
    const r = await s.imports.run({ path: nd, kind: 'events', mapping });
    expect(r).toMatchObject({ format: 'ndjson', rowsRead: 3, imported: 2, rejectedByCode: { 'import.malformed_row': 1 } });
    const q = await s.store.listQuarantine({ status: 'pending', code: 'import.malformed_row', limit: 1 });
    expect(q.items[0]?.path).toBe('events.ndjson:2');

    // "Prénom\tNom\nZoé\tLefèvre" in Windows-1252: é is 0xE9, è 0xE8, not valid UTF-8.
    const latin = join(dir, 'latin.tsv');
    writeFileSync(latin, Buffer.from('id\tPr\xe9nom\tNom\nL1\tZo\xe9\tLef\xe8vre\n', 'latin1'));
    const res = await s.imports.run({ path: latin, kind: 'customers', mapping: { columns: { id: { to: 'userId' }, Prénom: { to: 'traits.firstName' }, Nom: { to: 'traits.lastName' } } } });
    expect(res).toMatchObject({ encoding: 'windows-1252', delimiter: '\t', imported: 1 });
    expect((await profileOf({ userId: 'L1' })).personal).toMatchObject({ firstName: 'Zoé', lastName: 'Lefèvre' });
  });

  it('refuses a bad mapping with every issue and its path', async () => {
    const path = write('clients.csv', CUSTOMERS, true);
    await expect(
      s.imports.run({
        path,
        kind: 'customers',
        mapping: { columns: { Courriel: { to: 'mail' }, Téléphone: { to: 'traits.phone', normalise: { kind: 'phone', defaultRgion: 'FR' } }, Absente: { to: 'userId' } } },
      }),
    ).rejects.toMatchObject({
      code: 'import.invalid_mapping',
      message: expect.stringMatching(/columns\.Courriel\.to: "mail" is not a target.*columns\.Téléphone\.normalise: .*defaultRgion.*columns\.Absente: The file has no column "Absente"/),
    });
  });
});

describe('imports: HTTP API', () => {
  it('runs an import of a file in the import folder, lists runs and reads one; refuses paths outside', async () => {
    writeFileSync(join(importDir, 'commandes.csv'), ORDERS);
    const auth = { authorization: bearer(ADMIN_KEY) };
    const res = await s.app.inject({ method: 'POST', url: '/api/imports', headers: auth, payload: { path: 'commandes.csv', as: 'orders', mapping: ORDERS_MAPPING } });
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json<{ id: string; imported: number; rejected: number }>();
    expect(summary).toMatchObject({ imported: 3, rejected: 2 });

    const list = await s.app.inject({ method: 'GET', url: '/api/imports', headers: auth });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: summary.id, status: 'done', kind: 'orders', imported: 3, rejectedByCode: { 'quality.unknown_currency': 1, 'import.missing_field': 1 } }] });
    const one = await s.app.inject({ method: 'GET', url: `/api/imports/${summary.id}`, headers: auth });
    expect(one.json()).toMatchObject({ id: summary.id, sourceId: 'src_import_files', rowsRead: 5 });
    const missing = await s.app.inject({ method: 'GET', url: '/api/imports/imp_nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'import.not_found' } });

    write('secret.csv', ORDERS);
    const outside = await s.app.inject({ method: 'POST', url: '/api/imports', headers: auth, payload: { path: '../secret.csv', as: 'orders' } });
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toMatchObject({ error: { code: 'import.forbidden_path' } });

    const inferred = await s.app.inject({ method: 'POST', url: '/api/imports/infer', headers: auth, payload: { path: 'commandes.csv', as: 'orders' } });
    expect(inferred.json()).toMatchObject({ delimiter: ';', mapping: { columns: { 'N° commande': { to: 'orderId' } } } });
  });
});
