import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * Renders the server's OpenAPI document as the Markdown API reference (docs/api.md). Pure: the same document gives
 * the same text, so a test can hold the committed file to what the server serves (`npm run docs:api` rewrites it).
 */

/** The parts of a JSON Schema (OpenAPI 3.0 dialect) that the reference shows. */
interface JsonSchema {
  type?: string | string[] | undefined;
  format?: string | undefined;
  description?: string | undefined;
  enum?: unknown[] | undefined;
  nullable?: boolean | undefined;
  default?: unknown;
  minLength?: number | undefined;
  maxLength?: number | undefined;
  minimum?: number | undefined;
  maximum?: number | undefined;
  minItems?: number | undefined;
  maxItems?: number | undefined;
  properties?: Record<string, JsonSchema> | undefined;
  required?: string[] | undefined;
  additionalProperties?: boolean | JsonSchema | undefined;
  items?: JsonSchema | undefined;
  anyOf?: JsonSchema[] | undefined;
  oneOf?: JsonSchema[] | undefined;
}

const JsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    format: z.string().optional(),
    description: z.string().optional(),
    enum: z.array(z.unknown()).optional(),
    nullable: z.boolean().optional(),
    default: z.unknown().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
    properties: z.record(z.string(), JsonSchema).optional(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.union([z.boolean(), JsonSchema]).optional(),
    items: JsonSchema.optional(),
    anyOf: z.array(JsonSchema).optional(),
    oneOf: z.array(JsonSchema).optional(),
  }),
);

const MediaTypes = z.record(z.string(), z.object({ schema: JsonSchema.optional() }));

const Parameter = z.object({
  name: z.string(),
  in: z.string(),
  required: z.boolean().optional(),
  description: z.string().optional(),
  schema: JsonSchema.optional(),
});
type Parameter = z.infer<typeof Parameter>;

const SecurityRequirements = z.array(z.record(z.string(), z.array(z.string())));

const Operation = z.object({
  summary: z.string().optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  deprecated: z.boolean().optional(),
  parameters: z.array(Parameter).optional(),
  requestBody: z.object({ required: z.boolean().optional(), description: z.string().optional(), content: MediaTypes.optional() }).optional(),
  responses: z.record(z.string(), z.object({ description: z.string().optional(), content: MediaTypes.optional() })).optional(),
  security: SecurityRequirements.optional(),
});
type Operation = z.infer<typeof Operation>;

const SecurityScheme = z.object({
  type: z.string(),
  scheme: z.string().optional(),
  name: z.string().optional(),
  in: z.string().optional(),
  description: z.string().optional(),
});
type SecurityScheme = z.infer<typeof SecurityScheme>;

