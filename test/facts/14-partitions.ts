/**
 * Facts of LAB.md, "Lab 14 · Partitions" (and its stub, hints and
 * predictions), on two 3-member clusters behind peer proxies started here:
 * one as the lab starts them (pre-vote on), one as a stock etcd 3.4 runs
 * (pre-vote off). A member is cut off from the other two; each test heals.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { BrokenCircuitError } from 'cockatiel';
import { type Etcd3, GRPCDeadlineExceededError } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { currentLeader } from '../../lib/checks/helpers/faulty-lab-cluster.ts';
import { sleep, waitFor } from '../../lib/checks/helpers/time.ts';
import { memberStatus } from '../../lib/cluster/inspect.ts';
import { freePortBase } from '../../lib/cluster/probe.ts';
import { throwawayClusterDir } from '../../lib/cluster/throwaway.ts';
import { openClient } from '../../lib/connection/client.ts';
import { etcdVersion, requireEtcd } from '../../lib/etcd/binaries.ts';
import { FaultyCluster } from '../../lib/faults/faulty-cluster.ts';

const offset = Number(process.env.WORKBOOK_TEST_PORT_OFFSET ?? 0);

async function faultyCluster(from: number, preVote: boolean): Promise<FaultyCluster> {
  const base = await freePortBase(3, from);
  const cluster = FaultyCluster.create({ dir: throwawayClusterDir('facts14'), size: 3, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
  if (!preVote) {
    // The workbook refuses a config without pre-vote (lib/cluster/config.ts); a stock etcd 3.4 runs without it.
    for (const member of cluster.cluster.spec.members) writeFileSync(member.configFile, readFileSync(member.configFile, 'utf8').replace('pre-vote: true', 'pre-vote: false'));
  }
  await cluster.start();
  return cluster;
}

async function term(cluster: FaultyCluster, name: string): Promise<bigint> {
  const status = await memberStatus(cluster.endpoint(name), 1000);
  if (!status.raftTerm) throw new Error(`${name} did not answer`);
  return BigInt(status.raftTerm);
}

/** One member cut off from the other two, `work` done, the network healed and the members agreeing again. */
async function cutOff<T>(cluster: FaultyCluster, who: 'leader' | 'follower', work: (name: string, others: string[]) => Promise<T>): Promise<T> {
  const leader = await currentLeader(cluster, 10_000);
  const name = who === 'leader' ? leader : cluster.names.find((n) => n !== leader)!;
  const others = cluster.names.filter((n) => n !== name);
  cluster.isolate(name);
  try {
    return await work(name, others);
  } finally {
    cluster.heal();
    await cluster.converged(20_000);
  }
}

/** A client of one member, one attempt per call (no retries, no breaker), no deadline unless given. */
function single(cluster: FaultyCluster, name: string, deadlineMs?: number): Etcd3 {
  return openClient({ endpoints: [cluster.endpoint(name)] }, { deadlineMs: deadlineMs ?? 0, singleAttempt: true });
}

