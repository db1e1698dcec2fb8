import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRENCH_CUSTOMER_RULES } from './french-rules.js';
import { parseRules } from './schema.js';

const doc = readFileSync(new URL('../../../docs/validation-rules.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as Record<string, unknown>);

describe('docs/validation-rules.md', () => {
  it('has JSON examples for every check kind, and each one parses', () => {
    const kinds = new Set<unknown>();
    for (const example of examples) {
      const rule = 'id' in example ? example : { id: 'doc', description: 'doc', severity: 'flag', code: 'rule.doc', check: example };
      const parsed = parseRules([rule]);
      expect(parsed.ok ? null : parsed.error.message, JSON.stringify(example)).toBeNull();
      kinds.add((rule.check as { kind: unknown }).kind);
    }
    expect([...kinds].sort()).toEqual(
      ['age', 'all', 'any', 'consistent', 'if_present_then', 'not', 'one_of', 'outlier', 'pattern', 'range', 'required', 'unique_per', 'valid'].sort(),
    );
  });

  it('lists the default French rules with their severity and code', () => {
    for (const rule of FRENCH_CUSTOMER_RULES) expect(doc).toContain(`| \`${rule.id}\` | ${rule.severity} | \`${rule.code}\` |`);
  });
});
