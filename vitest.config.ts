import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // three files at a time on two cores: most tests wait on the sandbox's clocks and polls (about 1.3 cores busy with two)
    maxWorkers: 3,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // every sandbox a test starts checks that each journal commit holds every chunk a write changed (src/sandbox/journal.ts)
    env: { XRDCTL_SANDBOX_CHECK_JOURNAL: '1' },
  },
});
