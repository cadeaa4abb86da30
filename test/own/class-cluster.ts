/**
 * A class-shared cluster with mutual TLS and auth (`npm run class`): two
 * students run every lab at the same time on it, each inside their own
 * namespace and with their own user; a third student's keys survive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certSet } from '../../lib/certs/store.ts';
import { type StudentAccount, setupStudents, startClassCluster } from '../../lib/cluster/class-cluster.ts';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import { type Connection, clientOptions } from '../../lib/connection.ts';
import { readConnectionFile } from '../../lib/runner/connection-file.ts';
import { cli, sandboxProcesses } from '../helpers.ts';
import { TEST_CLASS_CLIENT_PORT, TEST_CLASS_PEER_PORT } from '../ports.ts';

describe('a class-shared cluster with TLS and auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-lab-class-'));
  let cluster: LocalCluster;
  let root: Connection;
  let accounts: Record<string, StudentAccount>;
  const decoys = new Map<string, { value: string; revision: string }>();

  beforeAll(async () => {
    const set = certSet();
    cluster = new LocalCluster(generateCluster({
      dir, size: 1, clientPort: TEST_CLASS_CLIENT_PORT, peerPort: TEST_CLASS_PEER_PORT, namePrefix: 'class',
      tls: { ca: set.ca, ...set.leaves.server },
    }));
    const started = await startClassCluster({ cluster, dir: join(dir, 'class') });
    expect(started.authEnabled).toBe(true);
    root = readConnectionFile(started.rootFile).connection;
    const made = await setupStudents(root, ['ana', 'ben', 'cy'], { dir: join(dir, 'class') });
    accounts = Object.fromEntries(made.map((a) => [a.name, a]));
    // cy's work: keys under the very prefixes the labs own, inside cy's namespace.
    const client = new Etcd3(clientOptions(root, 5000));
    for (const key of ['/students/cy/logged_users/cy', '/students/cy/lab02/notes', '/students/cy/lab01/x', '/students/cy/logged_users']) {
      await client.put(key).value(`cy's ${key}`).exec();
    }
    for (const kv of (await client.getAll().prefix('/students/cy/').exec()).kvs) {
      decoys.set(kv.key.toString(), { value: kv.value.toString(), revision: kv.mod_revision });
    }
    client.close();
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  // Also the test that the solutions of labs 02-10 pass (test/labs.test.ts relies on it).
  test('two students run labs 1-10 at the same time, each in their namespace; the third student\'s keys are untouched', async () => {
    const runs = await Promise.all(['ana', 'ben'].map((name) => cli('lab', ['1-10', '--solution', '--connection', accounts[name].file])));
    for (const [i, run] of runs.entries()) {
      const name = ['ana', 'ben'][i];
      expect(run.stdout, `${name}: ${run.stdout.slice(-1500)}${run.stderr}`).toMatch(/10 of 10 labs passed/);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`as ${name} over TLS (from `);
      expect(run.stdout).toContain(`this run's keys live under /students/${name}/`);
      // Lab 01's connect() takes endpoints only: on a TLS cluster with users that one check is skipped, and says why.
      expect(run.stdout).toMatch(/connect\(\) takes only endpoints/);
      expect(run.stdout + run.stderr).not.toContain(readConnectionFile(accounts[name].file).connection.auth!.password);
    }
    const client = new Etcd3(clientOptions(root, 5000));
    const after = new Map((await client.getAll().prefix('/students/cy/').exec()).kvs.map((kv) => [kv.key.toString(), { value: kv.value.toString(), revision: kv.mod_revision }]));
    expect(after).toEqual(decoys);
    client.close();
    expect(sandboxProcesses({ orphans: true })).toEqual([]);
  }, 240_000);

  test('a student\'s credentials cannot read or write another student\'s namespace', async () => {
    const ana = new Etcd3(clientOptions(readConnectionFile(accounts.ana.file).connection, 3000));
    try {
      await ana.put('/students/ana/mine').value('ok').exec();
      expect(await ana.get('/students/ana/mine').string()).toBe('ok');
      await expect(ana.get('/students/cy/logged_users/cy').string()).rejects.toThrow(/permission denied/);
      await expect(ana.put('/students/ben/x').value('no').exec()).rejects.toThrow(/permission denied/);
      await expect(ana.getAll().prefix('/students/').keys()).rejects.toThrow(/permission denied/);
      await expect(ana.delete().prefix('/students/cy/').exec()).rejects.toThrow(/permission denied/);
    } finally {
      ana.close();
    }
  });

  test('each student gets a client certificate from the workbook\'s CA, and setup again keeps the passwords', async () => {
    const before = readConnectionFile(accounts.ben.file).connection;
    expect(before.tls?.cert).toMatch(/BEGIN CERTIFICATE/);
    const again = await setupStudents(root, ['ben'], { dir: join(dir, 'class') });
    expect(again[0].kept).toBe(true);
    expect(readConnectionFile(accounts.ben.file).connection.auth).toEqual(before.auth);
  });
});
