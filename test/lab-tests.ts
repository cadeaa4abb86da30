/**
 * The tests every lab gets: the stub fails every check with a TODO message,
 * the solution passes every check, and each plausible wrong implementation
 * (test/wrong-implementations.ts) fails the check it should, with the
 * message a student sees.
 */
import { afterAll, expect, test } from 'vitest';
import { type LabEntry, labFileName } from '../lib/catalog.ts';
import { paths } from '../lib/paths.ts';
import { show } from '../lib/runner/failure.ts';
import { byId, noSandboxLeft, run, wrongDir } from './helpers.ts';
import { WRONG } from './wrong-implementations.ts';

/**
 * Labs tested in the second worker (test/own-cluster.test.ts), beside the
 * shared-cluster tests: 13 and 14 start (and kill, and partition) clusters of
 * their own; 12 runs the student's tests in vitest processes, each test in a
 * namespace of its own.
 */
export const SECOND_WORKER_LABS = ['12', '13', '14'];

/**
 * Labs whose wrong implementations run side by side (vitest's maxConcurrency):
 * each run of lab 14 plays a 10 s partition on 5 members of its own, mostly
 * waiting for elections and timeouts.
 */
const CONCURRENT_LABS = ['14'];

export function labTests(lab: LabEntry, options: { solution: boolean }): void {
  test('the stub fails every check with a TODO message', async () => {
    const result = await run(lab.id, { labsDir: paths.labs });
    expect(result.passed).toBe(false);
    for (const check of result.checks) {
      expect(check.status, check.id).toBe('failed');
      expect(check.message, check.id).toMatch(new RegExp(`^TODO: implement \`\\w+\` in labs/${labFileName(lab).replace(/\./g, '\\.')}$`));
    }
  });

  test.runIf(options.solution)('the solution passes every check', async () => {
    const result = await run(lab.id, { solution: true });
    const failed = result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`);
    expect(failed).toEqual([]);
    expect(result.checks).toHaveLength(lab.checks.length);
    expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  });

  const concurrent = CONCURRENT_LABS.includes(lab.id);
  // Side by side, one run cannot tell its lab processes from another's: count them once all are done.
  if (concurrent) afterAll(async () => expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]));
  (concurrent ? test.concurrent : test).each(WRONG.filter((w) => w.lab === lab.id))('wrong implementation "$variant" fails as intended', async (wrong) => {
    const result = await run(lab.id, { labsDir: wrongDir(lab.id, wrong.variant), only: Object.keys(wrong.fails), timeoutMs: wrong.timeoutMs });
    const checks = byId(result);
    for (const [id, message] of Object.entries(wrong.fails)) {
      expect(checks[id].status, `${id} should fail`).toBe('failed');
      // What the student reads: the message, expected/actual and the explanation.
      const { expected, actual, explain } = checks[id].details ?? {};
      const text = [checks[id].message, show(expected), show(actual), explain].join('\n');
      expect(text, id).toMatch(message);
    }
    if (!concurrent) expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  });
}
