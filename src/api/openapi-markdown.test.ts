import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestSegmentum } from '../../test/helpers.js';
import { openApiToMarkdown } from './openapi-markdown.js';

const API_MD = fileURLToPath(new URL('../../docs/api.md', import.meta.url));

describe('docs/api.md', () => {
  it('is the Markdown rendering of the OpenAPI document the server serves', async () => {
    const s = await startTestSegmentum();
    try {
      const res = await s.app.inject({ url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      const rendered = openApiToMarkdown(res.json());
      const stale = 'docs/api.md differs from the API the server describes: run `npm run docs:api` and commit docs/api.md';
      expect(existsSync(API_MD), stale).toBe(true);
      expect(rendered, stale).toBe(readFileSync(API_MD, 'utf8'));
    } finally {
      await s.close();
    }
  });
});

describe('openApiToMarkdown', () => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 'Demo API', version: '1.0.0', description: 'For the test.' },
    tags: [{ name: 'b-first', description: 'Declared first' }, { name: 'a-second' }],
    components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'Admin key' } } },
    paths: {
      '/things/{id}': {
        get: {
          tags: ['a-second'],
          summary: 'One thing',
          security: [{ adminKey: [] }],
          parameters: [
            { in: 'query', name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 10, default: 5 } },
            { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'The id' },
          ],
          responses: {
            '404': { description: 'Default Response', content: { 'application/json': { schema: errorSchema() } } },
            '200': {
              description: 'Default Response',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['id', 'tags'],
                    properties: {
                      id: { type: 'string' },
                      note: { type: 'string', nullable: true, description: 'Free | text' },
                      tags: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
                      counts: { type: 'object', additionalProperties: { type: 'number' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      '/v1/send': { post: send() },
      '/s': { post: send() },
    },
  };

  function errorSchema() {
    return {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, path: { type: 'string' } } } },
    };
  }

  function send() {
    return {
      tags: ['b-first'],
      summary: 'Send a thing',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['kind'],
              additionalProperties: {},
              properties: {
                kind: { type: 'string', enum: ['x', 'y'] },
                id: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'Any id' },
                name: { type: 'string', minLength: 1, maxLength: 50 },
              },
            },
          },
        },
      },
      responses: { '200': { description: 'Stored' } },
    };
  }

  const md = openApiToMarkdown(doc);

  it('groups operations by tag in the declared order and renders an alias once', () => {
    expect(md.indexOf('## b-first')).toBeGreaterThan(0);
    expect(md.indexOf('## b-first')).toBeLessThan(md.indexOf('## a-second'));
    expect(md).toContain('### POST `/v1/send`');
    expect(md).not.toContain('### POST `/s`');
    expect(md).toContain('Also served at `/s`.');
  });

  it('shows auth, parameters (path first), request body fields and responses', () => {
    expect(md).toContain('Auth: `adminKey` (`Authorization: Bearer <key>`).');
    expect(md).toContain('Auth: none declared.');
    expect(md).toContain(
      [
        '| `id` | path | string | yes | The id. |',
        '| `limit` | query | integer | no | 1 to 10. Default: `5`. |',
      ].join('\n'),
    );
    expect(md).toContain('| `kind` | "x" or "y" | yes |  |');
    expect(md).toContain('| `id` | string or number | no | Any id. |');
    expect(md).toContain('| `name` | string | no | 1 to 50 characters. |');
    expect(md).toContain('Fields not listed are accepted.');
    expect(md).toContain('| 200 | Stored | not described |');
    expect(md).toContain('| 404 | Not Found | `{ error: { code, path? } }` |');
    expect(md).toContain('| `note` | string or null | no | Free \\| text. |');
    expect(md).toContain('| `tags[].name` | string | yes |  |');
    expect(md).toContain('| `counts` | object of number | no |  |');
  });

  it('gives the same text for the same document, ending with one newline', () => {
    expect(openApiToMarkdown(structuredClone(doc))).toBe(md);
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });

  it('refuses something that is not an OpenAPI document', () => {
    expect(() => openApiToMarkdown({ hello: 'world' })).toThrow();
    expect(() => openApiToMarkdown(null)).toThrow();
  });
});
