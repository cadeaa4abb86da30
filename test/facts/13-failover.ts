/** Facts of LAB.md, "Lab 13 · Failover" (and its stub and hints). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError } from 'cockatiel';
import { Etcd3, GRPCDeadlineExceededError } from 'etcd3';
import { describe, expect, test } from 'vitest';
import { hungEndpoint } from '../../lib/checks/helpers/unreachable.ts';
import { clusterStatus, moveLeader } from '../../lib/cluster/inspect.ts';
import { FaultyCluster } from '../../lib/faults/faulty-cluster.ts';
import { testCluster } from '../helpers.ts';

/** Rejects after `ms`, whatever the call does: an attempt cut short by a timer. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timer')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The members of a cluster as lab 13 starts it (its config files written to a temporary folder; nothing is started). */
function labClusterMembers() {
  const dir = mkdtempSync(join(tmpdir(), 'facts-13-'));
  try {
    return FaultyCluster.create({ dir, size: 3, clientPort: 1, peerPort: 1001, proxyPort: 2001 }).cluster.spec.members;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('facts of Lab 13 · Failover', () => {
  test('"a leader sends heartbeats (here every 50 ms)", "an election timeout (here 500 ms …)", "With `pre-vote` on": the settings of the clusters the checks start', () => {
    for (const member of labClusterMembers()) {
      expect(member.heartbeatMs).toBe(50);
      expect(member.electionMs).toBe(500);
      expect(member.raw['pre-vote']).toBe(true);
    }
  });

  test('"A deadline given with `.options({ deadline })` is one absolute time, shared by etcd3\'s own retries of the call: … one timed-out call counts as up to 4 failures", enough to open the breaker of a member', async () => {
    const hung = await hungEndpoint();
    const client = new Etcd3({ hosts: hung.endpoint });
    try {
      await expect(client.put('k').value('v').options({ deadline: Date.now() + 300 }).exec()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      // One call was enough: the member is refused now, without trying.
      await expect(client.put('k').value('v').options({ deadline: Date.now() + 300 }).exec()).rejects.toBeInstanceOf(BrokenCircuitError);
    } finally {
      client.close();
      await hung.close();
    }
  });

  test('"Attempts cut short with such a tight gRPC deadline therefore switch off every member for 5 s": two timed-out calls, and both members are refused', async () => {
    const hung = [await hungEndpoint(), await hungEndpoint()];
    const client = new Etcd3({ hosts: hung.map((h) => h.endpoint) });
    try {
      for (let i = 0; i < 2; i++) await expect(client.put('k').value('v').options({ deadline: Date.now() + 300 }).exec()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      await expect(client.put('k').value('v').options({ deadline: Date.now() + 300 }).exec()).rejects.toBeInstanceOf(BrokenCircuitError);
    } finally {
      client.close();
      await Promise.all(hung.map((h) => h.close()));
    }
  });

  test('"Cut each attempt short with a timer instead (`Promise.race`), and give the call itself a deadline longer than an election (say 5 s)": attempts abandoned that way count nothing while their deadline runs', async () => {
    const hung = await hungEndpoint();
    const client = new Etcd3({ hosts: hung.endpoint });
    try {
      for (let i = 0; i < 4; i++) await expect(within(100, client.put('k').value('v').options({ deadline: Date.now() + 5000 }).exec())).rejects.toThrow('timer');
      // The breaker is still closed: this call is tried, and times out on its own deadline.
      await expect(client.put('k').value('v').options({ deadline: Date.now() + 300 }).exec()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
    } finally {
      client.close();
      await hung.close();
    }
  });

  test('"a leader that takes over gives every lease its full TTL again …, so a lease can outlive its TTL by about an election"', async () => {
    const { endpoints } = testCluster();
    const client = new Etcd3({ hosts: endpoints, defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 5000 }) });
    // The leader and its term, once every member answers (three test files share 2 cores: a member
    // can be slow to answer, and an election can come by itself).
    const settled = async () => {
      for (const until = Date.now() + 15_000; ; await sleep(100)) {
        const statuses = await clusterStatus(endpoints, 3000);
        const leader = statuses.find((s) => s.up && s.isLeader);
        const follower = statuses.find((s) => s.up && !s.isLeader && s.leaderId === leader?.id);
        if (leader && follower) return { term: leader.raftTerm, follower };
        if (Date.now() > until) throw new Error(`no leader and follower answered: ${JSON.stringify(statuses)}`);
      }
    };
    const lease = client.lease(20, { autoKeepAlive: false });
    try {
      const id = await lease.grant();
      const ttl = async () => Number((await client.leaseClient.leaseTimeToLive({ ID: id, keys: false })).TTL);
      // An election of its own during the wait gives the lease its TTL again too: measured again then.
      for (let tries = 1; ; tries++) {
        const { term } = await settled();
        await sleep(4000);
        const before = await ttl();
        const now = await settled();
        if (now.term !== term && tries < 3) continue;
        expect(before).toBeLessThanOrEqual(17);
        await moveLeader(endpoints, now.follower.id!);
        expect(await ttl()).toBeGreaterThanOrEqual(19);
        break;
      }
    } finally {
      await lease.revoke().catch(() => undefined);
      client.close();
    }
  });
});
