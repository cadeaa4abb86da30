import { defineConfig } from 'vitest/config';

/**
 * Two tiers (`npm test` runs both; `npm run test:unit` the first alone):
 *
 * - unit: test/unit/*.test.ts, pure code without etcd (catalog, argument
 *   parsing, config validation, report formats, records, the history
 *   checker). Seconds.
 * - etcd: three files side by side, one worker each (each imports its parts
 *   from test/shared/ or test/own/; test/lab-tests.ts says which file tests
 *   which lab):
 *   - test/shared-cluster.test.ts: the tests on the suite's first cluster
 *     (started by test/global-setup.ts), one after another, labs 01-06 among them;
 *   - test/labs-cluster.test.ts: labs 07-12 and 15 on the second cluster;
 *   - test/own-cluster.test.ts: the tests that bring clusters of their own
 *     (a class cluster with TLS, a 5-member cluster behind peer proxies, labs
 *     13 and 14, the fault console).
 *   Most of the time is spent waiting on etcd (TTLs, elections, timeouts), so
 *   three workers on two cores take about 4 minutes where one would take 10.
 */
export default defineConfig({
  test: {
    // Lab 12's student test files among the fixtures are run by the lab's checks, not here.
    exclude: ['test/fixtures/**', 'node_modules/**'],
    sequence: { shuffle: false },
    env: { NO_COLOR: '1' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'etcd',
          sequence: { groupOrder: 1 },
          include: ['test/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: 3,
          // The wrong implementations of most labs run two at a time, each in a namespace of its own (CONCURRENT_LABS in test/lab-tests.ts).
          maxConcurrency: 2,
          // Guards against a hang, not a speed target: with both cores busy a lab run takes twice as long.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
