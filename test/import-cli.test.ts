import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process.js';

/** `segmentum import` as users run it: the built bin (npm run build:server) as a child process. */

const dir = mkdtempSync(join(tmpdir(), 'segmentum-import-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

const file = join(dir, 'clients.csv');
writeFileSync(
  file,
  '\uFEFFid_client;Prénom;Courriel;Téléphone\nC001;jean;Jean.Dupont@Orange.FR;06 12 34 56 78\nC002;marie;marie@exemple.fr;06 12 34\nC003;zoé;zoe@exemple.fr;+33 6 98 76 54 32\n',
);
const mapping = join(dir, 'mapping.json');
writeFileSync(
  mapping,
  JSON.stringify({
    kind: 'customers',
    columns: {
      id_client: { to: 'userId' },
      Prénom: { to: 'traits.firstName', normalise: { kind: 'name' } },
      Courriel: { to: 'email' },
      Téléphone: { to: 'traits.phone', normalise: { kind: 'phone', defaultRegion: 'FR' } },
    },
  }),
);
const db = join(dir, 'segmentum.duckdb');

describe('segmentum import', () => {
  it('imports a file, prints the summary, and imports nothing new the second time', async () => {
    const first = await cli('import', file, '--as', 'customers', '--mapping', mapping, '--db', db, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      kind: 'customers',
      delimiter: ';',
      rowsRead: 3,
      imported: 2,
      duplicates: 0,
      rejected: 1,
      rejectedByCode: { 'quality.invalid_phone': 1 },
      profileDelta: 2,
    });

    const again = await cli('import', file, '--as', 'customers', '--mapping', mapping, '--db', db);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/rows read\s+3/);
    expect(again.stdout).toMatch(/imported\s+0/);
    expect(again.stdout).toMatch(/duplicates\s+2/);
    expect(again.stdout).toMatch(/quality\.invalid_phone\s+1/);
    expect(again.stdout).toMatch(/profiles \(net change\)\s+0/);
    expect(again.stdout).toMatch(/rows\/s\s+\d+/);
    expect(again.stderr).toMatch(/1 row\(s\) rejected/);

    const profile = await cli('profile', 'C001', '--db', db, '--json');
    expect(JSON.parse(profile.stdout)).toMatchObject({ personal: { email: 'jean.dupont@orange.fr', phone: '+33612345678', firstName: 'Jean' } });
    const q = await cli('quarantine', 'list', '--db', db, '--json');
    expect(JSON.parse(q.stdout)).toMatchObject({ total: 1, items: [{ code: 'quality.invalid_phone', path: 'clients.csv:3.Téléphone' }] });
  });

  it('prints a proposed mapping with --infer', async () => {
    const r = await cli('import', file, '--as', 'customers', '--infer', '--db', join(dir, 'infer.duckdb'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'customers', columns: { id_client: { to: 'userId' }, Courriel: { to: 'email' }, Téléphone: { to: 'traits.phone' } } });
  });

  it('exits 1 with the code and where, for a bad mapping', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ columns: { Courriel: { to: 'courriel' } } }));
    const r = await cli('import', file, '--as', 'customers', '--mapping', bad, '--db', join(dir, 'bad.duckdb'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[import\.invalid_mapping\]: .*columns\.Courriel\.to/);
    expect(r.stderr).toMatch(/hint: /);
  });
});
