import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, bearer, startTestSegmentum } from './helpers.js';
import { runCli } from './support/cli-process.js';
import { csvToParquet } from './support/parquet-fixture.js';

/**
 * Files sent to a running server (POST /api/imports/upload, and `segmentum import --url` which uses it), and Parquet
 * files read through DuckDB, on the command line and by upload.
 */

const MAPPING = fileURLToPath(new URL('../examples/dirty-customers.mapping.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segmentum-upload-'));
let s: Segmentum;
let url = '';

const CSV = [
  'id_client,prenom,nom,date_naissance,numero,adresse,code_postal,ville,email,telephone',
  'C0000001,Anne,Martin,02/04/1980,3,rue de la Paix,69001,Lyon,anne.martin@example.fr,06 12 34 56 78',
  'C0000002,Paul,Durand,31/02/1975,5,avenue Foch,75016,Paris,paul.durand@example.fr,0698765432',
  'C0000003,Léa,Petit,14/07/1989,,,13001,Marseille,lea.petit@example,',
].join('\n');

beforeAll(async () => {
  writeFileSync(join(dir, 'clients.csv'), `${CSV}\n`);
  s = await startTestSegmentum({ db: join(dir, 'db.duckdb') });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  // A Parquet copy of the same rows, written by DuckDB (typed columns: the date stays text as in the CSV).
  await csvToParquet(join(dir, 'clients.csv'), join(dir, 'clients.parquet'));
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(form: FormData, key = ADMIN_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/imports/upload`, { method: 'POST', headers: { authorization: bearer(key) }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/imports/upload', () => {
  it('imports a file sent by `segmentum import --url`, keeps its bad rows with the file name, and deletes the upload', async () => {
    const run = await runCli('import', join(dir, 'clients.csv'), '--as', 'customers', '--mapping', MAPPING, '--url', url, '--admin-key', ADMIN_KEY, '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ file: 'clients.csv', rowsRead: 3, imported: 1, rejected: 2, rejectedByCode: { 'quality.invalid_date': 1, 'quality.invalid_email': 1 } });
    const profile = await s.profiles.find({ email: 'anne.martin@example.fr' });
    expect(profile.ok && profile.value.personal).toMatchObject({ phone: '+33612345678', birthday: '1980-04-02' });
    const rejected = (await s.app.inject({ url: `/api/imports/${String(summary.id)}/rejected`, headers: { authorization: bearer(ADMIN_KEY) } })).json();
    expect(rejected.total).toBe(2);
    expect(rejected.items.map((q: { path: string }) => q.path).sort()).toEqual(['clients.csv:3.date_naissance', 'clients.csv:4.email']);
    // Nothing of the upload is left on the server.
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(dir, 'imports', 'uploads'))).toEqual([]);
  });

  it('answers with stable codes: no file, a mapping that is not JSON, not multipart, a key without the manage scope', async () => {
    const noFile = new FormData();
    noFile.set('as', 'customers');
    expect(await upload(noFile)).toMatchObject({ status: 400, body: { error: { code: 'request.invalid', path: 'file' } } });

    const badMapping = new FormData();
    badMapping.set('mapping', '{not json');
    badMapping.set('file', new Blob([CSV]), 'x.csv');
    expect(await upload(badMapping)).toMatchObject({ status: 400, body: { error: { code: 'import.invalid_mapping' } } });

    const badKind = new FormData();
    badKind.set('as', 'invoices');
    badKind.set('file', new Blob([CSV]), 'x.csv');
    expect(await upload(badKind)).toMatchObject({ status: 400, body: { error: { code: 'request.invalid', path: 'as' } } });

    const json = await fetch(`${url}/api/imports/upload`, { method: 'POST', headers: { authorization: bearer(ADMIN_KEY), 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);

    const key = (await s.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: bearer(ADMIN_KEY) }, payload: { label: 'r', scopes: ['read'] } })).json().key as string;
    const form = new FormData();
    form.set('file', new Blob([CSV]), 'x.csv');
    expect(await upload(form, key)).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden_scope' } } });
  });
});

describe('Parquet files', () => {
  it('are imported from the command line like CSV, with the same mapping and the same outcome', async () => {
    const db = join(dir, 'pq.duckdb');
    const run = await runCli('import', join(dir, 'clients.parquet'), '--as', 'customers', '--mapping', MAPPING, '--db', db, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'parquet', rowsRead: 3, imported: 1, rejected: 2 });
    const again = JSON.parse((await runCli('import', join(dir, 'clients.parquet'), '--as', 'customers', '--mapping', MAPPING, '--db', db, '--json')).stdout);
    expect(again).toMatchObject({ imported: 0, duplicates: 1, alreadyQuarantined: 2 });
  });

  it('are uploaded too, and a file that is not Parquet says so', async () => {
    const { readFileSync } = await import('node:fs');
    const form = new FormData();
    form.set('as', 'customers');
    form.set('source', 'parquet-upload');
    form.set('mapping', readFileSync(MAPPING, 'utf8'));
    form.set('file', new Blob([readFileSync(join(dir, 'clients.parquet'))]), 'clients.parquet');
    expect(await upload(form)).toMatchObject({ status: 200, body: { format: 'parquet', rowsRead: 3, rejected: 2 } });
    const fake = new FormData();
    fake.set('as', 'customers');
    fake.set('file', new Blob(['not parquet at all']), 'fake.parquet');
    expect(await upload(fake)).toMatchObject({ status: 400, body: { error: { code: 'import.unreadable_file' } } });
  });
});
