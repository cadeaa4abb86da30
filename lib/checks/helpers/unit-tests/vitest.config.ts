/**
 * The vitest configuration lab 12 runs a student's test file with: no global
 * setup (the cluster is already up), one file, plain output.
 *
 * The checks copy the file into a folder `.lab12-run-*` of the project root,
 * so that its imports (`../lib/test-kit.ts`, `vitest`) resolve to this
 * checkout, whatever folder it was handed in from. A student runs their own
 * file in place (`npm run test-lab12`), against their own lab 02.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../../..', import.meta.url)),
  test: {
    include: ['.lab12-run-*/*.test.ts', 'labs/*.test.ts', 'solutions/*.test.ts'],
    fileParallelism: false,
    testTimeout: 10_000,
    hookTimeout: 10_000,
    env: { NO_COLOR: '1' },
  },
});
