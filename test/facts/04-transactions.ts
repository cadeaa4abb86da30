/** Facts of LAB.md, "Lab 04 · Transactions" (and its stub and hints). */
import { Etcd3, type Namespace } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type WireOptions, WireProxy } from '../../lib/checks/helpers/wire.ts';
import { openClient } from '../../lib/connection/client.ts';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 04 · Transactions', () => {
  let client: Etcd3;
  let kv: Namespace;
  const prefix = `/facts-04-${process.pid}/`;

  beforeAll(() => {
    client = openClient(testCluster().endpoints, { deadlineMs: 5000 });
    kv = client.namespace(prefix);
  });

  afterAll(async () => {
    await kv.delete().all().exec();
    client.close();
  });

  const version = async (key: string) => (await kv.get(key).exec()).kvs[0]?.version;

  test('"A key that does not exist has create revision 0 and version 0"', async () => {
    const missing = await kv.if('/missing', 'Create', '==', 0).and('/missing', 'Version', '==', 0).commit();
    expect(missing.succeeded).toBe(true);
  });

  test('"a new key has version 1, the next put makes it 2, and a delete takes it back to 0"', async () => {
    await kv.put('/v').value('a').exec();
    expect(await version('/v')).toBe('1');
    await kv.put('/v').value('b').exec();
    expect(await version('/v')).toBe('2');
    await kv.delete().key('/v').exec();
    expect((await kv.if('/v', 'Version', '==', 0).commit()).succeeded).toBe(true);
    await kv.put('/v').value('c').exec();
    expect(await version('/v')).toBe('1');
  });

  test('"one commit, one new revision for every key it writes": the keys of a transaction share one mod revision', async () => {
    const res = await kv.if('/t/a', 'Create', '==', 0).then(kv.put('/t/a').value('1'), kv.put('/t/b').value('2'), kv.put('/t/c').value('3')).commit();
    const mods = (await kv.getAll().prefix('/t/').exec()).kvs.map((k) => k.mod_revision);
    expect(new Set(mods)).toEqual(new Set([res.header.revision]));
  });

  test('"Nobody ever writes that key (users live *under* it), so its version is always 0, the compare always holds"', async () => {
    await kv.put('/logged_users/Emil').value('ws-1').exec();
    const res = await kv.if('/logged_users', 'Version', '==', 0).then(kv.put('/logged_users/Emil').value('overwritten')).commit();
    expect(res.succeeded).toBe(true);
    expect(await kv.get('/logged_users/Emil').string()).toBe('overwritten');
  });

  test('"etcd limits a transaction to 128 operations by default (`max-txn-ops`)"', async () => {
    const puts = (n: number) => Array.from({ length: n }, (_, i) => kv.put(`/ops/${i}`).value('x'));
    expect((await kv.if('/ops/0', 'Create', '==', 0).then(...puts(128)).commit()).succeeded).toBe(true);
    await expect(kv.if('/ops/0', 'Create', '==', 0).then(...puts(129)).commit()).rejects.toThrow(/too many operations in txn request/);
  });

  /** A compare-and-create through a proxy that spoils the first answer; resolves to what the caller learns, and the key's value. */
  async function retriedCommit(options: WireOptions, key: string) {
    const proxy = await WireProxy.start(testCluster().endpoints[0], { requestDelayMs: 0, ...options });
    const root = new Etcd3({ hosts: [proxy.endpoint], defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 1000 }) });
    const slow = root.namespace(prefix);
    try {
      const res = await slow.if(key, 'Create', '==', 0).then(slow.put(key).value('mine')).commit();
      return { succeeded: res.succeeded, value: await kv.get(key).string(), requests: proxy.counts().sent };
    } finally {
      root.close();
      await proxy.close();
    }
  }

  test('"A transaction that etcd committed but whose answer never reached the client … is sent a second time … the call resolves to `succeeded: false`" (the connection broke)', async () => {
    const seen = await retriedCommit({ cutAnswer: (connection, requests) => connection === 0 && requests === 1 }, '/retried-cut');
    expect(seen).toEqual({ succeeded: false, value: 'mine', requests: 2 });
  });

  test('"A transaction that etcd committed but whose answer never reached the client (it timed out …) is sent a second time … the call resolves to `succeeded: false`"', async () => {
    const seen = await retriedCommit({ responseDelayMs: (connection, requests) => (connection === 0 && requests === 1 ? 3000 : 0) }, '/retried-late');
    expect(seen.succeeded).toBe(false);
    expect(seen.value).toBe('mine');
  });
});
