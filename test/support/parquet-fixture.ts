import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Writes a Parquet copy of a CSV file (every column as text), with DuckDB: the only test code allowed to use the
 * driver directly (eslint.config.js), since Segmentum itself only reads Parquet.
 */
export async function csvToParquet(csvPath: string, parquetPath: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`COPY (SELECT * FROM read_csv($1, all_varchar = true)) TO '${parquetPath.replaceAll("'", "''")}' (FORMAT parquet)`, [csvPath]);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
