/**
 * A class-shared cluster with mutual TLS and auth (`npm run class`): two
 * students run every lab at the same time on it, each inside their own
 * namespace and with their own user; a third student's keys survive.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certSet, readPem, strangerCerts } from '../../lib/certs/store.ts';
import { issue, loadIssuer } from '../../lib/certs/x509.ts';
import type { WorkbookError } from '../../lib/errors.ts';
import { resolveTarget } from '../../lib/runner/target.ts';
import { claimOwnedPrefixes } from '../../lib/runner/claim.ts';
import { findLab } from '../../lib/catalog.ts';
import { hungEndpoint, refusedEndpoint } from '../../lib/checks/helpers/unreachable.ts';
import { startClassCluster } from '../../lib/class/start.ts';
import { type StudentAccount, setupStudents } from '../../lib/class/students.ts';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import type { Connection, } from '../../lib/connection/connection.ts';
import { readConnectionFile } from '../../lib/connection/file.ts';
import { cli, run, sandboxProcesses, testCluster } from '../helpers.ts';
import { TEST_CLASS_CLIENT_PORT, TEST_CLASS_PEER_PORT } from '../ports.ts';
import { openClient } from '../../lib/connection/client.ts';

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
    const client = openClient(root, { deadlineMs: 5000 });
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

  // Also the test that the solutions of labs 02-10 pass (test/lab-tests.ts relies on it).
  test('two students run every lab at the same time, each in their namespace; the third student\'s keys are untouched', async () => {
    const runs = await Promise.all(['ana', 'ben'].map((name) => cli('lab', ['all', '--solution', '--connection', accounts[name].file])));
    for (const [i, run] of runs.entries()) {
      const name = ['ana', 'ben'][i];
      expect(run.stdout, `${name}: ${run.stdout.slice(-1500)}${run.stderr}`).toMatch(/11 of 16 labs passed, 5 could not run here/);
      // The labs that start, kill or snapshot members of their own say why they do not run here.
      for (const lab of ['11', '13', '14', '15', '16']) expect(run.stdout).toMatch(new RegExp(`○ ${lab} \\S+ +0/\\d+ checks .*skipped`));
      expect(run.stdout).toMatch(/runs on your own machine only \(it starts its own etcd member with TLS and authentication\)/);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`as ${name} over TLS (from `);
      expect(run.stdout).toContain(`this run's keys live under /students/${name}/`);
      // Lab 01's connect() takes endpoints only: on a TLS cluster with users, what needs a live connection is skipped, and says why.
      expect(run.stdout).toMatch(/connect\(\) takes only endpoints/);
      expect(run.stdout).toMatch(/the hung member was tried \(passed\), the watch and the late call need lab 1 on your own machine/);
      expect(run.stdout + run.stderr).not.toContain(readConnectionFile(accounts[name].file).connection.auth!.password);
    }
    const client = openClient(root, { deadlineMs: 5000 });
    const after = new Map((await client.getAll().prefix('/students/cy/').exec()).kvs.map((kv) => [kv.key.toString(), { value: kv.value.toString(), revision: kv.mod_revision }]));
    expect(after).toEqual(decoys);
    client.close();
    expect(sandboxProcesses({ orphans: true })).toEqual([]);
  }, 240_000);

  test('class status shows the members, and each student\'s last run, run in progress and own keys', async () => {
    // ben is running lab 04 right now (his run's claim, made with his own credentials).
    const benClient = openClient(readConnectionFile(accounts.ben.file).connection, { deadlineMs: 3000 });
    const release = await claimOwnedPrefixes(benClient.namespace('/students/ben/'), findLab('04'), '/students/ben/');
    const shown = await cli('class', ['status', '--connection', join(dir, 'class', 'root.json')]);
    await release();
    benClient.close();
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toMatch(/^member +endpoint +state +leader/);
    expect(lines.find((l) => l.startsWith('class1'))).toMatch(/https:\/\/127\.0\.0\.1:\d+ +up +★ leader/);
    // ana and ben ran every lab; the last was lab 16, which cannot run on a class cluster. cy only has keys of her own.
    expect(lines.find((l) => l.startsWith('ana'))).toMatch(/^ana +\/students\/ana\/ +- +lab 16 ○ 0\/12 at \d\d:\d\d:\d\d UTC +0$/);
    expect(lines.find((l) => l.startsWith('ben'))).toMatch(/^ben +\/students\/ben\/ +lab 04 +lab 16 ○ 0\/12 at .* 0$/);
    expect(lines.find((l) => l.startsWith('cy'))).toMatch(/^cy +\/students\/cy\/ +- +none yet +4$/);
  });

  test('a student\'s credentials cannot read or write another student\'s namespace', async () => {
    const ana = openClient(readConnectionFile(accounts.ana.file).connection, { deadlineMs: 3000 });
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

  test('a student whose connection settings are wrong is told which part, and the fix, in one line', async () => {
    const ana = readConnectionFile(accounts.ana.file).connection;
    const stranger = await strangerCerts();
    const expired = await issue(await loadIssuer(readPem({ cert: certSet().ca, key: join(certSet().dir, 'ca.key') })), { commonName: 'ana', usages: ['client'], days: -2 });
    const hung = await hungEndpoint();
    const cases: [string, Connection, string, RegExp][] = [
      ['another CA', { ...ana, tls: { ...ana.tls!, ca: stranger.ca } }, 'BAD_CONNECTION', /certificate of the member at 127\.0\.0\.1:\d+ is not signed by the CA in class\/ana\.json \(unable to verify the first certificate\)/],
      ['a foreign client certificate', { ...ana, tls: { ...ana.tls!, ...stranger.client } }, 'BAD_CONNECTION', /refused your client certificate \(CN=root, signed by "a CA the cluster does not trust"\)/],
      ['an expired client certificate', { ...ana, tls: { ...ana.tls!, ...expired } }, 'BAD_CONNECTION', /refused your client certificate \(expired on \d{4}-\d\d-\d\d\)/],
      ['no client certificate', { ...ana, tls: { ca: ana.tls!.ca } }, 'BAD_CONNECTION', /wants a client certificate \(mutual TLS\), and class\/ana\.json has none/],
      ['a key of another certificate', { ...ana, tls: { ...ana.tls!, key: stranger.client.key } }, 'BAD_CONNECTION', /client certificate and key in class\/ana\.json cannot be used \(.*key values mismatch/],
      ['a wrong password', { ...ana, auth: { username: 'ana', password: 'not-the-password' } }, 'BAD_CONNECTION', /refused the password of user ana \(etcd: authentication failed\)/],
      ['no TLS', { endpoints: ana.endpoints, auth: ana.auth }, 'BAD_CONNECTION', /wants TLS, and class\/ana\.json gives no CA/],
      ['TLS to a plain cluster', { ...ana, endpoints: testCluster().endpoints }, 'BAD_CONNECTION', /speaks plain http, and class\/ana\.json asks for TLS/],
      ['a port where nothing listens', { ...ana, endpoints: [await refusedEndpoint()] }, 'CLUSTER_DOWN', /no member of the cluster answers: 127\.0\.0\.1:\d+ refuses connections/],
      ['a member that never answers', { ...ana, endpoints: [hung.endpoint] }, 'CLUSTER_DOWN', /127\.0\.0\.1:\d+ accepts but never answers/],
    ];
    try {
      const outcomes = await Promise.all(cases.map(([, connection]) => resolveTarget({ connection, connectionSource: 'class/ana.json' }).then(() => undefined, (e: WorkbookError) => e)));
      for (const [i, [what, , code, message]] of cases.entries()) {
        expect(outcomes[i], what).toMatchObject({ code, message: expect.stringMatching(message) });
        expect(outcomes[i]!.fix, what).toBeTruthy();
      }
    } finally {
      await hung.close();
    }
    // Another student's namespace: the run's first write is refused, and said so.
    await expect(run('03', { solution: true, cluster: undefined, connection: ana, connectionSource: 'class/ana.json', namespace: '/students/ben/' })).rejects.toMatchObject({
      code: 'BAD_CONNECTION', message: 'the cluster does not let this run write in /students/ben/ (etcd: permission denied)',
    });
    // As the student sees it: one line and the fix.
    const file = join(dir, 'ana-no-cert.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(accounts.ana.file, 'utf8')), cert: undefined, key: undefined }));
    const shown = await cli('lab', ['3', '--connection', file]);
    expect(shown.code).toBe(1);
    expect(shown.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error\[BAD_CONNECTION\]: the member at 127\.0\.0\.1:\d+ wants a client certificate \(mutual TLS\), and \S+ana-no-cert\.json has none$/),
      expect.stringMatching(/^ {2}fix: add "cert" and "key" \(or --cert and --key\); ask your instructor for a new connection file/),
    ]);
  });

  test('each student gets a client certificate from the workbook\'s CA, and setup again keeps the passwords', async () => {
    const before = readConnectionFile(accounts.ben.file).connection;
    expect(before.tls?.cert).toMatch(/BEGIN CERTIFICATE/);
    const again = await setupStudents(root, ['ben'], { dir: join(dir, 'class') });
    expect(again[0].kept).toBe(true);
    expect(readConnectionFile(accounts.ben.file).connection.auth).toEqual(before.auth);
  });
});
