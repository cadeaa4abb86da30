/**
 * Every lab against the real test cluster: the stub fails every check with a
 * TODO message, the solution passes every check, and each plausible wrong
 * implementation fails the check it should, with the message a student sees.
 */
import { describe, expect, test } from 'vitest';
import { labFileName, loadCatalog } from '../../lib/catalog.ts';
import { paths } from '../../lib/paths.ts';
import { show } from '../../lib/runner/failure.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { byId, fixtures, noSandboxLeft, run, wrongDir } from '../helpers.ts';
import { WRONG } from '../wrong-implementations.ts';

const labs = loadCatalog();
/** Solutions run by the class-cluster test (labs 1-10); lab 01 stays here for its leader moves. */
const SOLUTIONS_RUN_ELSEWHERE = ['02', '03', '04', '05', '06', '07', '08', '09', '10'];

describe.each(labs)('lab $id $slug', (lab) => {
  test('the stub fails every check with a TODO message', async () => {
    const result = await run(lab.id, { labsDir: paths.labs });
    expect(result.passed).toBe(false);
    for (const check of result.checks) {
      expect(check.status, check.id).toBe('failed');
      expect(check.message, check.id).toMatch(new RegExp(`^TODO: implement \`\\w+\` in labs/${labFileName(lab).replace(/\./g, '\\.')}$`));
    }
  });

  // Labs that also run on a class cluster have their solutions run there, twice
  // and in parallel, by class-cluster.test.ts; on the local cluster by
  // \`npm run check-labs\` in CI. Here: the labs whose checks differ locally.
  test.runIf(!SOLUTIONS_RUN_ELSEWHERE.includes(lab.id))('the solution passes every check', async () => {
    const result = await run(lab.id, { solution: true });
    const failed = result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`);
    expect(failed).toEqual([]);
    expect(result.checks).toHaveLength(lab.checks.length);
    expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  });

  test.each(WRONG.filter((w) => w.lab === lab.id))('wrong implementation "$variant" fails as intended', async (wrong) => {
    const result = await run(lab.id, { labsDir: wrongDir(lab.id, wrong.variant), only: Object.keys(wrong.fails), timeoutMs: wrong.timeoutMs });
    const checks = byId(result);
    for (const [id, message] of Object.entries(wrong.fails)) {
      expect(checks[id].status, `${id} should fail`).toBe('failed');
      // What the student reads: the message, expected/actual and the explanation.
      const { expected, actual, explain } = checks[id].details ?? {};
      const text = [checks[id].message, show(expected), show(actual), explain].join('\n');
      expect(text, id).toMatch(message);
    }
    expect(await noSandboxLeft(), 'lab processes left behind').toEqual([]);
  });
});

test.each(['js-sort', 'locale-sort'])('wrong sort "%s" fails list-keys whatever the seed', async (variant) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const result = await run('02', { labsDir: wrongDir('02', variant), only: ['list-keys'], seed });
    expect(result.checks[0].status, `seed ${seed}`).toBe('failed');
  }
});

test('the same seed replays the same data', async () => {
  const a = await run('03', { labsDir: wrongDir('03', 'off-by-one'), only: ['register-users'], seed: 4242 });
  const b = await run('03', { labsDir: wrongDir('03', 'off-by-one'), only: ['register-users'], seed: 4242 });
  const c = await run('03', { labsDir: wrongDir('03', 'off-by-one'), only: ['register-users'], seed: 4243 });
  expect(a.checks[0].message).toBe(b.checks[0].message);
  expect(a.checks[0].details).toEqual(b.checks[0].details);
  expect(a.checks[0].details).not.toEqual(c.checks[0].details);
});

test('every check of every lab is failed by at least one wrong implementation, and every fixture is used', () => {
  const covered = new Set(WRONG.flatMap((w) => Object.keys(w.fails).map((check) => `${w.lab}/${check}`)));
  const uncovered = labs.flatMap((lab) => lab.checks.map((c) => `${lab.id}/${c.id}`)).filter((id) => !covered.has(id));
  expect(uncovered).toEqual([]);
  const listed = new Set(WRONG.map((w) => `${w.lab}/${w.variant}`));
  const variants = readdirSync(join(fixtures, 'wrong')).flatMap((lab) => readdirSync(join(fixtures, 'wrong', lab)).map((v) => `${lab}/${v}`));
  expect(variants.filter((v) => !listed.has(v))).toEqual([]);
});
