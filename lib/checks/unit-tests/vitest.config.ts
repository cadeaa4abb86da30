/**
 * The vitest configuration lab 12 runs a student's test file with: no global
 * setup (the checks' cluster is already up), one file, plain output.
 * The checks copy the file into a folder `.lab12-run-*` of the project root,
 * so that its imports (`../lib/test-kit.ts`, `vitest`) resolve to this
 * checkout, whatever folder it was handed in from.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['.lab12-run-*/*.test.ts'],
    fileParallelism: false,
    testTimeout: 10_000,
    hookTimeout: 10_000,
    env: { NO_COLOR: '1' },
  },
});
