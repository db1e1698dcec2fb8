import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStore } from './duckdb-store.js';
import type { Logger } from '../../kernel/index.js';

/**
 * A large synthetic audience written straight into a database file with SQL, for benchmarks (1M profiles and 20M
 * events in under a minute, where the ingest path would need a quarter of an hour). Deterministic: DuckDB's hash of
 * the row number drives every choice. Profiles `prof_0000001`.. carry the user id `u0000001`.., traits (country,
 * region, age, plan, signup_date) and events over the `days` before `now` (page views, product views with a
 * category, cart adds, orders with revenue, email opens and clicks).
 */
export async function writeSyntheticAudience(opts: { path: string; profiles: number; events: number; days: number; now: Date; logger: Logger }): Promise<void> {
  // Create the schema through the store, so migrations are the real ones.
  const store = await openDuckDbStore({ path: opts.path, logger: opts.logger });
  await store.close();
  const db = await DuckDBInstance.create(opts.path);
  const c = await db.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    // One hash per (row, attribute) of a distinct integer, so attributes are independent (hash(a, b) combines the two
    // hashes so that, modulo small numbers, one attribute would decide another). Two bits less than the unsigned
    // 64-bit hash makes a BIGINT that list indexing and intervals accept.
    await c.run('CREATE TEMP MACRO h(a, b) AS CAST(hash(a * 1000 + b) >> 2 AS BIGINT)');
    const n = Math.floor(opts.profiles);
    const m = Math.floor(opts.events);
    const spanMs = opts.days * 86_400_000;
    const now = opts.now.toISOString();
    await c.run('BEGIN TRANSACTION');
    await c.run(
      `INSERT INTO profiles
       SELECT printf('prof_%07d', i), $1::TIMESTAMPTZ - INTERVAL 400 DAY, $1::TIMESTAMPTZ, NULL,
         json_object(
           'country', ['FR', 'FR', 'FR', 'FR', 'BE', 'DE', 'ES', 'CH'][1 + h(i, 1) % 8],
           'region', ['Île-de-France', 'Auvergne-Rhône-Alpes', 'Occitanie', 'Bretagne', 'Grand Est', 'Normandie'][1 + h(i, 2) % 6],
           'age', 18 + h(i, 3) % 62,
           'plan', CASE WHEN h(i, 4) % 12 = 0 THEN 'premium' ELSE 'standard' END,
           'signup_date', strftime($1::TIMESTAMPTZ - to_days(CAST(h(i, 5) % 400 AS INTEGER)), '%Y-%m-%d')),
         json_object('country', $2, 'region', $2, 'age', $2, 'plan', $2, 'signup_date', $2)
       FROM range(1, $3 + 1) t(i)`,
      [now, new Date(opts.now.getTime() - 200 * 86_400_000).toISOString(), n],
    );
    await c.run(
      `INSERT INTO identities SELECT 'user_id', printf('u%07d', i), printf('prof_%07d', i), $1::TIMESTAMPTZ - INTERVAL 400 DAY FROM range(1, $2 + 1) t(i)`,
      [now, n],
    );
    // Event kinds by share: page 40 %, product view 25 %, email open 15 %, cart add 8 %, click 5 %, order 4 %, checkout 3 %.
    await c.run(
      `INSERT INTO events
       SELECT printf('m%09d', j), 'src_bench', printf('prof_%07d', p), CASE WHEN k < 40 THEN 'page' ELSE 'track' END,
         CASE WHEN k < 40 THEN 'Accueil' WHEN k < 65 THEN 'Product Viewed' WHEN k < 80 THEN 'Email Opened'
              WHEN k < 88 THEN 'Product Added' WHEN k < 93 THEN 'Email Link Clicked' WHEN k < 97 THEN 'Order Completed'
              ELSE 'Checkout Started' END,
         printf('u%07d', p), NULL, NULL, ts, NULL, NULL, ts, false,
         CASE WHEN k >= 40 AND k < 65 THEN json_object('category', cat, 'price', price)
              WHEN k >= 93 AND k < 97 THEN json_object('revenue', price * (1 + h(j, 5) % 3), 'currency', 'EUR')
              WHEN k >= 80 AND k < 88 THEN json_object('category', cat, 'price', price)
              ELSE json_object() END,
         '{}', '{}', '{}', '{}', j
       FROM (
         SELECT j, 1 + h(j, 1) % $2 AS p, h(j, 2) % 100 AS k,
           $1::TIMESTAMPTZ - to_milliseconds(h(j, 3) % $3) AS ts,
           ['mode', 'chaussures', 'maison', 'beaute', 'sport', 'high-tech', 'alimentation', 'enfants'][1 + h(j, 4) % 8] AS cat,
           round(5 + (h(j, 6) % 20000) / 100.0, 2) AS price
         FROM range(1, $4 + 1) t(j)
       )`,
      [now, n, spanMs, m],
    );
    await c.run('COMMIT');
    await c.run('CHECKPOINT');
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