const OpenApiDocument = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string(), description: z.string().optional() }),
  tags: z.array(z.object({ name: z.string(), description: z.string().optional() })).optional(),
  security: SecurityRequirements.optional(),
  components: z.object({ securitySchemes: z.record(z.string(), SecurityScheme).optional() }).optional(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
type OpenApiDocument = z.infer<typeof OpenApiDocument>;

/** The methods a path item may hold, in the order the reference lists them for one path. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** zod's integer bounds: they say "integer", not a real limit. */
const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

/** Nested objects are shown down to this depth (`a.b.c`); deeper ones as `object`. */
const MAX_FIELD_DEPTH = 4;

interface Entry {
  method: string;
  path: string;
  /** Other paths serving the very same operation (short aliases). */
  alsoAt: string[];
  op: Operation;
}

/**
 * The Markdown reference of an OpenAPI 3 document: operations grouped by tag (in the document's tag order; within a
 * tag, in the document's path order, which is the order the routes are registered), each with its auth, parameters,
 * request body fields and responses.
 * @example openApiToMarkdown((await app.inject({ url: '/openapi.json' })).json())
 */
export function openApiToMarkdown(doc: unknown): string {
  const d = OpenApiDocument.parse(doc);
  const groups = groupByTag(d);
  const schemes = d.components?.securitySchemes ?? {};
  const out: string[] = [];

  out.push('# API reference', '');
  out.push(
    '<!-- Generated from the OpenAPI document the server serves at /openapi.json. Do not edit: run `npm run docs:api`. -->',
    '',
  );
  out.push(`${d.info.title}. ${oneLine(d.info.description ?? '')}`.trim(), '');
  out.push(
    'A running server serves the same document at `/openapi.json` and a browsable version at `/docs`. ' +
      'Error responses carry a stable `code`, listed in [errors.md](errors.md).',
    '',
  );

  out.push('## Authentication', '');
  const declared = Object.entries(schemes);
  if (declared.length === 0) out.push('The document declares no security scheme.', '');
  for (const [name, s] of declared) {
    out.push(`- \`${name}\`: ${schemeText(s)}${s.description ? `. ${oneLine(s.description)}` : ''}.`);
  }
  if (declared.length > 0) out.push('');
  out.push(
    'Each operation below names the schemes it declares. An operation that declares none may still check a key: ' +
      'the tracking endpoints take the write key in any of the ways listed in [ingest.md](ingest.md#authentication).',
    '',
  );

  out.push('## Operations', '');
  out.push('| Method | Path | Summary |', '| --- | --- | --- |');
  for (const g of groups) {
    for (const e of g.entries) out.push(`| ${e.method.toUpperCase()} | \`${e.path}\` | ${cell(e.op.summary ?? '')} |`);
  }
  out.push('');

  for (const g of groups) {
    out.push(`## ${g.name}`, '');
    if (g.description) out.push(oneLine(g.description), '');
    for (const e of g.entries) out.push(...renderOperation(e, d, schemes));
  }
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

function groupByTag(d: OpenApiDocument): { name: string; description: string | undefined; entries: Entry[] }[] {
  const entries: Entry[] = [];
  const byRaw = new Map<string, Entry>();
  for (const [path, item] of Object.entries(d.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (raw === undefined) continue;
      // The same handler registered on several paths (short aliases) renders once, naming the other paths.
      const key = `${method} ${JSON.stringify(raw)}`;
      const seen = byRaw.get(key);
      if (seen) {
        seen.alsoAt.push(path);
        continue;
      }
      const entry: Entry = { method, path, alsoAt: [], op: Operation.parse(raw) };
      byRaw.set(key, entry);
      entries.push(entry);
    }
  }
  const declared = (d.tags ?? []).map((t) => t.name);
  const used = [...new Set(entries.map((e) => e.op.tags?.[0] ?? 'other'))];
  const order = [...declared, ...used.filter((t) => !declared.includes(t)).sort()];
  return order
    .map((name) => ({
      name,
      description: d.tags?.find((t) => t.name === name)?.description,
      entries: entries.filter((e) => (e.op.tags?.[0] ?? 'other') === name),
    }))
    .filter((g) => g.entries.length > 0);
}

function renderOperation(e: Entry, d: OpenApiDocument, schemes: Record<string, SecurityScheme>): string[] {
  const { op } = e;
  const out: string[] = [`### ${e.method.toUpperCase()} \`${e.path}\``, ''];
  if (op.summary) out.push(`${oneLine(op.summary)}.`.replace(/\.\.$/, '.'), '');
  if (op.description) out.push(oneLine(op.description), '');
  if (op.deprecated) out.push('**Deprecated.**', '');
  if (e.alsoAt.length > 0) out.push(`Also served at ${e.alsoAt.map((p) => `\`${p}\``).join(', ')}.`, '');
  out.push(`Auth: ${authText(op.security ?? d.security, schemes)}.`, '');

  const params = op.parameters ?? [];
  if (params.length > 0) {
    out.push('Parameters:', '', '| Name | In | Type | Required | Description |', '| --- | --- | --- | --- | --- |');
    const where = ['path', 'query', 'header', 'cookie'];
    const sorted = [...params].sort((a, b) => rank(where, a.in) - rank(where, b.in));
    for (const p of sorted) out.push(parameterRow(p));
    out.push('');
  }

  const body = op.requestBody;
  if (body) {
    for (const [media, { schema }] of Object.entries(body.content ?? {})) {
      out.push(`Request body (\`${media}\`, ${body.required ? 'required' : 'optional'}):`, '');
      if (body.description) out.push(oneLine(body.description), '');
      out.push(...schemaBlock(schema));
    }
  }

  // Plain code-unit order (not localeCompare): the output must not depend on the machine's locale.
  const responses = Object.entries(op.responses ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (responses.length > 0) {
    out.push('Responses:', '', '| Status | Meaning | Body |', '| --- | --- | --- |');
    const detailed: [string, string, JsonSchema][] = [];
    for (const [status, r] of responses) {
      const meaning = r.description && r.description !== 'Default Response' ? r.description : (STATUS_CODES[Number(status)] ?? '');
      const contents = Object.entries(r.content ?? {});
      const bodies = contents.map(([media, { schema }]) => {
        if (!schema) return `\`${media}\``;
        if (status.startsWith('2') && hasFields(schema)) {
          detailed.push([status, media, schema]);
          return 'fields below';
        }
        return `\`${signature(schema, 0)}\``;
      });
      out.push(`| ${status} | ${cell(meaning)} | ${bodies.length > 0 ? bodies.join('; ') : 'not described'} |`);
    }
    out.push('');
    for (const [status, media, schema] of detailed) {
      out.push(`${status} response body (\`${media}\`):`, '', ...schemaBlock(schema));
    }
  }
  return out;
}

function parameterRow(p: Parameter): string {
  const s = p.schema ?? {};
  const text = describeField(p.description ?? s.description, s);
  return `| \`${p.name}\` | ${p.in} | ${cell(typeOf(s))} | ${p.required ? 'yes' : 'no'} | ${cell(text)} |`;
}

