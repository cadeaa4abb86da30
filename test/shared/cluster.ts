/**
 * The cluster manager with real etcd processes, on its own ports: start,
 * crash recovery, port conflicts, Ctrl-C while starting, nothing left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import { clusterStatus } from '../../lib/cluster/inspect.ts';
import { etcdProcessesMentioning, readPids } from '../../lib/cluster/processes.ts';
import { projectRoot } from '../../lib/paths.ts';
import { hintFor } from '../../lib/reporters/lab-report.ts';
import { runLab } from '../../lib/runner/run-lab.ts';
import { readProgress, recordProgress, recordRun } from '../../lib/state/progress.ts';
import { cli } from '../helpers.ts';
import { TEST_FRESH_CLIENT_PORT, TEST_FRESH_PEER_PORT } from '../ports.ts';

const fresh = (clientPort: number, peerPort: number) =>
  new LocalCluster(generateCluster({ dir: mkdtempSync(join(tmpdir(), 'etcd-cluster-test-')), clientPort, peerPort }));

test('start, a member that crashed is reported and restarted, stop leaves nothing', async () => {
  const cluster = fresh(TEST_FRESH_CLIENT_PORT, TEST_FRESH_PEER_PORT);
  try {
    const first = await cluster.start();
    expect(first.started).toEqual(['n1', 'n2', 'n3']);
    expect((await clusterStatus(cluster.endpoints)).every((s) => s.up)).toBe(true);
    expect((await cluster.start()).started).toEqual([]);

    process.kill(readPids(cluster.spec.stateDir).n2.pid, 'SIGKILL');
    await sleep(200);
    expect(cluster.memberStates().n2.state).toBe('crashed');
    const again = await cluster.start();
    expect(again).toMatchObject({ started: ['n2'], recovered: ['n2'] });
    expect(cluster.memberStates().n2.state).toBe('running');

    expect(await cluster.stop()).toEqual(['n1', 'n2', 'n3']);
    expect(cluster.memberStates().n1.state).toBe('stopped');
    expect(etcdProcessesMentioning(cluster.spec.stateDir)).toEqual([]);
  } finally {
    await cluster.destroy();
  }
});

test('a port in use is named, with its role and the file to change', async () => {
  const blocked = TEST_FRESH_CLIENT_PORT + 12;
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(blocked, '127.0.0.1', resolve));
  const cluster = fresh(TEST_FRESH_CLIENT_PORT + 10, TEST_FRESH_PEER_PORT + 10);
  try {
    const error = await cluster.start().catch((e) => e);
    expect(error.code).toBe('PORT_IN_USE');
    expect(error.message).toBe(`port ${blocked} (client port of n3) is already in use by another program`);
    expect(error.fix).toMatch(/n3\.yaml/);
    expect(etcdProcessesMentioning(cluster.spec.stateDir)).toEqual([]);
  } finally {
    blocker.close();
    await cluster.destroy();
  }
});

test('Ctrl-C while the cluster is starting leaves no etcd behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-sigint-test-'));
  const script = `
    import { LocalCluster } from './lib/cluster/cluster.ts';
    import { generateCluster } from './lib/cluster/generate.ts';
    await new LocalCluster(generateCluster({ dir: ${JSON.stringify(dir)}, clientPort: 25191, peerPort: 25291 })).start();
    console.log('started');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, stdio: 'pipe' });
  // Interrupt as soon as the members have been spawned (their pids are written).
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(dir, 'pids.json')) && Date.now() < deadline) await sleep(5);
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(s ?? c)));
  expect(code).toBe('SIGINT');
  await sleep(100);
  expect(etcdProcessesMentioning(dir)).toEqual([]);
});

test('CLI errors are one line plus the fix, never a stack trace', async () => {
  const unknown = await cli('lab', ['99']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr.trim().split('\n')).toEqual([
    'error[UNKNOWN_LAB]: there is no lab "99"',
    expect.stringMatching(/^ {2}fix: pick one of 1 \(connect\), 2 \(kv-basics\), 3 \(logged-users\)/),
  ]);
  const badSeed = await cli('lab', ['1', '--seed', 'x']);
  expect(badSeed.stderr.trim().split('\n')).toHaveLength(2);
  const down = await cli('lab', ['1', '--endpoints', 'http://127.0.0.1:1']);
  expect(down.stderr.trim().split('\n')).toEqual([
    'error[CLUSTER_DOWN]: no member of the cluster answers: 127.0.0.1:1 refuses connections',
    expect.stringMatching(/^ {2}fix: check that the cluster is up .* and the endpoints \(from the command line\)/),
  ]);
  expect(down.stderr).not.toMatch(/\bat \w+ \(/);
});

test('a cluster stopped in the middle of a run is the environment\'s failure, with the fix; progress keeps what it had', async () => {
  const cluster = fresh(TEST_FRESH_CLIENT_PORT + 20, TEST_FRESH_PEER_PORT + 20);
  try {
    await cluster.start();
    // Stopped as soon as the first check has ended: the next ones find no cluster.
    let stopping: Promise<unknown> | undefined;
    const result = await runLab('03', { solution: true, cluster, renderer: 'silent', onCheck: () => { stopping ??= cluster.stop(); return undefined; } });
    await stopping;
    const broken = result.checks.filter((c) => c.environment);
    expect(broken.length, result.checks.map((c) => `${c.id}: ${c.status} ${c.message}`).join('\n')).toBeGreaterThan(0);
    expect(broken.every((c) => c.error && c.status === 'failed')).toBe(true);
    expect(broken[0].message).toMatch(/^could not run: the cluster stopped answering during the run: no member at http:\/\/127\.0\.0\.1:\d+.* answers \(not your code's fault\)$/);
    expect(broken[0].details?.explain).toMatch(/^Fix: `npm run cluster -- status` shows which member is down/);
    expect(hintFor(result)).toEqual({ kind: 'none' });
    const file = join(mkdtempSync(join(tmpdir(), 'progress-')), 'progress.json');
    recordProgress('03', { status: 'passed', passed: 3, total: 3, at: 'earlier', seed: 1 }, file);
    recordRun(result, file);
    expect(readProgress(file)['03'].status).toBe('passed');
  } finally {
    await cluster.destroy();
  }
}, 120_000);
