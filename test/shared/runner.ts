/**
 * The runner survives whatever student code does: throws, spins, exits,
 * hangs, or does not parse. Every case ends as one failed check with a clear
 * message, the run finishes, and no process is left behind.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { expect, test } from 'vitest';
import { findLab } from '../../lib/catalog.ts';
import { projectRoot } from '../../lib/paths.ts';
import { CLAIM_TTL_S, claimOwnedPrefixes } from '../../lib/runner/claim.ts';
import { CLAIMS_PREFIX, LAST_RUN_KEY } from '../../lib/runner/records.ts';
import { byId, fixtures, noSandboxLeft, run, testCluster } from '../helpers.ts';


test('throwing, spinning, exiting and hanging code each fail one check and the run finishes', async () => {
  const began = Date.now();
  const result = await run('03', { labsDir: join(fixtures, 'misbehaving'), timeoutMs: 1500 });
  const checks = byId(result);
  expect(checks['current-user'].message).toMatch(/^currentUser\(\) threw TypeError: cannot read properties of undefined \(at test\/fixtures\/misbehaving\/03-logged-users\.ts:7:\d+\)$/);
  // An error thrown outside any call is reported with the next failure, not lost.
  const explained = result.checks.map((c) => c.details?.explain ?? '').join('\n');
  expect(explained).toMatch(/threw outside any call[\s\S]*RangeError: a late timer \(at test\/fixtures\/misbehaving\/03-logged-users\.ts:5:\d+\)/);
  expect(checks['register-user'].message).toMatch(/^registerUser\(\) did not finish within 1.5 s: it hangs/);
  expect(checks['register-users'].message).toMatch(/^registerUsers\(\) ended the lab process \(exit code 7\)/);
  expect(checks['list-users'].message).toMatch(/^listLoggedUsers\(\) did not finish within 1.5 s/);
  expect(result.passed).toBe(false);
  // A guard against a run that waits on hung code (4 calls of 1.5 s), not a speed target.
  expect(Date.now() - began).toBeLessThan(60_000);
  expect(await noSandboxLeft()).toEqual([]);
});

/** Lab processes whose parent is `pid`. */
function labProcessesOf(pid: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    try {
      return /\.cache\/sandbox\/[^/]+\/child\.mjs/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')) && readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid);
    } catch {
      return false;
    }
  });
}

/** User + system CPU time of a process, in seconds (Linux: /proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('lab processes die with their runner when it is killed (SIGKILL), also while the student\'s code spins in a loop', async () => {
  const runner = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/lab.ts', '3', '--labs-dir', join(fixtures, 'misbehaving'), '--only', 'register-user', '--timeout', '60', '--endpoints', testCluster().endpoints.join(',')], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  // registerUser() spins: wait until a lab process of this runner has burnt half a second of CPU.
  let children: number[] = [];
  const spinning = Date.now() + 60_000;
  while (!children.some((p) => cpuSeconds(p) > 0.5) && Date.now() < spinning) {
    await sleep(100);
    children = labProcessesOf(runner.pid!);
  }
  expect(children.length).toBeGreaterThan(0);
  runner.kill('SIGKILL');
  const until = Date.now() + 3000;
  while (children.some(alive) && Date.now() < until) await sleep(50);
  expect(children.filter(alive), 'lab processes still running after their runner was killed').toEqual([]);
});

test('two runs that own the same keys in one namespace: the second is refused in one line; a killed run\'s claim is taken over at once', async () => {
  const namespace = `/claims-${process.pid}/`;
  const endpoints = testCluster().endpoints;
  const etcd = new Etcd3({ hosts: endpoints });
  const kv = etcd.namespace(namespace);
  try {
    // Lab 03 and lab 04 both own /logged_users: a run of lab 04 holds the claim.
    const release = await claimOwnedPrefixes(kv, findLab('04'), namespace);
    await expect(run('03', { solution: true, cluster: undefined, endpoints, namespace })).rejects.toMatchObject({
      code: 'RUN_IN_PROGRESS',
      message: expect.stringMatching(/^another run \(lab 04, pid \d+ on this machine, since .* UTC\) is using \/logged_users in \/claims-\d+\/: two runs there would delete each other's keys$/),
    });
    // Lab 01 owns other keys: it runs beside it.
    expect((await run('01', { solution: true, cluster: undefined, endpoints, namespace, only: ['describe-members'] })).passed).toBe(true);
    await release();
    // A claim left by a runner that was killed on this machine (its lease not yet expired) is taken over.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    const lease = kv.lease(CLAIM_TTL_S);
    await lease.put(`${CLAIMS_PREFIX}/logged_users`).value(JSON.stringify({ host: hostname(), pid: dead.pid, lab: '04', since: new Date().toISOString() })).exec();
    expect((await run('03', { solution: true, cluster: undefined, endpoints, namespace })).passed).toBe(true);
    // The same claim from another machine is not: that run may be alive.
    await lease.put(`${CLAIMS_PREFIX}/logged_users`).value(JSON.stringify({ host: 'lab-pc-7', pid: dead.pid, lab: '05', since: new Date().toISOString() })).exec();
    await expect(run('03', { solution: true, cluster: undefined, endpoints, namespace })).rejects.toMatchObject({
      code: 'RUN_IN_PROGRESS', message: expect.stringMatching(/pid \d+ on host lab-pc-7/), fix: expect.stringMatching(/--namespace \/students\/<your name>\//),
    });
    await lease.revoke();
    // No claim outlives its run; what stays is the namespace's last-run record (for the class status).
    expect(await etcd.getAll().prefix(namespace).keys()).toEqual([`${namespace}${LAST_RUN_KEY}`]);
  } finally {
    await etcd.delete().prefix(namespace).exec();
    etcd.close();
  }
});

test('a lab file that does not parse fails every check with the file and the error', async () => {
  const result = await run('03', { labsDir: join(fixtures, 'broken') });
  // The first check says why, with the position; the others point to it (the error is shown once).
  const [first, ...rest] = result.checks;
  expect(first.status).toBe('failed');
  expect(first.message).toMatch(/^test\/fixtures\/broken\/03-logged-users\.ts does not load: syntax error at \d+:\d+: /);
  for (const check of rest) {
    expect(check.status).toBe('failed');
    expect(check.message).toBe('not run: test/fixtures/broken/03-logged-users.ts does not load (see the first check)');
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
