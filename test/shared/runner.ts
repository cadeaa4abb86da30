/**
 * The runner survives whatever student code does: throws, spins, exits,
 * hangs, or does not parse. Every case ends as one failed check with a clear
 * message, the run finishes, and no process is left behind.
 */
import { expect, test } from 'vitest';
import { join } from 'node:path';
import { byId, fixtures, noSandboxLeft, run } from '../helpers.ts';


test('throwing, spinning, exiting and hanging code each fail one check and the run finishes', async () => {
  const began = Date.now();
  const result = await run('03', { labsDir: join(fixtures, 'misbehaving'), timeoutMs: 1500 });
  const checks = byId(result);
  expect(checks['current-user'].message).toMatch(/^currentUser\(\) threw TypeError: cannot read properties of undefined \(at test\/fixtures\/misbehaving\/03-logged-users\.ts:7:\d+\)$/);
  // An error thrown outside any call is reported with the next failure, not lost.
  const explained = result.checks.map((c) => c.details?.explain ?? '').join('\n');
  expect(explained).toMatch(/threw outside any call[^]*RangeError: a late timer \(at test\/fixtures\/misbehaving\/03-logged-users\.ts:5:\d+\)/);
  expect(checks['register-user'].message).toMatch(/^registerUser\(\) did not finish within 1.5 s: it hangs/);
  expect(checks['register-users'].message).toMatch(/^registerUsers\(\) ended the lab process \(exit code 7\)/);
  expect(checks['list-users'].message).toMatch(/^listLoggedUsers\(\) did not finish within 1.5 s/);
  expect(result.passed).toBe(false);
  expect(Date.now() - began).toBeLessThan(20_000);
  expect(await noSandboxLeft()).toEqual([]);
});

test('a lab file that does not parse fails every check with the file and the error', async () => {
  const result = await run('03', { labsDir: join(fixtures, 'broken') });
  for (const check of result.checks) {
    expect(check.status).toBe('failed');
    expect(check.message).toMatch(/^test\/fixtures\/broken\/03-logged-users\.ts could not be loaded: /);
  }
  expect(await noSandboxLeft()).toEqual([]);
});

test('a missing lab file and an unknown lab are one-line errors', async () => {
  await expect(run('03', { labsDir: '/nonexistent' })).rejects.toMatchObject({ code: 'LAB_FILE_MISSING' });
  await expect(run('99')).rejects.toMatchObject({ code: 'UNKNOWN_LAB' });
  await expect(run('03', { solution: true, only: ['nope'] })).rejects.toMatchObject({ code: 'USAGE' });
});

test('a namespace keeps a run inside its prefix, and the run deletes only keys its lab owns', async () => {
  const { Etcd3 } = await import('etcd3');
  const { testCluster } = await import('../helpers.ts');
  const client = new Etcd3({ hosts: testCluster().endpoints });
  try {
    // Another student's registry, and a key of another lab, outside our namespace and inside it.
    await client.put('/students/other/logged_users/Ada').value('their-host').exec();
    await client.put('/students/me/lab02/keep').value('not lab 03').exec();
    const result = await run('03', { solution: true, namespace: '/students/me/' });
    expect(result.passed).toBe(true);
    expect(await client.get('/students/other/logged_users/Ada').string()).toBe('their-host');
    expect(await client.get('/students/me/lab02/keep').string()).toBe('not lab 03');
    expect(await client.getAll().prefix('/logged_users').keys()).toEqual([]);
    expect(await client.getAll().prefix('/students/me/logged_users').keys()).toEqual([]);
  } finally {
    await client.delete().prefix('/students/').exec();
    client.close();
  }
});

test('--endpoints runs against a cluster the workbook does not manage, without moving its leader', async () => {
  const { testCluster } = await import('../helpers.ts');
  const result = await run('01', { solution: true, cluster: undefined, endpoints: testCluster().endpoints, only: ['describe-leader'] });
  expect(result.checks[0].status).toBe('passed');
  expect(result.checks[0].notes.join()).toMatch(/not managed by the workbook/);
});

test('--endpoints with nobody there is a one-line error', async () => {
  await expect(run('01', { solution: true, cluster: undefined, endpoints: ['http://127.0.0.1:1'] })).rejects.toMatchObject({ code: 'CLUSTER_DOWN' });
});
