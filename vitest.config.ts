import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB and child-process servers are heavy on a 2-core machine; keep parallelism modest.
    maxWorkers: 2,
  },
});
