/**
 * The box a lab process runs in (lib/sandbox/box.ts): code that reads the
 * solutions or another submission, writes into the grader's checkout, starts
 * a process or looks for secrets in its environment fails one check, says
 * what it tried, and changes nothing outside its run's folder. (Keys outside
 * a submission's namespace: lib/grading/, test/shared/grade.ts.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { paths } from '../../lib/paths.ts';
import { byId, fixtures, noSandboxLeft, run } from '../helpers.ts';

const cases: [string, RegExp][] = [
  ['reads-solution', /^currentUser\(\) tried to read solutions\/03-logged-users\.ts, which a lab's code may not/],
  ['reads-neighbour', /^currentUser\(\) tried to read test\/fixtures\/submissions\/ana\/labs\/03-logged-users\.ts, which a lab's code may not/],
  ['writes-lib', /^currentUser\(\) tried to write lib\/planted\.ts, which a lab's code may not/],
  ['spawns', /^currentUser\(\) tried to start a process, which a lab's code may not/],
];

test.each(cases)('malicious "%s" is contained and told what it tried', async (variant, message) => {
  const result = await run('03', { labsDir: join(fixtures, 'malicious', variant), only: ['current-user'] });
  expect(byId(result)['current-user'].message).toMatch(message);
  expect(existsSync(join(paths.root, 'lib', 'planted.ts'))).toBe(false);
  expect(await noSandboxLeft()).toEqual([]);
});

test('a lab process gets none of the runner\'s secrets in its environment', async () => {
  process.env.ETCD_PASSWORD = 'hunter2';
  process.env.GITHUB_TOKEN = 'ghp_x';
  try {
    const result = await run('03', { labsDir: join(fixtures, 'malicious', 'reads-env'), only: ['current-user'] });
    // It found nothing, so it returned its decoy user: a wrong answer, not a leak.
    expect(byId(result)["current-user"].message).toMatch(/"nothing-found"/);
  } finally {
    delete process.env.ETCD_PASSWORD;
    delete process.env.GITHUB_TOKEN;
  }
});
