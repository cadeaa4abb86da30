import { defineConfig } from 'vitest/config';

/**
 * Two files run side by side, one worker each (each imports its parts from test/shared/ or test/own/):
 * - test/shared-cluster.test.ts: every test that uses the suite's own cluster
 *   (started by test/global-setup.ts), one after another;
 * - test/own-cluster.test.ts: the tests that bring a cluster of their own
 *   (a class cluster with TLS, a 5-member cluster behind peer proxies, labs
 *   13's and 14's) or keep to namespaces of their own (lab 12).
 * Most of the time is spent waiting on etcd (TTLs, elections), so two
 * workers on two cores cut the wall time by a third.
 */
export default defineConfig({
  test: {
    include: ['test/*.test.ts'],
    // Lab 12's student test files among the fixtures are run by the lab's checks, not here.
    exclude: ['test/fixtures/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: 2,
    // Only lab 14's wrong implementations run concurrently (test/lab-tests.ts): 3 partitioned clusters at a time.
    maxConcurrency: 3,
    sequence: { shuffle: false },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { NO_COLOR: '1' },
  },
});