describe('facts of Lab 14 · Partitions', () => {
  let withPreVote: FaultyCluster;
  let stock: FaultyCluster;

  beforeAll(async () => {
    withPreVote = await faultyCluster(26400 + offset, true);
    stock = await faultyCluster(26450 + offset, false);
  }, 60_000);

  afterAll(async () => {
    await withPreVote?.destroy();
    await stock?.destroy();
  }, 60_000);

  test('"CheckQuorum, always on in etcd. … If a majority has been silent for an election timeout, it steps down by itself"', async () => {
    await cutOff(withPreVote, 'leader', async (leader) => {
      const steppedDown = await waitFor(async () => (await memberStatus(withPreVote.endpoint(leader), 500)).isLeader === false, 10_000);
      expect(steppedDown, `${leader} still says it leads`).toBeDefined();
    });
  }, 60_000);

  /**
   * The cluster's term before a follower is cut off for 3 s (6 election
   * timeouts), and once it is back. A member's status gives the term of the
   * last entry it applied, which a cut-off member never changes, whatever its
   * own term does: what it did shows after the heal, in the leader's term.
   */
  async function termAcrossCut(cluster: FaultyCluster): Promise<{ before: bigint; after: bigint }> {
    const before = await term(cluster, await currentLeader(cluster, 10_000));
    await cutOff(cluster, 'follower', () => sleep(3000));
    const after = await term(cluster, await currentLeader(cluster, 10_000));
    return { before, after };
  }

  test('"Pre-vote, which this workbook turns on …: a member that cannot reach a majority never gets past that question, so its term stays where it was" … "With pre-vote, the healed members simply follow"', async () => {
    const { before, after } = await termAcrossCut(withPreVote);
    // Unchanged; at most one election more, of the others, when a busy machine delays a heartbeat
    // (a cut-off member raising its own term adds one per timeout: the next test).
    expect(after).toBeLessThanOrEqual(before + 1n);
  }, 60_000);

  test('"Without pre-vote (… a stock etcd 3.4), a cut-off member starts an election at every timeout and raises its term each time; when the network heals, its high term forces the healthy leader to step down"', async () => {
    const { before, after } = await termAcrossCut(stock);
    // 3 s of timeouts of 0.5-1 s: at least 3 elections of its own, then one more for everyone.
    expect(after).toBeGreaterThan(before + 2n);
  }, 60_000);

  test('"the side of 2 keeps its copy of the data and can say what it holds": a serializable read of a cut-off member answers its own copy', async () => {
    const all = openClient({ endpoints: withPreVote.endpoints }, { deadlineMs: 5000 });
    try {
      await all.put('/facts14/held').value('before').exec();
      await withPreVote.converged(10_000);
      await cutOff(withPreVote, 'follower', async (follower, others) => {
        const majority = openClient({ endpoints: others.map((n) => withPreVote.endpoint(n)) }, { deadlineMs: 5000 });
        try {
          await majority.put('/facts14/held').value('during').exec();
        } finally {
          majority.close();
        }
        const client = single(withPreVote, follower, 2000);
        try {
          expect(await client.get('/facts14/held').serializable(true).string()).toBe('before');
        } finally {
          client.close();
        }
      });
    } finally {
      all.close();
    }
  }, 60_000);

  test('"On the minority side nobody can confirm anything: the read waits, and etcd gives up with `request timed out` after about 6 s"', async () => {
    await cutOff(withPreVote, 'follower', async (follower) => {
      const client = single(withPreVote, follower);
      try {
        const began = performance.now();
        const error = await client.get('/facts14/held').string().catch((e: Error) => e);
        const seconds = (performance.now() - began) / 1000;
        expect((error as Error).message).toMatch(/request timed out/);
        expect(seconds).toBeGreaterThan(4);
        expect(seconds).toBeLessThan(10);
      } finally {
        client.close();
      }
    });
  }, 60_000);

  test('hint: "`.options({ deadline: Date.now() + 1000 })`: one point in time for the whole call, etcd3\'s retries included, so it gives up after about 1 s; after 3 failed attempts in a row etcd3 also stops calling that member for 5 s"', async () => {
    await cutOff(withPreVote, 'follower', async (follower) => {
      // etcd3's own retries and circuit breaker, as a student's client has them.
      const client = openClient({ endpoints: [withPreVote.endpoint(follower)] }, { deadlineMs: 0 });
      try {
        const began = performance.now();
        await expect(client.get('/facts14/held').options({ deadline: Date.now() + 1000 }).string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
        // Three attempts of a second each would take 3 s.
        expect(performance.now() - began).toBeLessThan(2500);
        const next = performance.now();
        await expect(client.get('/facts14/held').options({ deadline: Date.now() + 1000 }).string()).rejects.toBeInstanceOf(BrokenCircuitError);
        expect(performance.now() - next).toBeLessThan(500);
      } finally {
        client.close();
      }
    });
  }, 60_000);

  test('"On the minority side of this partition, etcd happens to lose it": a write that timed out on a cut-off leader is not there after the heal', async () => {
    const key = `/facts14/lost-${Date.now()}`;
    await cutOff(withPreVote, 'leader', async (leader, others) => {
      const client = single(withPreVote, leader, 1500);
      try {
        await expect(client.put(key).value('maybe').exec()).rejects.toThrow();
      } finally {
        client.close();
      }
      // The other two elect a leader of their own before the heal.
      await currentLeader(withPreVote, 10_000, others);
    });
    const all = openClient({ endpoints: withPreVote.endpoints }, { deadlineMs: 5000 });
    try {
      expect(await all.get(key).string()).toBeNull();
    } finally {
      all.close();
    }
  }, 60_000);
});

describe('facts of Lab 14 · Partitions, from etcd itself', () => {
  test('"etcd 3.4 has it [pre-vote] off unless told, 3.5 on": the default `etcd --help` prints for this etcd', async () => {
    const { etcd } = requireEtcd();
    const version = await etcdVersion(etcd);
    const { stdout } = await promisify(execFile)(etcd, ['--help'], { timeout: 10_000 });
    const preVote = /--pre-vote '(\w+)'/.exec(stdout)?.[1];
    expect(preVote, `etcd ${version}`).toBe(version.startsWith('3.4.') ? 'false' : 'true');
  });
});
