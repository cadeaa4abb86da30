/** Facts of LAB.md, "Lab 09 · Locks" (and its stub and hints), on the suite's second cluster. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, EtcdLockFailedError, GRPCUnavailableError } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { refusedEndpoint } from '../../lib/checks/helpers/unreachable.ts';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 09 · Locks', () => {
  let client: Etcd3;
  let other: Etcd3;
  beforeAll(() => {
    client = new Etcd3({ hosts: testCluster().endpoints });
    other = new Etcd3({ hosts: testCluster().endpoints });
  });
  afterAll(() => {
    client.close();
    other.close();
  });

  test('"An etcd lock is a key on a session-style lease": the key is the lock\'s name, on a lease', async () => {
    const lock = client.lock('/facts09/key').ttl(5);
    await lock.acquire();
    try {
      const [kv] = (await client.get('/facts09/key').exec()).kvs;
      expect(kv.lease).toBe(await lock.leaseId());
      expect(Number((await client.leaseClient.leaseTimeToLive({ ID: kv.lease })).grantedTTL)).toBe(5);
    } finally {
      await lock.release();
    }
  });

  test('"releasing it revokes the lease"', async () => {
    const lock = client.lock('/facts09/release').ttl(5);
    await lock.acquire();
    const id = (await lock.leaseId())!;
    await lock.release();
    expect((await client.get('/facts09/release').exec()).kvs).toEqual([]);
    expect(Number((await client.leaseClient.leaseTimeToLive({ ID: id })).TTL)).toBe(-1);
  });

  test('"while the holder lives, its client renews the lease, however long it holds the lock"', async () => {
    const lock = client.lock('/facts09/renewed').ttl(1);
    await lock.acquire();
    try {
      await sleep(2500);
      expect((await client.get('/facts09/renewed').exec()).kvs).toHaveLength(1);
    } finally {
      await lock.release();
    }
  });

  test('"`acquire()` is a try-lock: when someone else holds the lock it rejects at once with `EtcdLockFailedError` instead of waiting"', async () => {
    const lock = client.lock('/facts09/try').ttl(5);
    await lock.acquire();
    try {
      const began = performance.now();
      const error = await other.lock('/facts09/try').ttl(5).acquire().catch((e) => e);
      expect(error).toBeInstanceOf(EtcdLockFailedError);
      // At once: no waiting for the holder (a few round trips).
      expect(performance.now() - began).toBeLessThan(2000);
    } finally {
      await lock.release();
    }
  });

  test('"The lock\'s lease defaults to **30 s**"', async () => {
    const lock = client.lock('/facts09/default');
    await lock.acquire();
    try {
      expect(Number((await client.leaseClient.leaseTimeToLive({ ID: (await lock.leaseId())! })).grantedTTL)).toBe(30);
    } finally {
      await lock.release();
    }
  });

  test('"any other (etcd cannot be reached, its circuit breaker is open) will not go away by waiting"', async () => {
    const nowhere = new Etcd3({ hosts: [await refusedEndpoint()] });
    try {
      expect(await nowhere.lock('/facts09/nowhere').acquire().catch((e) => e)).toBeInstanceOf(GRPCUnavailableError);
      const again = await nowhere.lock('/facts09/nowhere').acquire().catch((e) => e);
      expect(again).not.toBeInstanceOf(EtcdLockFailedError);
      expect(again.constructor.name).toBe('BrokenCircuitError');
    } finally {
      nowhere.close();
    }
  });
});
