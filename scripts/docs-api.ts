/**
 * Writes docs/api.md from the OpenAPI document of a server built in-process on a throw-away in-memory store.
 * Run with `npm run docs:api`; src/api/openapi-markdown.test.ts fails while the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiToMarkdown } from '../src/api/openapi-markdown.js';
import { parseConfig } from '../src/config/index.js';
import { createSegmentum } from '../src/main.js';

// Compiled to dist/scripts/, two levels below the repository root.
const target = fileURLToPath(new URL('../../docs/api.md', import.meta.url));

const s = await createSegmentum(parseConfig({ db: ':memory:' }), { logger: false });
try {
  const res = await s.app.inject({ url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
  writeFileSync(target, openApiToMarkdown(res.json()));
  process.stdout.write(`wrote ${target}\n`);
} finally {
  await s.close();
}
