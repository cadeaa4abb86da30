import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // One etcd cluster is shared by the integration tests, and lab 01 moves its
    // leader on purpose: run test files one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { NO_COLOR: '1' },
  },
});
