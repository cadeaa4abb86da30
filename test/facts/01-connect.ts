/** Facts of LAB.md, "Lab 01 · Connect" (and its stub and hints). */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CallContext, Etcd3, GRPCDeadlineExceededError, GRPCInternalError } from 'etcd3';
import { describe, expect, test } from 'vitest';
import { hungEndpoint, refusedEndpoint } from '../../lib/checks/helpers/unreachable.ts';
import { testCluster } from '../helpers.ts';

const etcdctl = spawnSync('etcdctl', ['version'], { env: { ...process.env, ETCDCTL_API: '3' } }).status === 0;

/** A client whose deadline function counts the unary attempts it was asked for (one call per attempt). */
function countingClient(hosts: string[], deadlineMs: number) {
  const attempts = { unary: 0 };
  const client = new Etcd3({
    hosts,
    defaultCallOptions: (context: CallContext) => {
      if (context.isStream) return {};
      attempts.unary++;
      return { deadline: Date.now() + deadlineMs };
    },
  });
  return { client, attempts };
}

/** What a promise has done after `ms`: settled either way, or still waiting. */
function after<T>(ms: number, work: Promise<T>): Promise<'resolved' | 'rejected' | 'waiting'> {
  return Promise.race([work.then(() => 'resolved' as const, () => 'rejected' as const), sleep(ms).then(() => 'waiting' as const)]);
}

describe('facts of Lab 01 · Connect', () => {
  test('"etcd3 accepts a `dialTimeout` option and ignores it": a get to a member that never answers still waits, 10 × the dialTimeout later', async () => {
    const hung = await hungEndpoint();
    const client = new Etcd3({ hosts: hung.endpoint, dialTimeout: 200 });
    try {
      expect(await after(2000, client.get('k').string())).toBe('waiting');
    } finally {
      client.close();
      await hung.close();
    }
  });

  test('"It must be a function, so each call gets a fresh deadline (an object\'s `Date.now() + 1000` is computed once, and every call made after that moment fails at once)"', async () => {
    const { endpoints } = testCluster();
    const fixed = new Etcd3({ hosts: endpoints, defaultCallOptions: { deadline: Date.now() + 300 } });
    const fresh = new Etcd3({ hosts: endpoints, defaultCallOptions: () => ({ deadline: Date.now() + 300 }) });
    try {
      await sleep(500);
      await expect(fixed.get('k').string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      await expect(fresh.get('k').string()).resolves.toBeNull();
    } finally {
      fixed.close();
      fresh.close();
    }
  });

  test('"streams (watches, lease keepalives) must be left without one (a deadline ends a stream when it passes)"', async () => {
    const { endpoints } = testCluster();
    const withDeadline = new Etcd3({ hosts: endpoints, defaultCallOptions: () => ({ deadline: Date.now() + 300 }) });
    const without = new Etcd3({ hosts: endpoints, defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 300 }) });
    try {
      const cuts = [0, 0];
      const watchers = await Promise.all([withDeadline, without].map((c) => c.watch().key(`/facts-01-${process.pid}`).create()));
      watchers.forEach((w, i) => w.on('disconnected', () => cuts[i]++));
      await sleep(1500);
      expect(cuts[0]).toBeGreaterThan(0);
      expect(cuts[1]).toBe(0);
      await Promise.all(watchers.map((w) => w.cancel()));
    } finally {
      withDeadline.close();
      without.close();
    }
  });

  test('"etcd3 also retries a failed call: one attempt and up to 3 retries (its `maxAttempts: 3` counts the retries), each attempt with a new deadline from your function. A hung member therefore costs up to 4 × your deadline"', async () => {
    const hung = [await hungEndpoint(), await hungEndpoint()];
    const { client, attempts } = countingClient(hung.map((h) => h.endpoint), 200);
    try {
      await expect(client.get('k').string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      expect(attempts.unary).toBe(4);
    } finally {
      client.close();
      await Promise.all(hung.map((h) => h.close()));
    }
  });

  test('"3 × when it is the client\'s only member, because after 3 failures in a row etcd3\'s circuit breaker stops trying that member"', async () => {
    const hung = await hungEndpoint();
    const { client, attempts } = countingClient([hung.endpoint], 200);
    try {
      await expect(client.get('k').string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      expect(attempts.unary).toBe(3);
    } finally {
      client.close();
      await hung.close();
    }
  });

  test('"etcd3 spreads calls over them and moves on when one fails": with a dead endpoint first, every call succeeds', async () => {
    const client = new Etcd3({ hosts: [await refusedEndpoint(), ...testCluster().endpoints], defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 1000 }) });
    try {
      for (let i = 0; i < 10; i++) await expect(client.get('k').string()).resolves.toBeNull();
    } finally {
      client.close();
    }
  });

  test('"`client.cluster.memberList({})` (the empty object is required) returns members with `ID` as a decimal string"', async () => {
    const client = new Etcd3({ hosts: testCluster().endpoints[0] });
    try {
      const { members } = await client.cluster.memberList({});
      expect(members.length).toBe(3);
      for (const m of members) expect(m.ID).toMatch(/^\d+$/);
      // Without it the request cannot even be encoded: INTERNAL, which etcd3 counts as a failure of the member.
      await expect((client.cluster.memberList as unknown as () => Promise<unknown>)()).rejects.toBeInstanceOf(GRPCInternalError);
    } finally {
      client.close();
    }
  });

  test('"`Number(\'8794217056844757712\')` prints as `8794217056844758000` (the nearest double is …758016): a different id"', () => {
    expect(String(Number('8794217056844757712'))).toBe('8794217056844758000');
    expect(BigInt(Number('8794217056844757712'))).toBe(8794217056844758016n);
  });

  test('"`client.maintenance.status()` asks the member you reach for its status; its `leader` field is the leader\'s id (and `header.member_id` is the id of the member that answered)"', async () => {
    const root = new Etcd3({ hosts: testCluster().endpoints });
    try {
      const { members } = await root.cluster.memberList({});
      const leaders = new Set<string>();
      for (const member of members) {
        const one = new Etcd3({ hosts: member.clientURLs[0] });
        try {
          const status = await one.maintenance.status();
          expect(status.header.member_id).toBe(member.ID);
          leaders.add(status.leader);
        } finally {
          one.close();
        }
      }
      expect(leaders.size).toBe(1);
      expect(members.map((m) => m.ID)).toContain([...leaders][0]);
    } finally {
      root.close();
    }
  });

  test.runIf(etcdctl)('"`etcdctl … member list -w table` prints the members with their names and client URLs (ids in hex there)", and "`… endpoint status -w table` says which endpoint leads (`IS LEADER`)"', async () => {
    const { endpoints } = testCluster();
    const run = (args: string[]) => spawnSync('etcdctl', [`--endpoints=${endpoints.join(',')}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' }).stdout;
    const root = new Etcd3({ hosts: endpoints });
    try {
      const { members } = await root.cluster.memberList({});
      const list = run(['member', 'list', '-w', 'table']);
      for (const m of members) {
        expect(list).toContain(m.name);
        expect(list).toContain(m.clientURLs[0]);
        expect(list).toContain(BigInt(m.ID).toString(16));
      }
      const status = run(['endpoint', 'status', '-w', 'table']);
      expect(status).toContain('IS LEADER');
      expect(status).not.toContain(members[0].name);
    } finally {
      root.close();
    }
  });
});
