/**
 * Facts of LAB.md, "Lab 07 · Leases" (and its stub and hints), on the
 * suite's second cluster (500 ms election timeout, like the workbook's), and
 * on a one-member cluster of their own with etcd's default timings for the
 * TTL minimum.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import { clusterStatus, moveLeader } from '../../lib/cluster/inspect.ts';
import { testCluster } from '../helpers.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function grantedTtl(client: Etcd3, ttl: number): Promise<number> {
  const { ID } = await client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 });
  try {
    return Number((await client.leaseClient.leaseTimeToLive({ ID })).grantedTTL);
  } finally {
    // A 1 s lease may have run out meanwhile on a loaded machine.
    await client.leaseClient.leaseRevoke({ ID }).catch(() => {});
  }
}

describe('facts of Lab 07 · Leases', () => {
  let client: Etcd3;
  beforeAll(() => {
    client = new Etcd3({ hosts: testCluster().endpoints });
  });
  afterAll(() => client.close());

  test('"etcd raises a shorter TTL to 1.5 × its election timeout, rounded up to whole seconds": "With this workbook\'s 500 ms election timeout that is 1 s"', async () => {
    expect(await grantedTtl(client, 1)).toBe(1);
  });

  test('"with etcd\'s default of 1000 ms, a 1 s lease is granted for 2 s"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-facts-07-'));
    const cluster = new LocalCluster(generateCluster({
      dir, size: 1, clientPort: await freePort(), peerPort: await freePort(), extra: { 'heartbeat-interval': 100, 'election-timeout': 1000 },
    }));
    try {
      await cluster.start();
      const own = new Etcd3({ hosts: cluster.endpoints });
      try {
        expect(await grantedTtl(own, 1)).toBe(2);
        expect(await grantedTtl(own, 2)).toBe(2);
        expect(await grantedTtl(own, 3)).toBe(3);
      } finally {
        own.close();
      }
    } finally {
      await cluster.destroy();
    }
  });

  test('"which etcd3 demands anyway (`client.lease(0.5)` throws)"', () => {
    expect(() => client.lease(0.5)).toThrow(RangeError);
  });

  test('"When a new leader is elected, it gives every lease its full TTL again, plus an election timeout"', async () => {
    const cluster = testCluster();
    const { ID } = await client.leaseClient.leaseGrant({ TTL: 6, ID: 0 });
    const granted = performance.now();
    try {
      await sleep(2500);
      const before = Number((await client.leaseClient.leaseTimeToLive({ ID })).TTL);
      expect(before).toBeLessThanOrEqual(4);
      const statuses = await clusterStatus(cluster.endpoints);
      const next = statuses.find((s) => s.up && !s.isLeader)!;
      await moveLeader(cluster.endpoints, next.id!);
      const after = Number((await client.leaseClient.leaseTimeToLive({ ID })).TTL);
      expect(after).toBeGreaterThan(before);
      // Nobody renewed it, yet it outlives its 6 s: the new leader counts 6.5 s again from its election.
      await sleep(Math.max(0, 7000 - (performance.now() - granted)));
      expect(Number((await client.leaseClient.leaseTimeToLive({ ID })).TTL)).toBeGreaterThanOrEqual(0);
    } finally {
      await client.leaseClient.leaseRevoke({ ID }).catch(() => {});
    }
  });

  test('"etcd3\'s `client.lease(ttl)` renews the lease by itself, every TTL/3 seconds, for as long as the lease object lives"', async () => {
    const lease = client.lease(3);
    let fired = 0;
    lease.on('keepaliveFired', () => fired++);
    try {
      await lease.grant();
      await sleep(4200);
      // At 0, 1, 2, 3 and 4 s: at least 4 renewals in 4.2 s, and the lease is alive past its TTL.
      expect(fired).toBeGreaterThanOrEqual(4);
      expect(Number((await client.leaseClient.leaseTimeToLive({ ID: await lease.grant() })).TTL)).toBeGreaterThan(0);
    } finally {
      await lease.revoke();
    }
  });

  test('"Say `client.lease(ttl, { autoKeepAlive: false })`": such a lease, and its key, run out after the TTL', async () => {
    const lease = client.lease(1, { autoKeepAlive: false });
    await lease.put('/facts07/temporary').value('x').exec();
    lease.release();
    await sleep(2200);
    expect((await client.get('/facts07/temporary').exec()).kvs).toEqual([]);
  });

  test('"A key\'s lease id is part of its metadata (`kv.lease`, `\'0\'` for none)", a decimal string', async () => {
    const lease = client.lease(10, { autoKeepAlive: false });
    await lease.put('/facts07/on-lease').value('x').exec();
    await client.put('/facts07/plain').value('x').exec();
    try {
      const [onLease] = (await client.get('/facts07/on-lease').exec()).kvs;
      const [plain] = (await client.get('/facts07/plain').exec()).kvs;
      expect(onLease.lease).toBe(await lease.grant());
      expect(onLease.lease).toMatch(/^\d+$/);
      expect(plain.lease).toBe('0');
    } finally {
      await lease.revoke();
      await client.delete().key('/facts07/plain').exec();
    }
  });

  test('"`client.leaseClient.leaseTimeToLive({ ID })` tells you what is left (`TTL`, -1 when the lease is gone) and what it was granted with (`grantedTTL`)"', async () => {
    const { ID } = await client.leaseClient.leaseGrant({ TTL: 30, ID: 0 });
    await sleep(1100);
    const alive = await client.leaseClient.leaseTimeToLive({ ID });
    expect(Number(alive.grantedTTL)).toBe(30);
    expect(Number(alive.TTL)).toBeLessThan(30);
    await client.leaseClient.leaseRevoke({ ID });
    expect(Number((await client.leaseClient.leaseTimeToLive({ ID })).TTL)).toBe(-1);
  });
});
