/**
 * Every lab against the real test cluster: the stub fails every check with a
 * TODO message, the solution passes every check, and each plausible wrong
 * implementation fails the check it should, with the message a student sees.
 */
import { describe, expect, test } from 'vitest';
import { loadCatalog } from '../lib/catalog.ts';
import { paths } from '../lib/paths.ts';
import { byId, run, wrongDir } from './helpers.ts';

interface Wrong {
  lab: string;
  variant: string;
  /** The check that must fail, and what its message (or explanation) must say. */
  fails: Record<string, RegExp>;
  timeoutMs?: number;
}

const WRONG: Wrong[] = [
  { lab: '01', variant: 'hardcoded-endpoint', fails: { 'connect-uses-endpoints': /connect\(/ } },
  { lab: '01', variant: 'not-a-client', fails: { 'connect-uses-endpoints': /must return an etcd3 client .* a Connection without get\(\) and put\(\)/ } },
  { lab: '01', variant: 'no-deadline', fails: { 'connect-deadline': /still waiting after 9 s/ } },
  { lab: '01', variant: 'numeric-ids', fails: { 'describe-members': /has id \d+, etcd says "\d+"/ } },
  { lab: '01', variant: 'peer-urls', fails: { 'describe-members': /clientUrls are wrong/ } },
  { lab: '01', variant: 'first-member-leader', fails: { 'describe-leader': /says the leader is/ } },
  { lab: '01', variant: 'leader-id', fails: { 'describe-leader': /says the leader is "\d+"/ } },
  { lab: '02', variant: 'put-latin1', fails: { 'put-value': /stored other bytes/ } },
  { lab: '02', variant: 'put-if-absent', fails: { 'put-value': /must overwrite its value/ } },
  { lab: '02', variant: 'falsy-get', fails: { 'get-value': /its value is the empty string/ } },
  { lab: '02', variant: 'locale-sort', fails: { 'list-keys': /not in byte order/ } },
  { lab: '02', variant: 'js-sort', fails: { 'list-keys': /not in byte order/ } },
  { lab: '02', variant: 'limited-list', fails: { 'list-keys': /left out \d+ of \d+ keys/ } },
  { lab: '02', variant: 'silent-delete', fails: { 'delete-key': /no longer exists resolved/ } },
  { lab: '02', variant: 'prefix-delete', fails: { 'delete-key': /also deleted/ } },
  { lab: '02', variant: 'own-error-class', fails: { 'get-missing': /threw KeyNotFoundError: .*the key does not exist/ } },
  { lab: '02', variant: 'everything-unavailable', fails: { 'get-missing': /threw ClusterUnavailableError/ } },
  {
    lab: '02', variant: 'raw-errors', timeoutMs: 7000,
    fails: { 'unavailable-refused': /threw (GRPCUnavailableError|BrokenCircuitError|GRPCConnectFailedError)/, 'unavailable-hung': /still waiting after 7 s/ },
  },
  { lab: '03', variant: 'prefix-no-slash', fails: { 'list-users': /entries that are not users under \/logged_users\// } },
  { lab: '03', variant: 'full-keys', fails: { 'list-users': /returned full keys/ } },
  { lab: '03', variant: 'os-user-only', fails: { 'current-user': /should be "u\w+" \(LOGNAME is checked first\)/ } },
  { lab: '03', variant: 'no-slash-key', fails: { 'register-user': /is "missing"/ } },
  { lab: '03', variant: 'off-by-one', fails: { 'register-users': /did not register 1 of \d+ users/ } },
  { lab: '03', variant: 'latin1', fails: { 'list-users': /entries that are not users|is wrong for/ } },
];

const labs = loadCatalog().filter((l) => ['01', '02', '03'].includes(l.id));

describe.each(labs)('lab $id $slug', (lab) => {
  test('the stub fails every check with a TODO message', async () => {
    const result = await run(lab.id, { labsDir: paths.labs });
    expect(result.passed).toBe(false);
    for (const check of result.checks) {
      expect(check.status, check.id).toBe('failed');
      expect(check.message, check.id).toMatch(new RegExp(`^TODO: implement \`\\w+\` in labs/${lab.id}-${lab.slug}\\.ts$`));
    }
  });

  test('the solution passes every check', async () => {
    const result = await run(lab.id, { solution: true });
    const failed = result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`);
    expect(failed).toEqual([]);
    expect(result.checks).toHaveLength(lab.checks.length);
  });

  test.each(WRONG.filter((w) => w.lab === lab.id))('wrong implementation "$variant" fails as intended', async (wrong) => {
    const result = await run(lab.id, { labsDir: wrongDir(lab.id, wrong.variant), only: Object.keys(wrong.fails), timeoutMs: wrong.timeoutMs });
    const checks = byId(result);
    for (const [id, message] of Object.entries(wrong.fails)) {
      expect(checks[id].status, `${id} should fail`).toBe('failed');
      const text = [checks[id].message, checks[id].details?.explain].join('\n');
      expect(text, id).toMatch(message);
    }
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