/** A field table for an object schema, or its type for anything else. */
function schemaBlock(schema: JsonSchema | undefined): string[] {
  if (!schema) return ['Not described.', ''];
  if (!hasFields(schema)) return [`A value of type ${typeOf(schema)}.`, ''];
  const out = ['| Field | Type | Required | Description |', '| --- | --- | --- | --- |'];
  out.push(...fieldRows(schema, '', 1));
  out.push('');
  const extra = schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && extra !== null)) out.push('Fields not listed are accepted.', '');
  return out;
}

function fieldRows(schema: JsonSchema, prefix: string, depth: number): string[] {
  const rows: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const text = describeField(s.description, s);
    rows.push(`| \`${path}\` | ${cell(typeOf(s))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(text)} |`);
    if (depth >= MAX_FIELD_DEPTH) continue;
    if (hasFields(s)) rows.push(...fieldRows(s, `${path}.`, depth + 1));
    else if (s.items && hasFields(s.items)) rows.push(...fieldRows(s.items, `${path}[].`, depth + 1));
  }
  return rows;
}

function hasFields(s: JsonSchema): boolean {
  return s.properties !== undefined && Object.keys(s.properties).length > 0;
}

/** A short, readable type: `string or number`, `array of string`, `object of number`, `"a" or "b"`. */
function typeOf(s: JsonSchema): string {
  let t: string;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives && alternatives.length > 0) {
    t = [...new Set(alternatives.map(typeOf))].join(' or ');
  } else if (s.enum && s.enum.length > 0) {
    t = s.enum.map((v) => JSON.stringify(v)).join(' or ');
  } else {
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
    const parts = types.map((type) => {
      if (type === 'array') return s.items && typeOf(s.items) !== 'any' ? `array of ${typeOf(s.items)}` : 'array';
      if (type === 'object') {
        const extra = s.additionalProperties;
        if (!hasFields(s) && typeof extra === 'object' && extra !== null && typeOf(extra) !== 'any') return `object of ${typeOf(extra)}`;
        return 'object';
      }
      return s.format ? `${type} (${s.format})` : type;
    });
    t = parts.length > 0 ? parts.join(' or ') : 'any';
  }
  return s.nullable ? `${t} or null` : t;
}

/** A field's description as a sentence, then its limits and default. */
function describeField(description: string | undefined, s: JsonSchema): string {
  const text = oneLine(description ?? '');
  const sentence = text === '' || /[.!?)]$/.test(text) ? text : `${text}.`;
  return [sentence, constraints(s)].filter(Boolean).join(' ');
}

/** Limits and defaults in words. */
function constraints(s: JsonSchema): string {
  const parts: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: string): void => {
    if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}${unit}.`);
    else if (min !== undefined) parts.push(`At least ${min}${unit}.`);
    else if (max !== undefined) parts.push(`At most ${max}${unit}.`);
  };
  range(s.minLength, s.maxLength, ' characters');
  range(s.minItems, s.maxItems, ' items');
  const min = s.minimum !== undefined && Math.abs(s.minimum) < SAFE_BOUND ? s.minimum : undefined;
  const max = s.maximum !== undefined && Math.abs(s.maximum) < SAFE_BOUND ? s.maximum : undefined;
  range(min, max, '');
  if (s.default !== undefined) parts.push(`Default: \`${JSON.stringify(s.default)}\`.`);
  return parts.join(' ');
}

/** A compact shape for bodies shown inline: `{ error: { code, message, hint, path? } }`. */
function signature(s: JsonSchema, depth: number): string {
  if (!hasFields(s)) return typeOf(s);
  const required = new Set(s.required ?? []);
  const fields = Object.entries(s.properties ?? {}).map(([name, f]) => {
    const key = `${name}${required.has(name) ? '' : '?'}`;
    return hasFields(f) && depth < 2 ? `${key}: ${signature(f, depth + 1)}` : key;
  });
  return `{ ${fields.join(', ')} }`;
}

function schemeText(s: SecurityScheme): string {
  if (s.type === 'http') return `HTTP ${s.scheme ?? ''} authentication`.replace('  ', ' ');
  if (s.type === 'apiKey') return `API key in the ${s.in ?? ''} \`${s.name ?? ''}\``;
  return s.type;
}

function authText(security: z.infer<typeof SecurityRequirements> | undefined, schemes: Record<string, SecurityScheme>): string {
  if (security === undefined) return 'none declared';
  if (security.length === 0) return 'none';
  return security
    .map((req) => {
      const names = Object.keys(req);
      if (names.length === 0) return 'none';
      return names
        .map((n) => {
          const s = schemes[n];
          return s?.type === 'http' && s.scheme === 'bearer' ? `\`${n}\` (\`Authorization: Bearer <key>\`)` : `\`${n}\``;
        })
        .join(' and ');
    })
    .join(', or ');
}

function rank(order: string[], v: string): number {
  const i = order.indexOf(v);
  return i === -1 ? order.length : i;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|');
}
