/**
 * Fault injection without root: a real 5-member cluster whose members talk
 * to each other through peer proxies (lib/faults). Partitions, kills, pauses
 * and restarts, checked by what etcd itself then does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { moveLeader } from '../../lib/cluster/inspect.ts';
import { etcdProcessesMentioning } from '../../lib/cluster/processes.ts';
import { FaultyCluster } from '../../lib/faults/faulty-cluster.ts';
import { waitFor } from '../../lib/checks/helpers/time.ts';
import { TEST_FAULTS_CLIENT_PORT, TEST_FAULTS_PEER_PORT, TEST_FAULTS_PROXY_PORT } from '../ports.ts';
import { openClient } from '../../lib/connection/client.ts';

/** One call through one member, with a deadline: what a client pinned to that member sees. */
async function via<T>(cluster: FaultyCluster, name: string, work: (client: Etcd3) => Promise<T>, deadlineMs = 1500): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const client = openClient({ endpoints: [cluster.endpoint(name)] }, { deadlineMs: deadlineMs });
  try {
    return { ok: true, value: await work(client) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] };
  } finally {
    client.close();
  }
}

describe('a 5-member cluster behind peer proxies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-lab-faults-'));
  let cluster: FaultyCluster;

  beforeAll(async () => {
    cluster = FaultyCluster.create({ dir, size: 5, clientPort: TEST_FAULTS_CLIENT_PORT, peerPort: TEST_FAULTS_PEER_PORT, proxyPort: TEST_FAULTS_PROXY_PORT });
    await cluster.start();
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    expect(etcdProcessesMentioning(dir)).toEqual([]);
    expect(cluster.proxyConnections).toBe(0);
  });

  test('{n1 n2 n3 | n4 n5} with the leader on the minority side: the majority elects and writes, the minority cannot; after heal all agree', async () => {
    const key = '/faults/partition';
    expect((await via(cluster, 'n1', (c) => c.put(key).value('before').exec())).ok).toBe(true);
    await cluster.converged();
    // The leader starts on the minority side, the interesting case.
    await moveLeader(cluster.endpoints, await memberId(cluster, 'n4'));
    expect((await cluster.report()).find((r) => r.isLeader)?.name).toBe('n4');

    cluster.partition([['n1', 'n2', 'n3'], ['n4', 'n5']]);
    // The majority elects a leader of its own and takes writes.
    expect(await waitFor(async () => (await via(cluster, 'n1', (c) => c.put(key).value('during').exec(), 1000)).ok, 8000), 'the majority side never took a write').toBeDefined();
    // The minority cannot write; linearizable reads need a quorum too and fail within their deadline,
    // while a serializable read answers from the member's own (stale) copy.
    const write = await via(cluster, 'n5', (c) => c.put(key).value('lost').exec());
    expect(write.ok).toBe(false);
    const began = Date.now();
    const linearizable = await via(cluster, 'n5', (c) => c.get(key).string());
    expect(linearizable.ok).toBe(false);
    // It gave up on its own deadlines (up to 4 attempts of 1.5 s: etcd3 retries), not after etcd's
    // "request timed out" (about 6 s per attempt, 18 s and more in all).
    expect(Date.now() - began).toBeLessThan(9000);
    const serializable = await via(cluster, 'n5', (c) => c.get(key).serializable(true).string());
    expect(serializable).toEqual({ ok: true, value: 'before' });

    cluster.heal();
    const converged = await cluster.converged(15_000);
    expect(new Set(converged.map((r) => r.hash)).size).toBe(1);
    expect(converged).toHaveLength(5);
    // The minority's write timed out at the client, which does not mean it failed: etcd held the
    // proposal and may commit it once the partition heals (an indeterminate result). Either way,
    // every member now has the same value.
    const values = await Promise.all(cluster.names.map((n) => via(cluster, n, (c) => c.get(key).serializable(true).string())));
    expect(new Set(values.map((v) => (v.ok ? v.value : v.error))).size).toBe(1);
    expect(['during', 'lost']).toContain(values[0].ok ? values[0].value : values[0].error);
    // pre-vote: the isolated members did not raise the term past the majority's leader.
    expect(new Set((await cluster.report()).map((r) => r.leaderName)).size).toBe(1);
  }, 60_000);

  test('a one-way cut, an isolated member and a slow link: the cluster keeps working and heals', async () => {
    cluster.cutLink('n1', 'n2', { oneWay: true });
    cluster.isolate('n3', 'blackhole');
    cluster.delay(['n4', 'n5'], 30);
    const key = '/faults/links';
    expect(await waitFor(async () => (await via(cluster, 'n4', (c) => c.put(key).value('x').exec(), 1000)).ok, 8000), 'no write with one member isolated').toBeDefined();
    expect((await via(cluster, 'n3', (c) => c.put(key).value('y').exec(), 1000)).ok).toBe(false);
    cluster.heal();
    await cluster.converged(15_000);
  }, 60_000);

  test('kill, pause, resume and restart of members', async () => {
    await cluster.kill('n2');
    cluster.pause('n3');
    let report = await cluster.report(500);
    expect(report.find((r) => r.name === 'n2')?.condition).toBe('down');
    expect(report.find((r) => r.name === 'n3')?.condition).toBe('paused');
    // A paused member holds its connections open and answers nothing: only a deadline ends the call.
    const hung = await via(cluster, 'n3', (c) => c.get('/faults/x').string(), 500);
    expect(hung.ok).toBe(false);
    // Three of five: still a quorum.
    expect((await via(cluster, 'n1', (c) => c.put('/faults/k').value('3 of 5').exec(), 3000)).ok).toBe(true);
    cluster.resume('n3');
    await cluster.restart('n2');
    report = await cluster.converged(15_000);
    expect(report.map((r) => r.condition)).toEqual(['up', 'up', 'up', 'up', 'up']);
  }, 60_000);
});

async function memberId(cluster: FaultyCluster, name: string): Promise<string> {
  const status = await via(cluster, name, (c) => c.maintenance.status());
  if (!status.ok) throw new Error(`${name} does not answer`);
  return status.value.header.member_id;
}
