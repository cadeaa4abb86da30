/** Facts of LAB.md, "Lab 03 · Logged users" (and its stub and hints). */
import { spawnSync } from 'node:child_process';
import type { Etcd3, Namespace } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openClient } from '../../lib/connection/client.ts';
import { testCluster } from '../helpers.ts';

const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;

/** Python's getpass.getuser() with exactly `env` (plus PATH). */
function getpass(env: Record<string, string>): string {
  const run = spawnSync('python3', ['-c', 'import getpass; print(getpass.getuser())'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return run.stdout.trim();
}

describe('facts of Lab 03 · Logged users', () => {
  let client: Etcd3;
  let kv: Namespace;

  beforeAll(async () => {
    client = openClient(testCluster().endpoints, { deadlineMs: 5000 });
    kv = client.namespace(`/facts-03-${process.pid}/`);
    for (const key of ['/logged_users/Adam', '/logged_users/Rafał', '/logged_users_archive/Emil', '/logged_users', '/logged_usersX']) await kv.put(key).value(`host of ${key}`).exec();
  });

  afterAll(async () => {
    await kv.delete().all().exec();
    client.close();
  });

  test('"a prefix read of `/logged_users` (no slash) also returns `/logged_users_archive/…`, the bare key `/logged_users`, and `/logged_usersX`"', async () => {
    const keys = await kv.getAll().prefix('/logged_users').keys();
    expect(keys.sort()).toEqual(['/logged_users', '/logged_users/Adam', '/logged_users/Rafał', '/logged_usersX', '/logged_users_archive/Emil']);
  });

  test('hint: "`client.getAll().prefix(\'/logged_users/\').strings()` gives `{ fullKey: value }`" (and the trailing slash keeps the decoys out)', async () => {
    expect(await kv.getAll().prefix('/logged_users/').strings()).toEqual({
      '/logged_users/Adam': 'host of /logged_users/Adam',
      '/logged_users/Rafał': 'host of /logged_users/Rafał',
    });
  });

  test('hint: "`/logged_users` alone is a different key": a get of it is not a prefix read', async () => {
    expect(await kv.get('/logged_users').string()).toBe('host of /logged_users');
    expect(await kv.get('/logged_users/').string()).toBeNull();
  });

  test.runIf(python)('"takes the first of the environment variables `LOGNAME`, `USER`, `LNAME` and `USERNAME` that is set and not empty (a variable set to `""` is skipped)"', () => {
    expect(getpass({ LOGNAME: 'a', USER: 'b', LNAME: 'c', USERNAME: 'd' })).toBe('a');
    expect(getpass({ LOGNAME: '', USER: 'b', LNAME: 'c', USERNAME: 'd' })).toBe('b');
    expect(getpass({ LNAME: 'c', USERNAME: 'd' })).toBe('c');
    expect(getpass({ USER: '', USERNAME: 'd' })).toBe('d');
  });
});
