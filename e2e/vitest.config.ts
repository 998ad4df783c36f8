import { defineConfig } from 'vitest/config';

// Browser specs run one file at a time: each starts its own server and Chromium on two cores.
export default defineConfig({
  test: {
    include: ['specs/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    restoreMocks: true,
  },
});
