import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB and child-process servers are heavy on a 2-core machine; keep parallelism modest.
    maxWorkers: 2,
    // expect.poll waits for a page or a background pass to catch up; vitest's 1 s default is too short when the
    // suite shares two cores with DuckDB, servers and Chromium. A poll that never succeeds still fails, later.
    expect: { poll: { timeout: 15_000 } },
  },
});
