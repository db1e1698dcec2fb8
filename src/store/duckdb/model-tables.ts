import { z } from 'zod';
import type { ModelRow } from '../port.js';
import { date, num, str, type Row } from './rows.js';
import type { WriteFn } from './import-tables.js';
import type { ReadFn } from './segment-tables.js';

const Kind = z.enum(['cluster', 'propensity', 'clv']);

function head(r: Row): Omit<ModelRow, 'model'> {
  return {
    name: str(r.name, 'name'),
    version: num(r.version, 'version'),
    kind: Kind.parse(str(r.kind, 'kind')),
    createdAt: date(r.created_at, 'created_at'),
    spec: JSON.parse(str(r.spec, 'spec')) as unknown,
    summary: JSON.parse(str(r.summary, 'summary')) as unknown,
  };
}

/** The analytics_models table: the versioned registry of clustering runs, propensity models and CLV fits. */
export class DuckDbModelTables {
  constructor(
    private readonly read: ReadFn,
    private readonly write: WriteFn,
  ) {}

  async saveModel(row: ModelRow): Promise<void> {
    await this.write([
      {
        sql: 'INSERT INTO analytics_models VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5::JSON, $6::JSON, $7::JSON)',
        params: [row.name, row.version, row.kind, row.createdAt.toISOString(), JSON.stringify(row.spec), JSON.stringify(row.summary), JSON.stringify(row.model)],
      },
    ]);
  }

  async latestModelVersion(name: string): Promise<number> {
    const rows = await this.read('SELECT COALESCE(MAX(version), 0) AS v FROM analytics_models WHERE name = $1', [name]);
    return num(rows[0]?.v ?? 0, 'v');
  }

  async listModels(q: { kind?: ModelRow['kind'] | undefined; name?: string | undefined }): Promise<Omit<ModelRow, 'model'>[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.kind) {
      params.push(q.kind);
      where.push(`kind = $${params.length}`);
    }
    if (q.name) {
      params.push(q.name);
      where.push(`name = $${params.length}`);
    } else where.push('version = (SELECT MAX(version) FROM analytics_models m2 WHERE m2.name = analytics_models.name)');
    const rows = await this.read(
      `SELECT name, version, kind, created_at, spec, summary FROM analytics_models WHERE ${where.join(' AND ')} ORDER BY created_at DESC, name, version DESC`,
      params,
    );
    return rows.map(head);
  }

  async getModel(name: string, version?: number): Promise<ModelRow | null> {
    const rows =
      version === undefined
        ? await this.read('SELECT * FROM analytics_models WHERE name = $1 ORDER BY version DESC LIMIT 1', [name])
        : await this.read('SELECT * FROM analytics_models WHERE name = $1 AND version = $2', [name, version]);
    const r = rows[0];
    return r ? { ...head(r), model: JSON.parse(str(r.model, 'model')) as unknown } : null;
  }

  async updateModelSummary(name: string, version: number, summary: unknown): Promise<void> {
    await this.write([{ sql: 'UPDATE analytics_models SET summary = $3::JSON WHERE name = $1 AND version = $2', params: [name, version, JSON.stringify(summary)] }]);
  }

  async deleteModel(name: string): Promise<number> {
    const n = await this.latestModelVersion(name);
    if (n > 0) await this.write([{ sql: 'DELETE FROM analytics_models WHERE name = $1', params: [name] }]);
    return n;
  }
}
