import type { SqlDialect } from '../port.js';


/**
 * DuckDB's spelling of the segment compiler's building blocks. JSON paths arrive as bound JSON pointers
 * ('/a/b'); `json_type` tells apart the JSON types so that a string "30" never compares as the number 30.
 */
export const duckDbDialect: SqlDialect = {
  tables: { events: 'events', profiles: 'profiles', vault: 'pii_vault', scores: 'current_scores', members: 'segment_members' },
  // The value's JSON text read as a number: a JSON string keeps its quotes and fails the cast, so "30" is no number.
  // One extraction per row, as fast as a hand-written ->> cast.
  jsonNumber: (j, p) => `TRY_CAST(CAST(json_extract(${j}, ${p}) AS VARCHAR) AS DOUBLE)`,
  jsonString: (j, p) => `(CASE WHEN json_type(${j}, ${p}) = 'VARCHAR' THEN json_extract_string(${j}, ${p}) END)`,
  jsonBoolean: (j, p) => `(CASE WHEN json_type(${j}, ${p}) = 'BOOLEAN' THEN json_extract_string(${j}, ${p}) = 'true' END)`,
  jsonDate: (j, p, pattern) =>
    `(CASE WHEN json_type(${j}, ${p}) = 'VARCHAR' AND regexp_full_match(json_extract_string(${j}, ${p}), ${pattern}) ` +
    `THEN TRY_CAST(json_extract_string(${j}, ${p}) AS TIMESTAMPTZ) END)`,
  jsonPresent: (j, p) => `coalesce(json_type(${j}, ${p}) NOT IN ('NULL'), false)`,
  jsonDistinctKey: (j, p) =>
    `(CASE json_type(${j}, ${p}) WHEN 'VARCHAR' THEN 's' || json_extract_string(${j}, ${p}) ` +
    `WHEN 'BOOLEAN' THEN 'b' || json_extract_string(${j}, ${p}) ` +
    `WHEN 'BIGINT' THEN 'n' || CAST(CAST(json_extract_string(${j}, ${p}) AS DOUBLE) AS VARCHAR) ` +
    `WHEN 'UBIGINT' THEN 'n' || CAST(CAST(json_extract_string(${j}, ${p}) AS DOUBLE) AS VARCHAR) ` +
    `WHEN 'DOUBLE' THEN 'n' || CAST(CAST(json_extract_string(${j}, ${p}) AS DOUBLE) AS VARCHAR) END)`,
  timestamp: (p) => `CAST(${p} AS TIMESTAMPTZ)`,
  md5Bucket: (text) => `CAST('0x' || left(md5(${text}), 8) AS UBIGINT)`,
  contains: (h, n) => `contains(${h}, ${n})`,
  startsWith: (h, n) => `starts_with(${h}, ${n})`,
};
