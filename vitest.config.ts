import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          globalSetup: ['test/support/global-setup.ts'],
          include: ['test/unit/**/*.test.ts', 'test/http/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Real clients, real images and child processes: one file at a time on a 2-core machine.
        test: {
          name: 'e2e',
          globalSetup: ['test/support/global-setup.ts'],
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
