/**
 * Labs 01-06 against the real test cluster (the others: test/lab-tests.ts
 * says where): the stub fails every check with a TODO message, the solution
 * passes every check, and each plausible wrong implementation fails the check
 * it should, with the message a student sees. Also: seeds replay.
 */
import { expect, test } from 'vitest';
import { run, wrongDir } from '../helpers.ts';
import { labTestsOf } from '../lab-tests.ts';

labTestsOf('shared');

test.each(['js-sort', 'locale-sort'])('wrong sort "%s" fails list-keys whatever the seed', async (variant) => {
  for (const seed of [1, 2, 3]) {
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
