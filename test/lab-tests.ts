/**
 * The tests every lab gets: the stub fails every check with a TODO message,
 * the solution passes every check, and each plausible wrong implementation
 * (its contract, lib/checks/contracts/NN-slug.yaml) fails the check it
 * should, with the message a student sees.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { type LabEntry, labFileName, loadCatalog } from '../lib/catalog.ts';
import { paths } from '../lib/paths.ts';
import { show } from '../lib/runner/failure.ts';
import { loadContract, wrongFolder } from '../lib/checks/contract.ts';
import { byId, noSandboxLeft, run } from './helpers.ts';

/** The three test files, run side by side (vitest.config.ts). */
export type TestFile = 'shared' | 'labs' | 'own';

/**
 * Which file tests which lab: 'own' (test/own-cluster.test.ts) has 13, 14 and
 * 16, which start, kill and partition clusters of their own; 'labs'
 * (test/labs-cluster.test.ts, on the second test cluster) has 07-12 and 15;
 * 'shared' (test/shared-cluster.test.ts) the rest.
 */
const LAB_FILES: Record<string, TestFile> = { '07': 'labs', '08': 'labs', '09': 'labs', '10': 'labs', '11': 'labs', '12': 'labs', '13': 'own', '14': 'own', '15': 'labs', '16': 'own' };

export function labsTestedIn(file: TestFile): LabEntry[] {
  return loadCatalog().filter((lab) => (LAB_FILES[lab.id] ?? 'shared') === file);
}

/**
 * Solutions run by the class-cluster test (labs 1-10, twice and in parallel; on
 * the local cluster, `npm run check-labs` runs them in CI). Lab 01 keeps its
 * own for its leader moves.
 */
const SOLUTIONS_RUN_ELSEWHERE = ['02', '03', '04', '05', '06', '07', '08', '09', '10'];

/** Every lab of `file`: stub, solution (unless run elsewhere), wrong implementations. */
export function labTestsOf(file: TestFile): void {
  describe.each(labsTestedIn(file))('lab $id $slug', (lab) => labTests(lab, { solution: !SOLUTIONS_RUN_ELSEWHERE.includes(lab.id) }));
}

/**
 * Labs whose wrong implementations run side by side (vitest's maxConcurrency,
 * 2), each in a namespace of its own: their runs mostly wait (on etcd, TTLs,
 * elections, timeouts). With the fault labs' wrong implementations in their
 * own tier, `npm test` went from 17 to about 10 minutes. Each run of lab 14
 * plays a 10 s partition on 5 members of its own, each of lab 16 starts 3
 * members and a server per member. Not here: lab 01 (it moves the test
 * cluster's leader), 11 (members of its own with TLS, one at a time), 13
 * (kills members; its timing checks want the machine to itself), 12 (each
 * run starts vitest twice, CPU-bound) and 15
 * (whole-cluster snapshots).
 */
const CONCURRENT_LABS = ['02', '03', '04', '05', '06', '07', '08', '09', '10', '14', '16'];

/**
 * Labs whose wrong implementations each play elections, kills and
 * partitions on clusters of their own (13, 14, 16: about 9 minutes of the
 * etcd tier, and its flakiest part when three test files share two cores).
 * They run in `npm run test:faults` (WORKBOOK_FAULT_TIER=1), which CI runs
 * after `npm test`, with the machine to itself; `npm test` runs their stubs
 * and solutions.
 */
const FAULT_LABS = ['13', '14', '16'];
const FAULT_TIER = process.env.WORKBOOK_FAULT_TIER === '1';

/**
 * Per test, for the labs that take longer than the etcd tier's 120 s: lab 16
 * plays four phases on two clusters of its own (about 70 s on an idle
 * machine, three minutes with both cores busy).
 */
const TEST_TIMEOUT_MS: Record<string, number> = { '16': 600_000 };

export function labTests(lab: LabEntry, options: { solution: boolean }): void {
  const timeout = TEST_TIMEOUT_MS[lab.id];
  test('the stub fails every check with a TODO message', async () => {
    const result = await run(lab.id, { labsDir: paths.labs });
    expect(result.passed).toBe(false);
    for (const check of result.checks) {
      expect(check.status, check.id).toBe('failed');
      expect(check.message, check.id).toMatch(new RegExp(`^TODO: implement \`\\w+\` in labs/${labFileName(lab).replace(/\./g, '\\.')}$`));
    }
  }, timeout);

  test.runIf(options.solution)('the solution passes every check', async () => {
    const result = await run(lab.id, { solution: true });
    const failed = result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`);
    expect(failed).toEqual([]);
    expect(result.checks).toHaveLength(lab.checks.length);
    expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  }, timeout);

  const concurrent = CONCURRENT_LABS.includes(lab.id);
  // Side by side, one run cannot tell its lab processes from another's: count them once all are done.
  if (concurrent) afterAll(async () => expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]));
  const wrongs = FAULT_LABS.includes(lab.id) && !FAULT_TIER ? [] : loadContract(lab).wrong;
  (concurrent ? test.concurrent : test).each(wrongs)('wrong implementation "$variant" fails as intended', async (wrong) => {
    // Side by side, each run needs a namespace of its own: runs that own the same keys in one namespace refuse to run at once.
    const namespace = concurrent ? `/wrong-${wrong.variant}/` : undefined;
    const result = await run(lab.id, { labsDir: wrongFolder(lab, wrong.variant), only: Object.keys(wrong.fails), timeoutMs: wrong.timeoutMs, namespace });
    const checks = byId(result);
    for (const [id, message] of Object.entries(wrong.fails)) {
      expect(checks[id].status, `${id} should fail`).toBe('failed');
      // What the student reads: the message, expected/actual and the explanation.
      const { expected, actual, explain } = checks[id].details ?? {};
      const text = [checks[id].message, show(expected), show(actual), explain].join('\n');
      expect(text, id).toMatch(message);
    }
    if (!concurrent) expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  }, timeout);
}
